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
            throw sameUser();
        }
    }

    /** Times in the past are refused before the database is asked, with the exact reason. */
    public void requireFuture(Instant now) {
        if (!start.isAfter(now)) {
            throw inPast(start, now);
        }
    }

    /** The refusal of a booking whose student is its instructor. */
    public static InvalidInputException sameUser() {
        return new InvalidInputException("the student and the instructor are the same user. "
                + "Book for a different student, or with a different instructor");
    }

    /** The refusal of a booking that starts at or before {@code now}. */
    public static InvalidInputException inPast(Instant start, Instant now) {
        return new InvalidInputException("the time " + start + " is in the past (now is " + now.truncatedTo(ChronoUnit.SECONDS)
                + "). Pick a future time");
    }
}
