package org.schedctl.domain.availability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class IntervalSetTest {
    private static final Instant BASE = Instant.parse("2027-01-01T00:00:00Z");

    private static Interval iv(int fromMinute, int toMinute) {
        return new Interval(BASE.plusSeconds(60L * fromMinute), BASE.plusSeconds(60L * toMinute));
    }

    @Test
    void intervalRejectsEmptyAndReversed() {
        assertThrows(IllegalArgumentException.class, () -> iv(5, 5));
        assertThrows(IllegalArgumentException.class, () -> iv(6, 5));
    }

    @Test
    void normalisationSortsAndMergesOverlappingAndTouching() {
        IntervalSet set = IntervalSet.of(iv(50, 60), iv(0, 10), iv(10, 20), iv(5, 15), iv(30, 40), iv(35, 36));
        assertEquals(List.of(iv(0, 20), iv(30, 40), iv(50, 60)), set.intervals());
    }

    @Test
    void unionMinusIntersectOnHandPickedCase() {
        IntervalSet a = IntervalSet.of(iv(0, 100), iv(200, 300));
        IntervalSet b = IntervalSet.of(iv(50, 60), iv(90, 210), iv(290, 400));
        assertEquals(IntervalSet.of(iv(0, 400)), a.union(b));
        assertEquals(IntervalSet.of(iv(0, 50), iv(60, 90), iv(210, 290)), a.minus(b));
        assertEquals(IntervalSet.of(iv(50, 60), iv(90, 100), iv(200, 210), iv(290, 300)), a.intersect(b));
        assertEquals(IntervalSet.of(iv(20, 100), iv(200, 250)), a.clip(iv(20, 250)));
    }

    @Test
    void holeSpanningSeveralPiecesRemovesThemAll() {
        IntervalSet a = IntervalSet.of(iv(0, 10), iv(20, 30), iv(40, 50), iv(60, 70));
        assertEquals(IntervalSet.of(iv(0, 5), iv(65, 70)), a.minus(IntervalSet.of(iv(5, 65))));
    }

    @Test
    void lookupsUseHalfOpenBounds() {
        IntervalSet set = IntervalSet.of(iv(0, 10), iv(20, 30));
        assertEquals(iv(20, 30), set.containing(BASE.plusSeconds(60 * 20)));
        assertNull(set.containing(BASE.plusSeconds(60 * 10)));
        assertTrue(set.encloses(iv(20, 30)));
        assertFalse(set.encloses(iv(5, 25)));
        assertFalse(set.overlaps(iv(10, 20)));
        assertTrue(set.overlaps(iv(9, 20)));
        assertTrue(set.overlaps(iv(10, 21)));
        assertFalse(IntervalSet.empty().overlaps(iv(0, 1)));
    }

    /** Checks the linear merges against a per-minute bitmap on random sets. */
    @Test
    void operationsAgreeWithMinuteBitmapOnRandomSets() {
        Random random = new Random(42);
        for (int round = 0; round < 500; round++) {
            int span = 200;
            boolean[] left = new boolean[span];
            boolean[] right = new boolean[span];
            IntervalSet a = randomSet(random, span, left);
            IntervalSet b = randomSet(random, span, right);
            boolean[] union = new boolean[span];
            boolean[] minus = new boolean[span];
            boolean[] intersect = new boolean[span];
            for (int i = 0; i < span; i++) {
                union[i] = left[i] || right[i];
                minus[i] = left[i] && !right[i];
                intersect[i] = left[i] && right[i];
            }
            assertEquals(fromBitmap(union), a.union(b), "union round " + round);
            assertEquals(fromBitmap(minus), a.minus(b), "minus round " + round);
            assertEquals(fromBitmap(intersect), a.intersect(b), "intersect round " + round);
        }
    }

    private static IntervalSet randomSet(Random random, int span, boolean[] bitmap) {
        List<Interval> parts = new ArrayList<>();
        int count = random.nextInt(6);
        for (int i = 0; i < count; i++) {
            int from = random.nextInt(span - 1);
            int to = from + 1 + random.nextInt(Math.min(40, span - from - 1) + 1);
            to = Math.min(to, span);
            parts.add(iv(from, to));
            for (int m = from; m < to; m++) {
                bitmap[m] = true;
            }
        }
        return IntervalSet.of(parts);
    }

    private static IntervalSet fromBitmap(boolean[] bitmap) {
        List<Interval> parts = new ArrayList<>();
        int i = 0;
        while (i < bitmap.length) {
            if (bitmap[i]) {
                int start = i;
                while (i < bitmap.length && bitmap[i]) {
                    i++;
                }
                parts.add(iv(start, i));
            } else {
                i++;
            }
        }
        return IntervalSet.of(parts);
    }
}
