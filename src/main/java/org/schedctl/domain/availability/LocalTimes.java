package org.schedctl.domain.availability;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.zone.ZoneOffsetTransition;
import java.util.List;

import org.schedctl.domain.InvalidInputException;

/**
 * The one place where local wall-clock times become instants. Two policies exist on purpose:
 * rule expansion must always produce a window (so it shifts gap times and widens over overlaps),
 * while user input must be exact (so a gap or an un-offset overlap time is an input error).
 */
public final class LocalTimes {
    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

    private LocalTimes() {
    }

    /** A window start: a gap time moves forward by the gap length; an overlap time takes the earlier offset. */
    public static Instant windowStart(LocalDateTime local, ZoneId zone) {
        return ZonedDateTime.of(local, zone).toInstant();
    }

    /** A window end: a gap time moves forward by the gap length; an overlap time takes the later offset. */
    public static Instant windowEnd(LocalDateTime local, ZoneId zone) {
        return ZonedDateTime.of(local, zone).withLaterOffsetAtOverlap().toInstant();
    }

    /**
     * 24:00, the end of a day, as the end of a weekly range: {@code LocalTime.MAX}, which PostgreSQL stores and the
     * driver reads back as {@code time '24:00'} (a weekly range cannot cross midnight, but may reach it).
     */
    public static final LocalTime END_OF_DAY = LocalTime.MAX;

    /** HH:MM, and 24:00 for {@link #END_OF_DAY}. */
    public static String hhmm(LocalTime time) {
        return time.equals(END_OF_DAY) ? "24:00" : String.format(java.util.Locale.ROOT, "%02d:%02d", time.getHour(), time.getMinute());
    }

    /** The local window [start, end) on one date, by the rules above; an end of 24:00 is the next midnight. */
    public static Interval window(LocalDate date, LocalTime start, LocalTime end, ZoneId zone) {
        Instant from = windowStart(date.atTime(start), zone);
        Instant until = windowEnd(end.equals(END_OF_DAY) ? date.plusDays(1).atStartOfDay() : date.atTime(end), zone);
        return until.isAfter(from) ? new Interval(from, until) : null;
    }

    /** Start of a local day; midnight may itself fall in a gap in some zones, hence atStartOfDay. */
    public static Instant startOfDay(LocalDate date, ZoneId zone) {
        return date.atStartOfDay(zone).toInstant();
    }

    /** The whole local days from..until (inclusive) as one interval, e.g. a vacation. */
    public static Interval days(LocalDate from, LocalDate until, ZoneId zone) {
        if (until.isBefore(from)) {
            throw new InvalidInputException("end date " + until + " is before start date " + from
                    + ". Give an end date on or after the start date");
        }
        return new Interval(startOfDay(from, zone), startOfDay(until.plusDays(1), zone));
    }

    /**
     * Exact resolution of a user-given local time: a time in a DST gap does not exist and one in an
     * overlap is ambiguous without an offset; both are input errors naming the alternatives.
     */
    public static Instant resolveStrict(LocalDateTime local, ZoneId zone) {
        List<ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
        if (offsets.size() == 1) {
            return local.toInstant(offsets.get(0));
        }
        ZoneOffsetTransition transition = zone.getRules().getTransition(local);
        if (offsets.isEmpty()) {
            throw new InvalidInputException("local time " + local + " does not exist in " + zone
                    + " (clocks jump from " + HH_MM.format(transition.getDateTimeBefore()) + " to "
                    + HH_MM.format(transition.getDateTimeAfter()) + "). Use a time outside the DST gap");
        }
        throw new InvalidInputException("local time " + local + " is ambiguous in " + zone
                + " (it occurs twice as clocks fall back). Add an offset, e.g. " + local + offsets.get(0)
                + " or " + local + offsets.get(1));
    }

    /** True when a local time does not occur in the zone (it lies in a DST gap). */
    public static boolean inGap(LocalDateTime local, ZoneId zone) {
        return zone.getRules().getValidOffsets(local).isEmpty();
    }
}
