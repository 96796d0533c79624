package org.schedctl.domain.availability;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * An existing active appointment (held, pending or confirmed): its session, and the interval it
 * blocks, i.e. the session widened by the buffers of ITS OWN type.
 */
public record BusyBooking(Interval session, Interval blocked) {
    public BusyBooking {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(blocked, "blocked");
        if (!blocked.encloses(session)) {
            throw new IllegalArgumentException("blocked interval " + blocked + " must enclose the session " + session);
        }
    }

    public static BusyBooking of(Instant start, Instant end, Duration bufferBefore, Duration bufferAfter) {
        return new BusyBooking(new Interval(start, end), new Interval(start.minus(bufferBefore), end.plus(bufferAfter)));
    }
}
