package org.schedctl.domain.booking;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.schedctl.domain.InvalidInputException;

/** What a {@code book} or {@code hold} command asks for, after names are resolved to ids. */
public record BookingRequest(long instructorId, long typeId, long studentId, Instant start) {
    public BookingRequest {
        Objects.requireNonNull(start, "start");
        if (instructorId == studentId) {
            throw new InvalidInputException("the student and the instructor are the same user. "
                    + "Book for a different student, or with a different instructor");
        }
    }

    /** Times in the past are refused before the database is asked, with the exact reason. */
    public void requireFuture(Instant now) {
        if (!start.isAfter(now)) {
            throw new InvalidInputException("the time " + start + " is in the past (now is " + now.truncatedTo(ChronoUnit.SECONDS)
                    + "). Pick a future time");
        }
    }
}
