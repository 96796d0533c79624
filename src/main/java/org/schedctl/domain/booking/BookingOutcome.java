package org.schedctl.domain.booking;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a booking attempt came to, as a code rather than a message: the {@code outcome} column of
 * {@code book_appointment} (whose spelling {@link #code()} is), the same refusals found step by step in Java (holds,
 * {@code book --hold}, reschedule), and {@link #SLOT_TAKEN}, which no function returns: the exclusion constraint
 * {@code appointments_no_overlap} raising SQLSTATE 23P01. {@code BookingRefusals} maps every refusal to its exception.
 */
public enum BookingOutcome {
    UNKNOWN_INSTRUCTOR("unknown_instructor"),
    NOT_INSTRUCTOR("not_instructor"),
    UNKNOWN_TYPE("unknown_type"),
    TYPE_NOT_OFFERED("type_not_offered"),
    ARCHIVED("archived"),
    UNKNOWN_STUDENT("unknown_student"),
    SAME_USER("same_user"),
    IN_PAST("in_past"),
    UNAVAILABLE("unavailable"),
    SLOT_TAKEN("slot_taken"),
    EXISTING("existing"),
    BOOKED("booked");

    private static final Map<String, BookingOutcome> BY_CODE = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(BookingOutcome::code, Function.identity()));

    private final String code;

    BookingOutcome(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** Whether this outcome refuses the booking (everything but {@link #EXISTING} and {@link #BOOKED}). */
    public boolean refusal() {
        return this != EXISTING && this != BOOKED;
    }

    /** The outcome {@code book_appointment} named; an unknown code is a schema this build does not know. */
    public static BookingOutcome of(String code) {
        BookingOutcome outcome = code == null ? null : BY_CODE.get(code);
        if (outcome == null) {
            throw new IllegalStateException("book_appointment answered an outcome this build does not know: " + code);
        }
        return outcome;
    }
}
