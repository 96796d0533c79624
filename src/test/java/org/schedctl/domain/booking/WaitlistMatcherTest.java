package org.schedctl.domain.booking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WaitlistMatcherTest {
    private static final long INSTRUCTOR = 10;
    private static final long TYPE = 20;
    private static final Instant DAY = Instant.parse("2027-03-15T00:00:00Z");
    private static final FreedSlot SLOT = new FreedSlot(INSTRUCTOR, TYPE, at(14, 0), at(15, 0));

    private static Instant at(int hour, int minute) {
        return DAY.plus(Duration.ofHours(hour).plusMinutes(minute));
    }

    private static WaitlistEntry entry(long id, Instant windowStart, Instant windowEnd, Instant created, WaitlistStatus status) {
        return new WaitlistEntry(id, 100 + id, INSTRUCTOR, TYPE, windowStart, windowEnd, created, status);
    }

    @Test
    void firstInLineWhoseWindowHoldsTheWholeSlot() {
        Instant early = DAY.minus(Duration.ofDays(3));
        List<WaitlistEntry> entries = List.of(
                entry(1, at(14, 30), at(18, 0), early, WaitlistStatus.WAITING),                    // slot starts before window
                entry(2, at(9, 0), at(14, 59), early, WaitlistStatus.WAITING),                     // slot ends after window
                entry(3, at(9, 0), at(18, 0), early, WaitlistStatus.OFFERED),                      // already has an offer
                entry(4, at(9, 0), at(18, 0), early.plusSeconds(60), WaitlistStatus.WAITING),
                entry(5, at(14, 0), at(15, 0), early.plusSeconds(30), WaitlistStatus.WAITING),     // exact fit, earlier
                entry(6, at(9, 0), at(18, 0), early, WaitlistStatus.REMOVED),
                new WaitlistEntry(7, 107, INSTRUCTOR, TYPE + 1, at(9, 0), at(18, 0), early, WaitlistStatus.WAITING),
                new WaitlistEntry(8, 108, INSTRUCTOR + 1, TYPE, at(9, 0), at(18, 0), early, WaitlistStatus.WAITING));
        assertEquals(5, WaitlistMatcher.firstInLine(SLOT, entries).orElseThrow().id());
    }

    @Test
    void equalCreationTimesGoByIdAndAnExpiredOfferPassesOn() {
        Instant created = DAY.minus(Duration.ofDays(1));
        WaitlistEntry first = entry(11, at(9, 0), at(18, 0), created, WaitlistStatus.WAITING);
        WaitlistEntry second = entry(12, at(9, 0), at(18, 0), created, WaitlistStatus.WAITING);
        assertEquals(11, WaitlistMatcher.firstInLine(SLOT, List.of(second, first)).orElseThrow().id());
        WaitlistEntry lapsed = entry(11, at(9, 0), at(18, 0), created, WaitlistStatus.EXPIRED);
        assertEquals(12, WaitlistMatcher.firstInLine(SLOT, List.of(second, lapsed)).orElseThrow().id());
        assertEquals(Optional.empty(), WaitlistMatcher.firstInLine(SLOT, List.of(lapsed)));
    }

    @Test
    void offerExpiry() {
        Instant now = at(9, 0);
        assertEquals(Optional.of(at(11, 0)), WaitlistMatcher.offerExpiry(now, Duration.ofHours(2), SLOT.start()));
        assertEquals(Optional.of(SLOT.start()), WaitlistMatcher.offerExpiry(at(13, 30), Duration.ofHours(2), SLOT.start()));
        assertEquals(Optional.empty(), WaitlistMatcher.offerExpiry(SLOT.start(), Duration.ofHours(2), SLOT.start()));
        assertThrows(IllegalArgumentException.class, () -> WaitlistMatcher.offerExpiry(now, Duration.ZERO, SLOT.start()));
    }

    @Test
    void slotsAndStatuses() {
        assertThrows(IllegalArgumentException.class, () -> new FreedSlot(1, 2, at(14, 0), at(14, 0)));
        assertEquals("waiting", WaitlistStatus.WAITING.dbValue());
        assertEquals(WaitlistStatus.OFFERED, WaitlistStatus.fromDb("offered"));
        assertTrue(entry(1, at(14, 0), at(15, 0), DAY, WaitlistStatus.WAITING).fits(SLOT));
    }
}
