package org.schedctl.domain.availability;

import java.time.ZoneId;
import java.util.List;
import java.util.Objects;

/**
 * Everything known about one instructor's time that slot computation needs, already loaded:
 * weekly rules (of every type; the calculator filters), expanded block occurrences, vacation
 * ranges (see {@link LocalTimes#days}) and the active bookings.
 */
public record InstructorCalendar(ZoneId zone, List<WeeklyRule> weeklyRules, IntervalSet available,
                                 IntervalSet unavailable, IntervalSet vacation, List<BusyBooking> bookings) {
    public InstructorCalendar {
        Objects.requireNonNull(zone, "zone");
        weeklyRules = List.copyOf(weeklyRules);
        available = available == null ? IntervalSet.empty() : available;
        unavailable = unavailable == null ? IntervalSet.empty() : unavailable;
        vacation = vacation == null ? IntervalSet.empty() : vacation;
        bookings = List.copyOf(bookings);
    }
}
