package org.schedctl.domain.analytics;

import java.math.BigDecimal;

/**
 * One row of `analytics report --compare previous`: an instructor (or "(all)") over the range and over the
 * previous range of the same length that ends the day before. Rates are fractions of booked; utilization as in
 * {@link Utilization}; {@code bookedChange} is (booked - previous) / previous, null when previous is 0.
 */
public record ComparisonRow(String instructor, String period, String previousPeriod, long booked, long previousBooked,
                            BigDecimal bookedChange, long completed, long previousCompleted, BigDecimal cancellationRate,
                            BigDecimal previousCancellationRate, BigDecimal noShowRate, BigDecimal previousNoShowRate,
                            BigDecimal utilization, BigDecimal previousUtilization, BigDecimal revenue, BigDecimal previousRevenue,
                            String currency) {
}
