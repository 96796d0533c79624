package org.schedctl.domain.availability;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans how new weekly ranges join the stored ones: ranges of the same instructor, day, zone, type and effective
 * window that overlap or touch become one rule. The plan names the stored rules to delete, the merged rules to
 * insert, and how many new ranges were already covered (unchanged). With {@code replace}, the new ranges become the
 * whole weekly pattern of every instructor they name, and stored rules outside them are deleted.
 */
public final class WeeklyMerge {
    private WeeklyMerge() {
    }

    /** The group in which ranges merge. Zone is kept as its id so equal zones compare equal. */
    public record Group(long instructorId, DayOfWeek day, String zone, Long typeId, LocalDate effectiveFrom,
                        LocalDate effectiveUntil) {
    }

    /** A range to add (from a file line or a command). */
    public record Incoming(long line, Group group, LocalTime start, LocalTime end) {
    }

    /** A stored rule. */
    public record Stored(long id, Group group, LocalTime start, LocalTime end) {
    }

    /** A merged rule to insert. */
    public record Rule(Group group, LocalTime start, LocalTime end) {
    }

    public record Plan(List<Long> deleteIds, List<Rule> inserts, long unchanged) {
    }

    private record Range(LocalTime start, LocalTime end) {
    }

    public static Plan plan(List<Incoming> incoming, List<Stored> stored, boolean replace) {
        Map<Group, List<Range>> ranges = new HashMap<>();
        Set<Long> instructors = new HashSet<>();
        for (Incoming in : incoming) {
            ranges.computeIfAbsent(in.group(), g -> new ArrayList<>()).add(new Range(in.start(), in.end()));
            instructors.add(in.group().instructorId());
        }
        List<Stored> scope = new ArrayList<>();
        for (Stored s : stored) {
            boolean inScope = replace ? instructors.contains(s.group().instructorId()) : ranges.containsKey(s.group());
            if (inScope) {
                scope.add(s);
                if (!replace) {
                    ranges.get(s.group()).add(new Range(s.start(), s.end()));
                }
            }
        }
        Map<Group, List<Range>> merged = new HashMap<>();
        ranges.forEach((group, list) -> merged.put(group, merge(list)));

        Set<Rule> storedRules = new HashSet<>();
        List<Long> deletes = new ArrayList<>();
        Map<Group, List<Range>> kept = new HashMap<>();
        for (Stored s : scope) {
            List<Range> target = merged.get(s.group());
            Range range = new Range(s.start(), s.end());
            if (target != null && target.contains(range)) {
                storedRules.add(new Rule(s.group(), s.start(), s.end()));
                kept.computeIfAbsent(s.group(), g -> new ArrayList<>()).add(range);
            } else {
                deletes.add(s.id());
            }
        }
        List<Rule> inserts = new ArrayList<>();
        merged.forEach((group, list) -> {
            for (Range r : list) {
                Rule rule = new Rule(group, r.start(), r.end());
                if (!storedRules.contains(rule)) {
                    inserts.add(rule);
                }
            }
        });
        long unchanged = 0;
        for (Incoming in : incoming) {
            List<Range> keptRanges = kept.get(in.group());
            if (keptRanges != null && keptRanges.stream().anyMatch(r -> !r.start().isAfter(in.start()) && !r.end().isBefore(in.end()))) {
                unchanged++;
            }
        }
        return new Plan(deletes, inserts, unchanged);
    }

    /** Sorted, with overlapping or touching ranges joined. */
    private static List<Range> merge(List<Range> list) {
        list.sort(Comparator.comparing(Range::start).thenComparing(Range::end));
        List<Range> out = new ArrayList<>();
        Range current = null;
        for (Range r : list) {
            if (current != null && !r.start().isAfter(current.end())) {
                if (r.end().isAfter(current.end())) {
                    current = new Range(current.start(), r.end());
                }
            } else {
                if (current != null) {
                    out.add(current);
                }
                current = r;
            }
        }
        if (current != null) {
            out.add(current);
        }
        return out;
    }
}
