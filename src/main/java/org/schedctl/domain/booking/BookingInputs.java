package org.schedctl.domain.booking;

import java.time.Duration;
import org.schedctl.domain.Durations;
import org.schedctl.domain.InvalidInputException;

/** Checks for the smaller flags of the lifecycle commands, with the limits the database also enforces. */
public final class BookingInputs {
    public static final Duration DEFAULT_HOLD = Duration.ofMinutes(10);
    public static final Duration MIN_HOLD = Duration.ofMinutes(1);
    /** Longer holds would let a student sit on a slot that others could book; a waitlist offer fits well within it. */
    public static final Duration MAX_HOLD = Duration.ofHours(24);
    public static final int MAX_NOTES = 4000;
    public static final int MAX_REASON = 1000;

    private BookingInputs() {
    }

    /** {@code hold --for D}; no flag means {@link #DEFAULT_HOLD}. */
    public static Duration holdDuration(String text) {
        if (text == null) {
            return DEFAULT_HOLD;
        }
        Duration hold = Durations.parse(text);
        if (hold.compareTo(MIN_HOLD) < 0 || hold.compareTo(MAX_HOLD) > 0) {
            throw new InvalidInputException("hold time '" + text + "' is out of range. Give 1m to 24h, e.g. 10m");
        }
        return hold;
    }

    /** {@code complete --rating}: 1 to 5, or none. */
    public static Integer rating(Integer rating) {
        if (rating != null && (rating < 1 || rating > 5)) {
            throw new InvalidInputException("rating " + rating + " is out of range. Give 1 to 5");
        }
        return rating;
    }

    /** Free text such as notes or a reason: blank means none, and overlong text is refused rather than cut. */
    public static String text(String what, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String trimmed = value.strip();
        if (trimmed.length() > maxLength) {
            throw new InvalidInputException(what + " is " + trimmed.length() + " characters long. Keep it to " + maxLength);
        }
        return trimmed;
    }
}
