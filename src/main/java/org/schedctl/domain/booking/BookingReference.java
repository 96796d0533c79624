package org.schedctl.domain.booking;

import java.util.Locale;
import org.schedctl.domain.InvalidInputException;

/**
 * A booking reference as made by the database function generate_booking_reference(): eight characters from an
 * alphabet without 0, O, 1 and I, so that a reference read aloud or copied by hand stays unambiguous.
 * Input is forgiving about case, spaces and hyphens ({@code abcd-2345}); the value is always canonical.
 */
public record BookingReference(String value) {
    public static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    public static final int LENGTH = 8;

    public BookingReference {
        if (value == null || value.length() != LENGTH || !value.chars().allMatch(c -> ALPHABET.indexOf(c) >= 0)) {
            throw new IllegalArgumentException("not a canonical booking reference: " + value);
        }
    }

    /** Normalises user input into a reference, or explains what is wrong with it. */
    public static BookingReference parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("missing booking reference. Give the 8-character reference, e.g. ABCD2345");
        }
        String compact = text.replaceAll("[\\s-]", "").toUpperCase(Locale.ROOT);
        for (int i = 0; i < compact.length(); i++) {
            char c = compact.charAt(i);
            if (ALPHABET.indexOf(c) < 0) {
                String why = "01OI".indexOf(c) >= 0
                        ? "which references never use (they have no 0, O, 1 or I)"
                        : "which is not a letter or digit of a reference";
                throw new InvalidInputException("booking reference '" + text.strip() + "' contains '" + c + "', " + why
                        + ". Check the reference for a typo");
            }
        }
        if (compact.length() != LENGTH) {
            throw new InvalidInputException("booking reference '" + text.strip() + "' has " + compact.length()
                    + " characters, but references have " + LENGTH + ", e.g. ABCD2345. Check the reference for a typo");
        }
        return new BookingReference(compact);
    }

    @Override
    public String toString() {
        return value;
    }
}
