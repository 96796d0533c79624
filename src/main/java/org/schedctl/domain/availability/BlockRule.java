package org.schedctl.domain.availability;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import org.schedctl.domain.InvalidInputException;

/**
 * A time block — extra availability or a blackout — from {@code start} to {@code end}, optionally
 * repeated by an RRULE in the local wall-clock time of {@code zone}: a weekly 09:00 block stays at
 * 09:00 local across DST. {@code exdates} are start instants of occurrences to leave out.
 */
public record BlockRule(Instant start, Instant end, ZoneId zone, RecurrenceRule rrule, List<Instant> exdates) {
    /** How far ahead occurrences are stored by default; a job extends it as time passes. */
    public static final int DEFAULT_HORIZON_MONTHS = 18;
    /** Occurrences per expansion; bounds time and memory for rules such as FREQ=HOURLY with a far UNTIL. */
    public static final int MAX_OCCURRENCES = 10_000;

    public BlockRule {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(zone, "zone");
        exdates = exdates == null ? List.of() : List.copyOf(exdates);
        if (!end.isAfter(start)) {
            throw new InvalidInputException("block end " + end + " is not after its start " + start
                    + ". Give an end after the start");
        }
    }

    /** A one-off or repeated block from exact instants; {@code rrule} may be null. */
    public static BlockRule of(Instant start, Instant end, ZoneId zone, String rrule) {
        return new BlockRule(start, end, zone, rrule == null || rrule.isBlank() ? null : RecurrenceRule.parse(rrule),
                List.of());
    }

    /** A block from user-given local times, which must exist and be unambiguous in {@code zone}. */
    public static BlockRule ofLocal(LocalDateTime start, LocalDateTime end, ZoneId zone, String rrule) {
        return of(LocalTimes.resolveStrict(start, zone), LocalTimes.resolveStrict(end, zone), zone, rrule);
    }

    /**
     * Refuses an EXDATE that names no occurrence of the rule before {@code horizon} (a typo would otherwise leave
     * the occurrence blocked without a word); one beyond the horizon cannot be checked yet and is kept.
     * {@code what} names the input in the message (--exdate, the CSV column).
     */
    public void requireExdatesNameOccurrences(Instant horizon, String what) {
        if (exdates.isEmpty()) {
            return;
        }
        if (rrule == null) {
            throw new InvalidInputException(what + " leaves out occurrences of a repeated block. Give an RRULE too, or leave out " + what);
        }
        Set<Instant> starts = new HashSet<>();
        for (Interval o : new BlockRule(start, end, zone, rrule, List.of()).occurrences(horizon)) {
            starts.add(o.start());
        }
        for (Instant x : exdates) {
            if (x.isBefore(horizon) && !starts.contains(x)) {
                throw new InvalidInputException(what + " " + x.atZone(zone).toLocalDateTime() + " (" + zone.getId()
                        + ") is not the start of an occurrence. Give the local date and start time of one, e.g. "
                        + start.atZone(zone).toLocalDateTime());
            }
        }
    }

    public static Instant defaultHorizon(Instant now) {
        return now.atOffset(ZoneOffset.UTC).plusMonths(DEFAULT_HORIZON_MONTHS).toInstant();
    }

    /** Every occurrence starting before {@code horizon}, sorted, distinct. */
    public List<Interval> occurrences(Instant horizon) {
        return horizon.isAfter(start) ? occurrences(new Interval(start, horizon)) : List.of();
    }

    /**
     * Occurrences whose start lies in {@code window} (e.g. the stretch a rolling-horizon job adds).
     * The first occurrence is the block as given; later ones keep its local start time and local
     * length, resolved with the window rules of {@link LocalTimes}; one starting in a DST gap moves
     * forward by the gap length, and two that land on the same instant count once.
     */
    public List<Interval> occurrences(Interval window) {
        TreeMap<Instant, Interval> byStart = new TreeMap<>();
        Set<Instant> excluded = new HashSet<>(exdates);
        if (window.contains(start) && !excluded.contains(start)) {
            byStart.put(start, new Interval(start, end));
        }
        if (rrule == null) {
            return List.copyOf(byStart.values());
        }
        LocalDateTime localStart = start.atZone(zone).toLocalDateTime();
        Duration localLength = Duration.between(localStart, end.atZone(zone).toLocalDateTime());
        Duration realLength = Duration.between(start, end);
        // A block that ends in the repeated hour can look shorter, even negative, in local time.
        Duration length = localLength.isNegative() || localLength.isZero() ? realLength : localLength;

        LocalDateTime lastLocal = window.end().atZone(zone).toLocalDateTime().plusDays(1);
        LocalDateTime untilBound = rrule.untilLocalBound(zone);
        if (untilBound != null && untilBound.plusDays(1).isBefore(lastLocal)) {
            lastLocal = untilBound.plusDays(1);
        }
        List<LocalDateTime> starts = rrule.localStarts(localStart, lastLocal, MAX_OCCURRENCES);
        if (starts.size() > MAX_OCCURRENCES) {
            throw new InvalidInputException("RRULE '" + rrule + "' gives more than " + MAX_OCCURRENCES
                    + " occurrences before " + window.end() + ". Repeat less often or end it sooner with UNTIL or COUNT");
        }
        for (LocalDateTime occurrenceLocal : starts) {
            Instant occurrenceStart = LocalTimes.windowStart(occurrenceLocal, zone);
            if (occurrenceLocal.equals(localStart) || rrule.endsBefore(occurrenceStart)
                    || !window.contains(occurrenceStart) || excluded.contains(occurrenceStart)) {
                continue;
            }
            // An occurrence whose start falls in a gap moves forward whole, keeping its length.
            Instant occurrenceEnd = LocalTimes.inGap(occurrenceLocal, zone)
                    ? occurrenceStart.plus(length)
                    : LocalTimes.windowEnd(occurrenceLocal.plus(length), zone);
            if (occurrenceEnd.isAfter(occurrenceStart)) {
                byStart.putIfAbsent(occurrenceStart, new Interval(occurrenceStart, occurrenceEnd));
            }
        }
        return List.copyOf(byStart.values());
    }
}
