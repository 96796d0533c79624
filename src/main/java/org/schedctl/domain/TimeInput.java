package org.schedctl.domain;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.TemporalAccessor;
import java.time.zone.ZoneOffsetTransition;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Reads the instants, dates and date ranges users type, per CLI.md: ISO-8601 with an offset or Z is exact; a
 * local date-time is read in the given zone (--tz, else the instructor's), where a time skipped by a DST gap is
 * an error and a time that happens twice needs an offset. Nothing here consults the JVM's default zone.
 */
public final class TimeInput {

    /** A half-open span of time [start, end). */
    public record InstantRange(Instant start, Instant end) {
        public InstantRange {
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(end, "end");
            if (end.isBefore(start)) {
                throw new IllegalArgumentException("range ends before it starts: " + start + " .. " + end);
            }
        }

        public boolean contains(Instant instant) {
            return !instant.isBefore(start) && instant.isBefore(end);
        }
    }

    private static final DateTimeFormatter DATE_TIME = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
            .optionalStart().appendOffset("+HH:MM:ss", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HH", "Z").optionalEnd()
            .toFormatter()
            .withResolverStyle(ResolverStyle.STRICT);
    private static final Pattern SPACE_BETWEEN_DATE_AND_TIME = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2}) +(?=\\d)");
    private static final Pattern DATE_ONLY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final DateTimeFormatter HOUR_MINUTE = DateTimeFormatter.ofPattern("HH:mm");

    private TimeInput() {
    }

    /**
     * Reads an instant.
     *
     * @param zone where a local date-time is meant; may be null only if the text carries an offset
     */
    public static Instant parseInstant(String text, ZoneId zone) {
        Parsed parsed = parse(text, zone);
        if (parsed.instant() != null) {
            return parsed.instant();
        }
        if (zone == null) {
            throw new InvalidInputException("'" + text.trim() + "' has no offset and no time zone applies. "
                    + "Add an offset (e.g. " + parsed.local() + "Z) or give --tz");
        }
        return resolveLocal(parsed.local(), zone);
    }

    /**
     * A time option read at the command line: the {@link Parsed} time, or the text that is not one, whose refusal
     * names the zone it was to be read in ({@link #in}) once the command knows it.
     */
    public record Arg(String text, Parsed parsed) {
        public static Arg read(String text) {
            try {
                return new Arg(text, parse(text));
            } catch (InvalidInputException e) {
                return new Arg(text, null);
            }
        }

        public static Arg of(Instant instant) {
            return new Arg(instant.toString(), new Parsed(instant, null));
        }

        public boolean ok() {
            return parsed != null;
        }

        /** The parsed time, or the refusal of the text (read in no zone). */
        public Parsed get() {
            return parsed != null ? parsed : parse(text);
        }

        /** The instant, a local time read in {@code zone}; a bad text is refused naming {@code zone}. */
        public Instant in(ZoneId zone) {
            return parsed != null ? parsed.in(zone) : parseInstant(text, zone);
        }
    }

    /** A time as typed: exact ({@code instant}, it had an offset or Z) or local ({@code local}, it had none). */
    public record Parsed(Instant instant, LocalDateTime local) {
        /** The instant: exact as typed, or the local time read in {@code zone} (which a local time needs). */
        public Instant in(ZoneId zone) {
            if (instant != null) {
                return instant;
            }
            if (zone == null) {
                throw new InvalidInputException("'" + local + "' has no offset and no time zone applies. "
                        + "Add an offset (e.g. " + local + "Z) or give --tz");
            }
            return resolveLocal(local, zone);
        }
    }

    /**
     * Reads a time without deciding yet in which zone a local one is meant; the same errors as
     * {@link #parseInstant(String, ZoneId)} with no zone for text that is not a time at all.
     */
    public static Parsed parse(String text) {
        return parse(text, null);
    }

    private static Parsed parse(String text, ZoneId zone) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("missing time. Give e.g. 2027-03-14T09:00 or 2027-03-14T09:00-04:00");
        }
        String trimmed = text.trim();
        if (DATE_ONLY.matcher(trimmed).matches()) {
            throw new InvalidInputException("'" + trimmed + "' is a date without a time. Add the time, e.g. " + trimmed + "T09:00");
        }
        String normalised = SPACE_BETWEEN_DATE_AND_TIME.matcher(trimmed).replaceFirst("$1T");
        TemporalAccessor parsed;
        try {
            parsed = DATE_TIME.parseBest(normalised, OffsetDateTime::from, LocalDateTime::from);
        } catch (DateTimeParseException e) {
            throw new InvalidInputException("bad time '" + trimmed + "'. Use a local time like 2027-03-14T09:00"
                    + (zone == null ? "" : " (read in " + zone.getId() + ")")
                    + " or ISO-8601 with an offset like 2027-03-14T09:00-04:00 or 2027-03-14T13:00Z");
        }
        if (parsed instanceof OffsetDateTime exact) {
            return new Parsed(exact.toInstant(), null);
        }
        return new Parsed(null, (LocalDateTime) parsed);
    }

    /**
     * The instant of a local date-time in a zone: a gap time is an error naming the jump, an overlap time an error
     * naming both offsets that would make it exact.
     */
    public static Instant resolveLocal(LocalDateTime local, ZoneId zone) {
        List<ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
        if (offsets.size() == 1) {
            return local.toInstant(offsets.get(0));
        }
        ZoneOffsetTransition transition = zone.getRules().getTransition(local);
        if (offsets.isEmpty()) {
            throw new InvalidInputException(local + " does not exist in " + zone.getId() + " (clocks skip "
                    + HOUR_MINUTE.format(transition.getDateTimeBefore()) + "->" + HOUR_MINUTE.format(transition.getDateTimeAfter())
                    + "). Pick another time");
        }
        throw new InvalidInputException(local + " happens twice in " + zone.getId() + ". Add an offset: "
                + local + offsets.get(0) + " or " + local + offsets.get(1));
    }

    /** Reads a date in the form YYYY-MM-DD. */
    public static LocalDate parseDate(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("missing date. Give it as YYYY-MM-DD, e.g. 2027-03-14");
        }
        try {
            return LocalDate.parse(text.trim(), DateTimeFormatter.ISO_LOCAL_DATE.withResolverStyle(ResolverStyle.STRICT));
        } catch (DateTimeParseException e) {
            throw new InvalidInputException("bad date '" + text.trim() + "'. Give it as YYYY-MM-DD, e.g. 2027-03-14");
        }
    }

    /**
     * The instants of the whole days {@code from} to {@code to}, both inclusive, in a zone: from the first moment of
     * {@code from} to the first moment of the day after {@code to}. Days that start at 01:00 because of a DST gap at
     * midnight start at 01:00.
     */
    public static InstantRange dateRange(LocalDate from, LocalDate to, ZoneId zone) {
        Objects.requireNonNull(zone, "zone");
        if (to.isBefore(from)) {
            throw new InvalidInputException("the range ends on " + to + ", before it starts on " + from
                    + ". Give --from before --to (both days are included)");
        }
        try {
            return new InstantRange(from.atStartOfDay(zone).toInstant(), to.plusDays(1).atStartOfDay(zone).toInstant());
        } catch (DateTimeException e) {
            throw new InvalidInputException("dates " + from + " to " + to + " are out of range. Give dates between years 1 and 9999");
        }
    }

    /** {@link #dateRange(LocalDate, LocalDate, ZoneId)} from the text of --from and --to. */
    public static InstantRange dateRange(String from, String to, ZoneId zone) {
        return dateRange(parseDate(from), parseDate(to), zone);
    }
}
