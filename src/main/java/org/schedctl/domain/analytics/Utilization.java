package org.schedctl.domain.analytics;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * The one definition of utilization, used by the report (every format), the HTML charts and the instructors
 * view: booked minutes over available minutes, as a fraction 0..1 rounded to four places, capped at 1 (a session
 * booked outside the instructor's hours can make booked exceed available) and 0 when nothing was available.
 * Booked minutes are pending, confirmed or completed appointments' minutes, a group session's time counted once
 * however many seats it has; available minutes are the weekly patterns plus extra availability minus blocks and
 * vacations, in the instructor's local days (see R__65_analytics.sql).
 */
public final class Utilization {
    private Utilization() {
    }

    public static BigDecimal of(long bookedMinutes, long availableMinutes) {
        if (availableMinutes <= 0) {
            return BigDecimal.ZERO.setScale(4);
        }
        BigDecimal ratio = BigDecimal.valueOf(bookedMinutes).divide(BigDecimal.valueOf(availableMinutes), 4, RoundingMode.HALF_UP);
        return ratio.min(BigDecimal.ONE.setScale(4));
    }

    /** A fraction as people read it: 0.0938 is "9.4 %". */
    public static String percent(BigDecimal fraction) {
        return fraction == null ? "" : String.format(Locale.ROOT, "%.1f %%", fraction.doubleValue() * 100);
    }
}
