package org.schedctl.service;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;

import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.SchedException;
import org.schedctl.domain.booking.BookingOutcome;
import org.schedctl.domain.booking.BookingRequest;
import org.schedctl.store.SqlErrors;

/**
 * The one table from a refused {@link BookingOutcome} to the exception (and so the message and exit code) a person
 * sees, whichever path found the refusal: {@code book_appointment}'s outcome column, the step-by-step resolution of
 * holds, or the exclusion constraint (SQLSTATE 23P01 by {@code appointments_no_overlap}).
 */
public final class BookingRefusals {
    /**
     * The facts a refusal's message may name: the names as given, what the database found (a user's email and role,
     * a type's slug), the attempted step (e.g. "book 2027-03-15T10:00+01:00") and the reason a check gave, the
     * requested start and the time of the request, and the database error behind it, if any.
     */
    public record Refusal(BookingOutcome outcome, String instructor, String type, String student, String userEmail,
                          String userRole, String typeSlug, String attempt, String reason, Instant start, Instant now,
                          Throwable cause) {
        public static Refusal of(BookingOutcome outcome) {
            return new Refusal(outcome, null, null, null, null, null, null, null, null, null, null, null);
        }

        public Refusal names(String instructor, String type, String student) {
            return new Refusal(outcome, instructor, type, student, userEmail, userRole, typeSlug, attempt, reason, start, now, cause);
        }

        public Refusal found(String userEmail, String userRole, String typeSlug) {
            return new Refusal(outcome, instructor, type, student, userEmail, userRole, typeSlug, attempt, reason, start, now, cause);
        }

        public Refusal check(String attempt, String reason) {
            return new Refusal(outcome, instructor, type, student, userEmail, userRole, typeSlug, attempt, reason, start, now, cause);
        }

        public Refusal time(Instant start, Instant now) {
            return new Refusal(outcome, instructor, type, student, userEmail, userRole, typeSlug, attempt, reason, start, now, cause);
        }

        public Refusal cause(Throwable cause) {
            return new Refusal(outcome, instructor, type, student, userEmail, userRole, typeSlug, attempt, reason, start, now, cause);
        }
    }

    private static final Map<BookingOutcome, Function<Refusal, SchedException>> TABLE = new EnumMap<>(BookingOutcome.class);

    static {
        TABLE.put(BookingOutcome.UNKNOWN_INSTRUCTOR, r -> Lookups.userNotFound(r.instructor()));
        TABLE.put(BookingOutcome.NOT_INSTRUCTOR, r -> Lookups.notAnInstructor(r.userEmail(), r.userRole()));
        TABLE.put(BookingOutcome.UNKNOWN_TYPE, r -> Lookups.typeNotFound(r.type()));
        TABLE.put(BookingOutcome.TYPE_NOT_OFFERED, r -> new InvalidInputException("appointment type '" + r.typeSlug()
                + "' is not offered by " + r.userEmail() + ". See `schedctl type list --instructor " + r.userEmail() + "`"));
        TABLE.put(BookingOutcome.ARCHIVED, r -> new ConflictException("appointment type '" + r.typeSlug()
                + "' is archived and takes no new bookings. Pick another type"));
        TABLE.put(BookingOutcome.UNKNOWN_STUDENT, r -> Lookups.userNotFound(r.student()));
        TABLE.put(BookingOutcome.SAME_USER, r -> BookingRequest.sameUser());
        TABLE.put(BookingOutcome.IN_PAST, r -> BookingRequest.inPast(r.start(), r.now()));
        TABLE.put(BookingOutcome.UNAVAILABLE, r -> new ConflictException("cannot " + r.attempt() + ": " + r.reason()));
        TABLE.put(BookingOutcome.SLOT_TAKEN, r -> new ConflictException(
                SqlErrors.constraintMessage(SqlErrors.OVERLAP_CONSTRAINT), r.cause()));
    }

    private BookingRefusals() {
    }

    /** The exception for a refusal; asking for one of a non-refusal outcome is a programming error. */
    public static SchedException exception(Refusal refusal) {
        Function<Refusal, SchedException> entry = TABLE.get(refusal.outcome());
        if (entry == null) {
            throw new IllegalArgumentException(refusal.outcome() + " is not a refusal");
        }
        return entry.apply(refusal);
    }
}
