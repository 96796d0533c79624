package org.schedctl.domain.availability;

import java.time.Instant;

/** A bookable session [start, end), without its buffers. */
public record Slot(Instant start, Instant end) {
}
