package org.schedctl.domain.availability;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Expands weekly rules into concrete instants, one local date at a time in each rule's own zone. */
public final class WeeklyPatterns {
    private WeeklyPatterns() {
    }

    /** The union of all rules' windows that intersect {@code range}, clipped to it. */
    public static IntervalSet expand(Collection<WeeklyRule> rules, Interval range) {
        List<Interval> windows = new ArrayList<>();
        for (WeeklyRule rule : rules) {
            // A day either side: a local date's window can reach into the neighbouring UTC days.
            LocalDate first = range.start().atZone(rule.zone()).toLocalDate().minusDays(1);
            LocalDate last = range.end().atZone(rule.zone()).toLocalDate().plusDays(1);
            if (rule.effectiveFrom() != null && rule.effectiveFrom().isAfter(first)) {
                first = rule.effectiveFrom();
            }
            if (rule.effectiveUntil() != null && rule.effectiveUntil().isBefore(last)) {
                last = rule.effectiveUntil();
            }
            for (LocalDate date = first.with(TemporalAdjusters.nextOrSame(rule.day()));
                 !date.isAfter(last); date = date.plus(1, ChronoUnit.WEEKS)) {
                Interval window = LocalTimes.window(date, rule.start(), rule.end(), rule.zone());
                if (window != null && window.overlaps(range)) {
                    windows.add(new Interval(
                            window.start().isBefore(range.start()) ? range.start() : window.start(),
                            window.end().isAfter(range.end()) ? range.end() : window.end()));
                }
            }
        }
        return IntervalSet.of(windows);
    }
}
