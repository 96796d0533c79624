package org.schedctl.domain;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints durations in the forms CLI.md accepts: {@code 90m}, {@code 2h}, {@code 1d}, {@code 1h30m}, {@code PT1H30M}. */
public final class Durations {
    private static final Pattern COMPACT = Pattern.compile("(?:(\\d{1,6})d)?(?:(\\d{1,6})h)?(?:(\\d{1,7})m)?(?:(\\d{1,9})s)?");

    private Durations() {
    }

    /** Parses a duration; negative or malformed values are input errors naming the accepted forms. */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("missing duration. Use a form like 90m, 2h, 1d, 1h30m or PT1H30M");
        }
        String trimmed = text.trim();
        if (trimmed.startsWith("-")) {
            throw new InvalidInputException("negative duration '" + text + "'. Give a positive duration such as 30m");
        }
        if (trimmed.toUpperCase(Locale.ROOT).startsWith("P")) {
            try {
                Duration iso = Duration.parse(trimmed.toUpperCase(Locale.ROOT));
                if (iso.isNegative()) {
                    throw new InvalidInputException("negative duration '" + text + "'. Give a positive duration such as PT30M");
                }
                return iso;
            } catch (DateTimeParseException e) {
                throw invalid(text);
            }
        }
        Matcher m = COMPACT.matcher(trimmed.toLowerCase(Locale.ROOT));
        if (trimmed.isEmpty() || !m.matches()) {
            throw invalid(text);
        }
        Duration d = Duration.ZERO;
        if (m.group(1) != null) d = d.plusDays(Long.parseLong(m.group(1)));
        if (m.group(2) != null) d = d.plusHours(Long.parseLong(m.group(2)));
        if (m.group(3) != null) d = d.plusMinutes(Long.parseLong(m.group(3)));
        if (m.group(4) != null) d = d.plusSeconds(Long.parseLong(m.group(4)));
        return d;
    }

    /** Parses a duration that must be strictly positive (a session length, a hold time). */
    public static Duration parsePositive(String text, String what) {
        Duration d = parse(text);
        if (d.isZero()) {
            throw new InvalidInputException(what + " must be longer than zero, got '" + text + "'. Give e.g. 30m");
        }
        return d;
    }

    /** Compact form: {@code 1h30m}, {@code 45m}, {@code 2d}, {@code 0m}. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0m";
        }
        StringBuilder sb = new StringBuilder();
        long days = d.toDays();
        if (days > 0) sb.append(days).append('d');
        if (d.toHoursPart() > 0) sb.append(d.toHoursPart()).append('h');
        if (d.toMinutesPart() > 0) sb.append(d.toMinutesPart()).append('m');
        if (d.toSecondsPart() > 0) sb.append(d.toSecondsPart()).append('s');
        return sb.toString();
    }

    private static InvalidInputException invalid(String text) {
        return new InvalidInputException("bad duration '" + text + "'. Use a form like 90m, 2h, 1d, 1h30m or PT1H30M");
    }
}
