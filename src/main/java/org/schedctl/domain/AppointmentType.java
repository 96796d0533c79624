package org.schedctl.domain;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/** A service offering of one instructor. Null buffers and windows fall back to the instructor's settings. */
public record AppointmentType(long id, long instructorId, String slug, String name, String description, Duration duration,
                              BigDecimal price, String currency, Duration bufferBefore, Duration bufferAfter,
                              Duration minNotice, Duration maxAdvance, Duration slotInterval, boolean requiresConfirmation,
                              int capacity, String cancelPolicy, String reschedulePolicy, String location,
                              Instant archivedAt, Instant createdAt) {
    public boolean archived() {
        return archivedAt != null;
    }
}
