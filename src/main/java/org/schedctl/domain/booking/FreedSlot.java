package org.schedctl.domain.booking;

import java.time.Instant;
import java.util.Objects;

/** A time that became free by a cancel, decline, reschedule or expired hold: [start, end). */
public record FreedSlot(long instructorId, long typeId, Instant start, Instant end) {
    public FreedSlot {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("slot ends at " + end + ", not after its start " + start);
        }
    }
}
