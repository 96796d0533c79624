package org.schedctl.domain.analytics;

import java.math.BigDecimal;

/**
 * One row of `analytics report` (keys of CLI.md first). {@code booked} counts every appointment that starts in
 * the period whatever its state now (holds are not appointments yet); {@code utilization} is booked minutes of
 * pending, confirmed or completed appointments over available minutes, capped to 0..1 and 0 when nothing was
 * available; {@code revenue} is the price of completed appointments; {@code fees} the cancellation fees not
 * waived. Money is in {@code currency}; when one row mixes currencies, revenue and fees are null (a sum over
 * currencies means nothing) and {@code currency} lists them, comma-separated.
 */
public record ReportRow(String period, String instructor, long booked, long completed, long cancelled, long noShow,
                        BigDecimal utilization, BigDecimal revenue, BigDecimal fees, String currency, long declined,
                        long bookedMinutes, long availableMinutes) {
}
