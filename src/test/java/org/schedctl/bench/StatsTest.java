package org.schedctl.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void medianOfOddCountIsTheMiddleSample() {
        assertEquals(3.0, Stats.median(List.of(9.0, 1.0, 3.0)));
    }

    @Test
    void medianOfEvenCountAveragesTheTwoMiddleSamples() {
        assertEquals(2.5, Stats.median(List.of(4.0, 1.0, 2.0, 3.0)));
    }

    @Test
    void percentileUsesNearestRank() {
        List<Double> hundred = new java.util.ArrayList<>();
        for (int i = 100; i >= 1; i--) {
            hundred.add((double) i);
        }
        assertEquals(99.0, Stats.percentile(hundred, 99));
        assertEquals(1.0, Stats.percentile(hundred, 1));
        assertEquals(100.0, Stats.percentile(List.of(5.0, 100.0), 99));
    }

    @Test
    void noSamplesIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> Stats.median(List.of()));
    }

    @Test
    void ratioIsOursOverAnchorAndAbsentWithoutAnchor() {
        assertEquals(0.25, Figure.rate("x", 25, "rows/s", 100, "rows/s", "anchor", 3).ratio());
        assertEquals(null, Figure.alone("p50", 4, "ms", false, 10).ratio());
    }
}
