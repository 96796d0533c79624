package org.schedctl.domain.booking;

import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;

/**
 * The {@code --idempotency-key} of a booking: a retried command with the same key returns the first booking
 * instead of making a second one. Keys are 1 to 200 visible ASCII characters (a UUID fits), so that they
 * print safely in logs and the history.
 */
public record IdempotencyKey(String value) {
    public static final int MAX_LENGTH = 200;

    public IdempotencyKey {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH
                || !value.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw new InvalidInputException("bad idempotency key '" + shorten(value) + "'. Use 1 to " + MAX_LENGTH
                    + " visible ASCII characters without spaces, e.g. a UUID");
        }
    }

    public static IdempotencyKey parse(String text) {
        return new IdempotencyKey(text);
    }

    /**
     * Decides a retry: the same request again is a replay (the caller returns the existing booking); the key
     * reused for a different request is a conflict, because returning the old booking would lie.
     */
    public void checkReplay(String existingReference, BookingRequest existing, BookingRequest retried) {
        if (!existing.equals(retried)) {
            throw new ConflictException("idempotency key '" + value + "' was already used for booking " + existingReference
                    + " with different details. Use a new key for a new booking");
        }
    }

    private static String shorten(String text) {
        if (text == null) {
            return "";
        }
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    @Override
    public String toString() {
        return value;
    }
}
