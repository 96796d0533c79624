package org.schedctl.domain.analytics;

import java.math.BigDecimal;

/**
 * One row of `analytics instructors`: how one instructor did over the range (appointments starting in it, in the
 * instructor's local days). Rates are fractions of {@code booked} (0..1); {@code avgRating} over completed
 * appointments with a rating; {@code medianConfirmMinutes} from booking to confirmation, over confirmed or later
 * appointments that were confirmed; {@code medianLeadHours} from booking to start; {@code utilization} as in
 * {@link Utilization}; {@code revenue} the completed appointments' prices (null when currencies mix).
 */
public record InstructorRow(String instructor, long booked, long completed, long noShow, long cancelled,
                            BigDecimal completionRate, BigDecimal noShowRate, BigDecimal avgRating,
                            BigDecimal medianConfirmMinutes, BigDecimal medianLeadHours, BigDecimal utilization,
                            BigDecimal revenue, String currency) {
}
