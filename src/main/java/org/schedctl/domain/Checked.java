package org.schedctl.domain;

import java.util.Objects;
import java.util.function.Function;

/**
 * An option value read once, at the command line, into its type — or the refusal of what was typed, kept to be
 * reported where the command's rules place it. A service receives {@code Checked<ZoneId>}, never the text, yet a bad
 * --tz still loses to an unknown --instructor, as CLI.md orders the checks of {@code book}.
 */
public record Checked<T>(String text, T value, InvalidInputException error) {
    public Checked {
        Objects.requireNonNull(text, "text");
        if ((value == null) == (error == null)) {
            throw new IllegalArgumentException("a checked value has either a value or an error");
        }
    }

    /** {@code text} read by {@code parser}; an {@link InvalidInputException} is kept, not thrown. */
    public static <T> Checked<T> read(String text, Function<String, T> parser) {
        try {
            return new Checked<>(text, parser.apply(text), null);
        } catch (InvalidInputException e) {
            return new Checked<>(text, null, e);
        }
    }

    /** Null for an absent option. */
    public static <T> Checked<T> readOrNull(String text, Function<String, T> parser) {
        return text == null ? null : read(text, parser);
    }

    public static <T> Checked<T> of(T value) {
        return new Checked<>(String.valueOf(value), value, null);
    }

    public boolean ok() {
        return error == null;
    }

    /** The value, or the refusal of the text. */
    public T get() {
        if (error != null) {
            throw error;
        }
        return value;
    }
}
