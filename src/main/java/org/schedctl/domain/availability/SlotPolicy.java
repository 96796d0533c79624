package org.schedctl.domain.availability;

import java.time.Duration;
import java.util.Objects;

import org.schedctl.domain.InvalidInputException;

/**
 * The rules of the requested appointment type and its instructor that shape slots.
 * {@code slotInterval} null means the duration; {@code maxAdvance} null means no limit;
 * {@code maxPerDay} and {@code maxConsecutive} of 0 mean no limit.
 */
public record SlotPolicy(Duration duration, Duration bufferBefore, Duration bufferAfter, Duration slotInterval,
                         Duration minNotice, Duration maxAdvance, int maxPerDay, int maxConsecutive) {

    public SlotPolicy {
        Objects.requireNonNull(duration, "duration");
        bufferBefore = bufferBefore == null ? Duration.ZERO : bufferBefore;
        bufferAfter = bufferAfter == null ? Duration.ZERO : bufferAfter;
        slotInterval = slotInterval == null ? duration : slotInterval;
        minNotice = minNotice == null ? Duration.ZERO : minNotice;
        if (duration.isNegative() || duration.isZero()) {
            throw new InvalidInputException("duration must be longer than zero. Give e.g. 30m");
        }
        if (slotInterval.isNegative() || slotInterval.isZero()) {
            throw new InvalidInputException("slot interval must be longer than zero. Give e.g. 15m, or leave it out to use the duration");
        }
        if (bufferBefore.isNegative() || bufferAfter.isNegative() || minNotice.isNegative()
                || (maxAdvance != null && maxAdvance.isNegative())) {
            throw new InvalidInputException("buffers, minimum notice and maximum advance cannot be negative. Give 0m or more");
        }
        if (maxPerDay < 0 || maxConsecutive < 0) {
            throw new InvalidInputException("max bookings per day and max consecutive cannot be negative. Give 0 for no limit");
        }
    }

    /** A policy with just a duration: no buffers, slots every duration, no limits. */
    public static SlotPolicy of(Duration duration) {
        return new SlotPolicy(duration, null, null, null, null, null, 0, 0);
    }
}
