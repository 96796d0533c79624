package org.schedctl.domain.availability;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * An immutable union of half-open intervals, kept normalised: sorted, disjoint, and with touching
 * intervals merged, so equal sets have equal representations. Every operation is one linear merge.
 */
public final class IntervalSet {
    private static final IntervalSet EMPTY = new IntervalSet(new Interval[0]);

    /** Sorted, disjoint, non-touching. Never exposed mutably. */
    private final Interval[] intervals;

    private IntervalSet(Interval[] normalised) {
        this.intervals = normalised;
    }

    public static IntervalSet empty() {
        return EMPTY;
    }

    public static IntervalSet of(Interval... intervals) {
        return of(Arrays.asList(intervals));
    }

    /** Normalises any collection: overlapping or touching members merge. */
    public static IntervalSet of(Collection<Interval> intervals) {
        if (intervals.isEmpty()) {
            return EMPTY;
        }
        Interval[] sorted = intervals.toArray(new Interval[0]);
        Arrays.sort(sorted);
        List<Interval> merged = new ArrayList<>(sorted.length);
        Instant runStart = sorted[0].start();
        Instant runEnd = sorted[0].end();
        for (int i = 1; i < sorted.length; i++) {
            Interval next = sorted[i];
            if (!next.start().isAfter(runEnd)) {
                if (next.end().isAfter(runEnd)) {
                    runEnd = next.end();
                }
            } else {
                merged.add(new Interval(runStart, runEnd));
                runStart = next.start();
                runEnd = next.end();
            }
        }
        merged.add(new Interval(runStart, runEnd));
        return new IntervalSet(merged.toArray(new Interval[0]));
    }

    public List<Interval> intervals() {
        return Collections.unmodifiableList(Arrays.asList(intervals));
    }

    public int size() {
        return intervals.length;
    }

    public boolean isEmpty() {
        return intervals.length == 0;
    }

    public Interval get(int index) {
        return intervals[index];
    }

    public IntervalSet union(IntervalSet other) {
        if (other.isEmpty()) return this;
        if (isEmpty()) return other;
        List<Interval> all = new ArrayList<>(intervals.length + other.intervals.length);
        // Merging two sorted arrays first keeps of() from re-sorting a nearly sorted input at n log n.
        int i = 0;
        int j = 0;
        while (i < intervals.length || j < other.intervals.length) {
            if (j == other.intervals.length
                    || (i < intervals.length && intervals[i].compareTo(other.intervals[j]) <= 0)) {
                all.add(intervals[i++]);
            } else {
                all.add(other.intervals[j++]);
            }
        }
        return of(all);
    }

    public IntervalSet minus(IntervalSet other) {
        if (isEmpty() || other.isEmpty()) return this;
        List<Interval> result = new ArrayList<>(intervals.length);
        int j = 0;
        for (Interval piece : intervals) {
            Instant cursor = piece.start();
            while (j < other.intervals.length && !other.intervals[j].end().isAfter(cursor)) {
                j++;
            }
            int k = j;
            while (k < other.intervals.length && other.intervals[k].start().isBefore(piece.end())) {
                Interval hole = other.intervals[k];
                if (hole.start().isAfter(cursor)) {
                    result.add(new Interval(cursor, hole.start()));
                }
                if (hole.end().isAfter(cursor)) {
                    cursor = hole.end();
                }
                if (!cursor.isBefore(piece.end())) {
                    break;
                }
                k++;
            }
            if (cursor.isBefore(piece.end())) {
                result.add(new Interval(cursor, piece.end()));
            }
        }
        return new IntervalSet(result.toArray(new Interval[0]));
    }

    public IntervalSet intersect(IntervalSet other) {
        if (isEmpty() || other.isEmpty()) return EMPTY;
        List<Interval> result = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < intervals.length && j < other.intervals.length) {
            Interval a = intervals[i];
            Interval b = other.intervals[j];
            Instant start = a.start().isAfter(b.start()) ? a.start() : b.start();
            Instant end = a.end().isBefore(b.end()) ? a.end() : b.end();
            if (start.isBefore(end)) {
                result.add(new Interval(start, end));
            }
            if (a.end().isBefore(b.end())) {
                i++;
            } else {
                j++;
            }
        }
        return new IntervalSet(result.toArray(new Interval[0]));
    }

    public IntervalSet clip(Interval range) {
        return intersect(of(range));
    }

    /** The member that contains the instant, or null; binary search. */
    public Interval containing(Instant instant) {
        int index = indexAtOrBefore(instant);
        return index >= 0 && intervals[index].contains(instant) ? intervals[index] : null;
    }

    /** The member that wholly contains the interval, or null. */
    public Interval enclosing(Interval interval) {
        int index = indexAtOrBefore(interval.start());
        return index >= 0 && intervals[index].encloses(interval) ? intervals[index] : null;
    }

    public boolean encloses(Interval interval) {
        return enclosing(interval) != null;
    }

    public boolean overlaps(Interval interval) {
        int index = indexAtOrBefore(interval.start());
        if (index >= 0 && intervals[index].overlaps(interval)) {
            return true;
        }
        return index + 1 < intervals.length && intervals[index + 1].overlaps(interval);
    }

    /** Index of the last member starting at or before the instant, or -1. */
    private int indexAtOrBefore(Instant instant) {
        int low = 0;
        int high = intervals.length - 1;
        int found = -1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (!intervals[mid].start().isAfter(instant)) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IntervalSet set && Arrays.equals(intervals, set.intervals);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(intervals);
    }

    @Override
    public String toString() {
        return Arrays.toString(intervals);
    }
}
