package org.schedctl.domain.availability;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import net.fortuna.ical4j.model.Recur;
import net.fortuna.ical4j.transform.recurrence.Frequency;
import org.schedctl.domain.InvalidInputException;

/**
 * A validated RFC 5545 RRULE that repeats a time block, expanded in local wall-clock time.
 *
 * <p>ical4j does the calendar arithmetic. UNTIL is taken out before ical4j sees the rule and applied
 * here, because ical4j cannot combine a UTC UNTIL with local-time expansion (it fails with a cast
 * error) and because a UTC UNTIL must be compared on the instant line in the block's own zone.
 */
public final class RecurrenceRule {
    /** More repetitions than this is almost certainly a mistake, and it bounds expansion work. */
    public static final int MAX_COUNT = 10_000;

    private static final String EXAMPLE = "FREQ=WEEKLY;BYDAY=MO;COUNT=10";
    private static final DateTimeFormatter UNTIL_DATE = DateTimeFormatter.ofPattern("uuuuMMdd")
            .withResolverStyle(ResolverStyle.STRICT);
    private static final DateTimeFormatter UNTIL_LOCAL = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss")
            .withResolverStyle(ResolverStyle.STRICT);

    private final String text;
    private final Recur<LocalDateTime> recur;
    private final Instant untilInstant;
    private final LocalDateTime untilLocal;

    private RecurrenceRule(String text, Recur<LocalDateTime> recur, Instant untilInstant, LocalDateTime untilLocal) {
        this.text = text;
        this.recur = recur;
        this.untilInstant = untilInstant;
        this.untilLocal = untilLocal;
    }

    /** Parses strictly; every problem is an InvalidInputException with a one-line fix. */
    public static RecurrenceRule parse(String input) {
        if (input == null || input.isBlank()) {
            throw invalid(input, "it is empty");
        }
        String text = input.trim().toUpperCase(Locale.ROOT);
        if (text.startsWith("RRULE:")) {
            text = text.substring("RRULE:".length());
        }
        List<String> kept = new ArrayList<>();
        Set<String> names = new HashSet<>();
        String untilValue = null;
        for (String part : text.split(";", -1)) {
            if (part.isEmpty()) {
                continue;
            }
            int equals = part.indexOf('=');
            if (equals <= 0 || equals == part.length() - 1) {
                throw invalid(input, "'" + part + "' is not NAME=VALUE");
            }
            String name = part.substring(0, equals);
            if (!names.add(name)) {
                throw invalid(input, name + " is given twice");
            }
            if (name.equals("UNTIL")) {
                untilValue = part.substring(equals + 1);
            } else {
                kept.add(part);
            }
        }
        Recur<LocalDateTime> recur;
        try {
            recur = new Recur<>(String.join(";", kept), false);
        } catch (RuntimeException e) {
            throw invalid(input, describe(e));
        }
        Frequency frequency = recur.getFrequency();
        if (frequency == Frequency.SECONDLY || frequency == Frequency.MINUTELY) {
            throw new InvalidInputException("RRULE '" + input + "' repeats every " + frequency.name().toLowerCase(Locale.ROOT)
                    .replace("ly", "") + ", too often for a time block. Use FREQ=HOURLY or coarser");
        }
        forbiddenParts(input, frequency, kept, names);
        if (names.contains("INTERVAL") && recur.getInterval() < 1) {
            throw invalid(input, "INTERVAL must be 1 or more");
        }
        boolean hasCount = names.contains("COUNT");
        if (hasCount && untilValue != null) {
            throw invalid(input, "it has both COUNT and UNTIL (RFC 5545 allows one)");
        }
        if (!hasCount && untilValue == null) {
            throw new InvalidInputException("RRULE '" + input + "' never ends. Add UNTIL=YYYYMMDD or COUNT=N, e.g. "
                    + EXAMPLE);
        }
        if (hasCount && (recur.getCount() < 1 || recur.getCount() > MAX_COUNT)) {
            throw invalid(input, "COUNT must be between 1 and " + MAX_COUNT);
        }
        Instant untilInstant = null;
        LocalDateTime untilLocal = null;
        if (untilValue != null) {
            try {
                if (untilValue.endsWith("Z")) {
                    untilInstant = LocalDateTime.parse(untilValue.substring(0, untilValue.length() - 1), UNTIL_LOCAL)
                            .toInstant(ZoneOffset.UTC);
                } else if (untilValue.length() == 8) {
                    // A date UNTIL includes every occurrence on that local date.
                    untilLocal = LocalDate.parse(untilValue, UNTIL_DATE).atTime(23, 59, 59, 999_999_999);
                } else {
                    untilLocal = LocalDateTime.parse(untilValue, UNTIL_LOCAL);
                }
            } catch (DateTimeParseException e) {
                throw invalid(input, "UNTIL '" + untilValue + "' is not YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ");
            }
        }
        return new RecurrenceRule(text, recur, untilInstant, untilLocal);
    }

    /**
     * Rule parts RFC 5545 3.3.10 forbids with the frequency (ical4j accepts them and expands to one occurrence):
     * BYDAY with a number outside MONTHLY and YEARLY (and with BYWEEKNO), BYWEEKNO outside YEARLY, BYMONTHDAY with
     * WEEKLY, BYYEARDAY with DAILY, WEEKLY or MONTHLY, and BYSETPOS without another BYxxx part.
     */
    private static void forbiddenParts(String input, Frequency frequency, List<String> parts, Set<String> names) {
        String freq = frequency.name();
        for (String part : parts) {
            if (part.startsWith("BYDAY=") && part.substring(6).matches(".*[0-9].*")
                    && (!(freq.equals("MONTHLY") || freq.equals("YEARLY")) || names.contains("BYWEEKNO"))) {
                throw invalid(input, "BYDAY with a number ('" + part.substring(6) + "') is not allowed with FREQ=" + freq
                        + (names.contains("BYWEEKNO") ? " and BYWEEKNO" : "") + " (RFC 5545 3.3.10)");
            }
        }
        if (names.contains("BYWEEKNO") && !freq.equals("YEARLY")) {
            throw invalid(input, "BYWEEKNO is only allowed with FREQ=YEARLY (RFC 5545 3.3.10)");
        }
        if (names.contains("BYMONTHDAY") && freq.equals("WEEKLY")) {
            throw invalid(input, "BYMONTHDAY is not allowed with FREQ=WEEKLY (RFC 5545 3.3.10)");
        }
        if (names.contains("BYYEARDAY") && (freq.equals("DAILY") || freq.equals("WEEKLY") || freq.equals("MONTHLY"))) {
            throw invalid(input, "BYYEARDAY is not allowed with FREQ=" + freq + " (RFC 5545 3.3.10)");
        }
        if (names.contains("BYSETPOS") && names.stream().noneMatch(n -> n.startsWith("BY") && !n.equals("BYSETPOS"))) {
            throw invalid(input, "BYSETPOS needs another BYxxx part to select from (RFC 5545 3.3.10)");
        }
    }

    /** The rule as given, normalised to upper case and without an "RRULE:" prefix. */
    public String text() {
        return text;
    }

    /**
     * Local start times of the occurrences from {@code seed} (the first one) up to and including
     * {@code lastLocal}, never more than {@code limit + 1} so a caller can tell the limit was exceeded.
     * The UNTIL bound is applied here when it is local; a UTC UNTIL is applied by {@link #endsBefore}.
     */
    public List<LocalDateTime> localStarts(LocalDateTime seed, LocalDateTime lastLocal, int limit) {
        LocalDateTime end = untilLocal != null && untilLocal.isBefore(lastLocal) ? untilLocal : lastLocal;
        List<LocalDateTime> starts = new ArrayList<>();
        if (end.isBefore(seed)) {
            return starts;
        }
        List<LocalDateTime> dates = recur.getDates(seed, seed, end, limit + 1);
        for (LocalDateTime date : dates) {
            if (!date.isAfter(end)) {
                starts.add(date);
            }
        }
        return starts;
    }

    /** True when an occurrence starting at {@code start} lies past a UTC UNTIL. */
    public boolean endsBefore(Instant start) {
        return untilInstant != null && start.isAfter(untilInstant);
    }

    /** The latest local time an occurrence may start at in {@code zone}, for bounding expansion. */
    LocalDateTime untilLocalBound(ZoneId zone) {
        if (untilInstant != null) {
            return untilInstant.atZone(zone).toLocalDateTime();
        }
        return untilLocal;
    }

    private static String describe(RuntimeException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (message.startsWith("No enum constant")) {
            String value = message.substring(message.lastIndexOf('.') + 1);
            return "'" + value + "' is not a valid value";
        }
        if (e instanceof NumberFormatException) {
            return "a number is out of range or malformed (" + message.replace("For input string: ", "") + ")";
        }
        return message.replace('\n', ' ');
    }

    private static InvalidInputException invalid(String input, String problem) {
        return new InvalidInputException("bad RRULE '" + input + "': " + problem + ". Give an RFC 5545 rule such as "
                + EXAMPLE);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RecurrenceRule rule && rule.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
