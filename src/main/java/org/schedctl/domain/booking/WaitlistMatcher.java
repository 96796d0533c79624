package org.schedctl.domain.booking;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/**
 * Who gets a freed slot: the entry that has waited longest (earliest created, then lowest id) among those still
 * waiting for that instructor and type whose window holds the whole slot. Entries with an open offer are
 * skipped, so one student never holds two offers; when an offer expires the caller marks it expired and asks
 * again, which passes the slot to the next in line.
 */
public final class WaitlistMatcher {
    private static final Comparator<WaitlistEntry> IN_LINE =
            Comparator.comparing(WaitlistEntry::createdAt).thenComparingLong(WaitlistEntry::id);

    private WaitlistMatcher() {
    }

    public static Optional<WaitlistEntry> firstInLine(FreedSlot slot, Collection<WaitlistEntry> entries) {
        return entries.stream()
                .filter(entry -> entry.status() == WaitlistStatus.WAITING)
                .filter(entry -> entry.fits(slot))
                .min(IN_LINE);
    }

    /**
     * When an offer made now lapses: after {@code offerTime}, but never after the slot starts, since an offer for a
     * session under way is worthless. Empty when the slot has already started, so no offer should be made.
     */
    public static Optional<Instant> offerExpiry(Instant now, Duration offerTime, Instant slotStart) {
        if (offerTime.isNegative() || offerTime.isZero()) {
            throw new IllegalArgumentException("offer time must be positive: " + offerTime);
        }
        if (!now.isBefore(slotStart)) {
            return Optional.empty();
        }
        Instant expiry = now.plus(offerTime);
        return Optional.of(expiry.isAfter(slotStart) ? slotStart : expiry);
    }
}
