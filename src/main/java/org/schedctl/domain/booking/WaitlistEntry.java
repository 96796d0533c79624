package org.schedctl.domain.booking;

import java.time.Instant;
import java.util.Objects;

/** A student waiting for a time of one instructor and type within [windowStart, windowEnd). */
public record WaitlistEntry(long id, long studentId, long instructorId, long typeId, Instant windowStart, Instant windowEnd,
                            Instant createdAt, WaitlistStatus status) {
    public WaitlistEntry {
        Objects.requireNonNull(windowStart, "windowStart");
        Objects.requireNonNull(windowEnd, "windowEnd");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(status, "status");
    }

    /** The whole session, not only its start, must fit the window the student asked for. */
    public boolean fits(FreedSlot slot) {
        return instructorId == slot.instructorId() && typeId == slot.typeId()
                && !slot.start().isBefore(windowStart) && !slot.end().isAfter(windowEnd);
    }
}
