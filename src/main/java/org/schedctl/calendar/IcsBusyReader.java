package org.schedctl.calendar;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Period;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAmount;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import net.fortuna.ical4j.data.CalendarBuilder;
import net.fortuna.ical4j.data.ParserException;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.Recur;
import net.fortuna.ical4j.model.component.CalendarComponent;
import net.fortuna.ical4j.model.component.VEvent;
import net.fortuna.ical4j.model.property.DateProperty;
import net.fortuna.ical4j.transform.recurrence.Frequency;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.TimeInput.InstantRange;

/**
 * Reads the busy times of an external calendar: every VEVENT that is not TRANSP:TRANSPARENT and not
 * STATUS:CANCELLED, with RRULE and EXDATE expanded over a horizon and RECURRENCE-ID overrides replacing the
 * occurrence they name. All-day and floating times are read in the instructor's zone.
 *
 * <p>Local date-times are turned into instants with java.time's rules for the TZID (ical4j 4.0.7 gets some
 * offsets wrong, see {@link IcsWriter}); recurrences are expanded on local wall-clock time, so a weekly 09:00
 * stays at 09:00 across DST. Only a TZID that is not an IANA zone (a custom VTIMEZONE such as Outlook's
 * "Eastern Standard Time") falls back to the rules ical4j builds from the file's VTIMEZONE.
 *
 * <p>Bounded: the caller caps the file size; here events, occurrences per event and occurrences in total are
 * capped, and rules that repeat more often than hourly are refused. Every failure is one line.
 */
public final class IcsBusyReader {
    public static final int MAX_BYTES = 20 * 1024 * 1024;
    public static final int MAX_EVENTS = 20_000;
    public static final int MAX_OCCURRENCES_PER_EVENT = 2_000;
    public static final int MAX_OCCURRENCES = 50_000;
    /** ical4j holds the whole calendar as objects; this bounds their number (and memory) before it parses. */
    public static final int MAX_CONTENT_LINES = 400_000;
    /** Rules with old seeds cost time even with few results (ical4j steps from DTSTART); the whole file gets this. */
    public static final Duration MAX_EXPANSION_TIME = Duration.ofSeconds(30);

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuuMMdd");
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss");
    private static final Pattern FOLD = Pattern.compile("\r?\n[ \t]");
    private static final Pattern UNTIL_UTC = Pattern.compile("UNTIL=(\\d{8}T\\d{6})Z", Pattern.CASE_INSENSITIVE);

    /** One external event (a series master, or an override of one occurrence) and the busy ranges it yields. */
    public record BusyEvent(String uid, String recurrenceId, String summary, List<InstantRange> busy, String fingerprint) {
    }

    /** The busy events, and the (uid, recurrence-id) keys the file marks as free (cancelled or transparent). */
    public record Result(int eventsRead, List<BusyEvent> busy, Set<String> freedKeys) {
    }

    /** A point in time as written: a whole day, a local (floating or TZID) date-time, or an exact instant. */
    private record When(LocalDate date, LocalDateTime local, ZoneId zone) {
        boolean allDay() {
            return date != null;
        }

        LocalDateTime wallClock() {
            return allDay() ? date.atStartOfDay() : local;
        }
    }

    private final ZoneId instructorZone;
    private final InstantRange horizon;
    private final String fileName;
    private int occurrencesTotal;
    private long deadline;

    private final Duration expansionBudget;

    public IcsBusyReader(ZoneId instructorZone, InstantRange horizon, String fileName) {
        this(instructorZone, horizon, fileName, MAX_EXPANSION_TIME);
    }

    IcsBusyReader(ZoneId instructorZone, InstantRange horizon, String fileName, Duration expansionBudget) {
        this.instructorZone = instructorZone;
        this.horizon = horizon;
        this.fileName = fileName;
        this.expansionBudget = expansionBudget;
    }

    public static String key(String uid, String recurrenceId) {
        return uid + "\u0000" + recurrenceId;
    }

    public Result read(byte[] content) {
        try {
            return readChecked(content);
        } catch (InvalidInputException e) {
            throw e;
        } catch (RuntimeException e) {
            // Whatever else ical4j throws on a hostile or broken file is still that file's fault, not ours.
            throw new InvalidInputException(fileName + ": cannot read the calendar (" + oneLine(String.valueOf(e.getMessage()))
                    + "). Fix the file or export it again", e);
        }
    }

    private Result readChecked(byte[] content) {
        deadline = System.nanoTime() + expansionBudget.toNanos();
        if (content.length > MAX_BYTES) {
            throw new InvalidInputException(fileName + " is larger than " + (MAX_BYTES / 1024 / 1024)
                    + " MB. Export a shorter period from the calendar and import that");
        }
        prescan(content);
        Calendar calendar = parse(content);
        List<VEvent> events = new ArrayList<>();
        for (CalendarComponent component : calendar.getComponents()) {
            if (component instanceof VEvent event) {
                events.add(event);
                if (events.size() > MAX_EVENTS) {
                    throw new InvalidInputException(fileName + " has more than " + MAX_EVENTS
                            + " events. Export a shorter period from the calendar and import that");
                }
            }
        }
        // Overrides first, so a master's expansion can leave out the occurrences they replace or cancel.
        Map<String, Set<Instant>> overridden = new HashMap<>();
        for (VEvent event : events) {
            Optional<Property> recurrenceId = event.getProperty(Property.RECURRENCE_ID);
            if (recurrenceId.isPresent()) {
                Instant at = toInstant(when(recurrenceId.get(), uidOf(event)), uidOf(event));
                overridden.computeIfAbsent(uidOf(event), k -> new HashSet<>()).add(at);
            }
        }
        List<BusyEvent> busy = new ArrayList<>();
        Set<String> freed = new HashSet<>();
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (VEvent event : events) {
            String uid = uidOf(event);
            String recurrenceId = event.getProperty(Property.RECURRENCE_ID)
                    .map(p -> toInstant(when(p, uid), uid).toString()).orElse("");
            String key = key(uid, recurrenceId);
            if (seen.put(key, Boolean.TRUE) != null) {
                throw error(uid, "appears twice with the same UID and RECURRENCE-ID. Fix the file and import again");
            }
            if (isFree(event)) {
                freed.add(key);
                continue;
            }
            List<InstantRange> ranges = expand(event, uid, recurrenceId.isEmpty() ? overridden.getOrDefault(uid, Set.of()) : Set.of());
            if (ranges.isEmpty()) {
                freed.add(key);
                continue;
            }
            String summary = event.getProperty(Property.SUMMARY).map(Property::getValue).orElse(null);
            busy.add(new BusyEvent(uid, recurrenceId, summary, ranges, fingerprint(ranges)));
        }
        return new Result(events.size(), busy, freed);
    }

    /** Counts content lines and events on the unfolded text, so folding cannot hide them from the caps. */
    private void prescan(byte[] content) {
        String text = FOLD.matcher(new String(content, StandardCharsets.UTF_8)).replaceAll("");
        int lines = 0;
        int events = 0;
        int i = 0;
        int n = text.length();
        while (i < n) {
            int end = text.indexOf('\n', i);
            if (end < 0) {
                end = n;
            }
            if (end > i) {
                lines++;
                if (text.regionMatches(true, i, "BEGIN:VEVENT", 0, 12)) {
                    events++;
                }
            }
            if (lines > MAX_CONTENT_LINES) {
                throw new InvalidInputException(fileName + " has more than " + MAX_CONTENT_LINES
                        + " lines. Export a shorter period from the calendar and import that");
            }
            if (events > MAX_EVENTS) {
                throw new InvalidInputException(fileName + " has more than " + MAX_EVENTS
                        + " events. Export a shorter period from the calendar and import that");
            }
            i = end + 1;
        }
    }

    private Calendar parse(byte[] content) {
        try {
            return new CalendarBuilder().build(new ByteArrayInputStream(content));
        } catch (ParserException e) {
            throw new InvalidInputException(fileName + ":" + e.getLineNo() + ": not valid iCalendar ("
                    + oneLine(e.getMessage()) + "). Fix the file or export it again");
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException(fileName + ": not valid iCalendar (" + oneLine(e.getMessage())
                    + "). Fix the file or export it again");
        }
    }

    private static boolean isFree(VEvent event) {
        String transp = event.getProperty(Property.TRANSP).map(Property::getValue).orElse("OPAQUE");
        String status = event.getProperty(Property.STATUS).map(Property::getValue).orElse("");
        return "TRANSPARENT".equalsIgnoreCase(transp.trim()) || "CANCELLED".equalsIgnoreCase(status.trim());
    }

    private String uidOf(VEvent event) {
        Optional<String> uid = event.getProperty(Property.UID).map(Property::getValue).map(String::trim).filter(s -> !s.isEmpty());
        if (uid.isPresent()) {
            if (uid.get().length() > 1000) {
                throw new InvalidInputException(fileName + ": an event UID is longer than 1000 characters. Fix the file and import again");
            }
            return uid.get();
        }
        // RFC 5545 requires a UID; without one, the event's own content names it, so re-imports still match.
        String basis = event.getProperty(Property.DTSTART).map(Property::getValue).orElse("") + "|"
                + event.getProperty(Property.DTEND).map(Property::getValue).orElse("") + "|"
                + event.getProperty(Property.RRULE).map(Property::getValue).orElse("") + "|"
                + event.getProperty(Property.SUMMARY).map(Property::getValue).orElse("");
        return "no-uid-" + sha256(basis).substring(0, 32);
    }

    private List<InstantRange> expand(VEvent event, String uid, Set<Instant> overriddenStarts) {
        Property startProperty = event.getProperty(Property.DTSTART)
                .orElseThrow(() -> error(uid, "has no DTSTART. Fix the file and import again"));
        When start = when(startProperty, uid);
        TemporalAmount length = length(event, start, uid);
        if (length == null) {
            return List.of(); // a date-time event without DTEND or DURATION takes no time (RFC 5545 3.6.1)
        }
        Optional<Property> rrule = event.getProperty(Property.RRULE);
        List<LocalDateTime> starts = rrule.isPresent()
                ? occurrences(rrule.get().getValue(), start, length, uid)
                : List.of(start.wallClock());
        Set<Instant> excluded = new HashSet<>(overriddenStarts);
        for (Object exdate : event.getProperties(Property.EXDATE)) {
            excluded.addAll(exdates((Property) exdate, start, uid));
        }
        List<InstantRange> ranges = new ArrayList<>();
        for (LocalDateTime localStart : starts) {
            LocalDateTime localEnd = localStart.plus(length);
            Instant from = resolve(localStart, start);
            Instant to = resolve(localEnd, start);
            if (excluded.contains(from) || !to.isAfter(from)) {
                continue;
            }
            if (to.isAfter(horizon.start()) && from.isBefore(horizon.end())) {
                ranges.add(new InstantRange(from, to));
                if (++occurrencesTotal > MAX_OCCURRENCES) {
                    throw new InvalidInputException(fileName + " expands to more than " + MAX_OCCURRENCES
                            + " busy times. Export a shorter period from the calendar and import that");
                }
            }
        }
        return ranges;
    }

    /** The local starts of a rule's occurrences near the horizon, on wall-clock time in the event's zone. */
    private List<LocalDateTime> occurrences(String ruleText, When start, TemporalAmount length, String uid) {
        Recur<?> recur;
        try {
            recur = new Recur<>(localUntil(ruleText, start));
        } catch (RuntimeException e) {
            throw error(uid, "has a bad RRULE '" + shorten(ruleText) + "' (" + oneLine(e.getMessage()) + "). Fix the file and import again");
        }
        if (recur.getFrequency() == Frequency.SECONDLY || recur.getFrequency() == Frequency.MINUTELY) {
            throw error(uid, "repeats " + recur.getFrequency().name().toLowerCase(java.util.Locale.ROOT)
                    + ", which is not a busy time. Remove the RRULE or make it hourly or slower");
        }
        if (System.nanoTime() > deadline) {
            throw new InvalidInputException(fileName + " takes more than " + expansionBudget.toSeconds()
                    + " seconds to expand. Export a shorter period from the calendar and import that");
        }
        ZoneId zone = start.allDay() ? instructorZone : start.zone();
        // Widen by the event's length and a day of offsets, then keep what overlaps the horizon exactly.
        LocalDateTime windowStart = LocalDateTime.ofInstant(horizon.start(), zone).minus(length).minusDays(1);
        LocalDateTime windowEnd = LocalDateTime.ofInstant(horizon.end(), zone).plusDays(1);
        List<LocalDateTime> dates = new ArrayList<>();
        try {
            if (start.allDay()) {
                @SuppressWarnings("unchecked")
                Recur<LocalDate> daily = (Recur<LocalDate>) recur;
                daily.getDates(start.date(), windowStart.toLocalDate(), windowEnd.toLocalDate(), MAX_OCCURRENCES_PER_EVENT + 1)
                        .forEach(d -> dates.add(d.atStartOfDay()));
            } else {
                @SuppressWarnings("unchecked")
                Recur<LocalDateTime> timed = (Recur<LocalDateTime>) recur;
                dates.addAll(timed.getDates(start.wallClock(), windowStart, windowEnd, MAX_OCCURRENCES_PER_EVENT + 1));
            }
        } catch (RuntimeException e) {
            throw error(uid, "has an RRULE that cannot be expanded (" + oneLine(e.getMessage()) + "). Fix the file and import again");
        }
        if (dates.size() > MAX_OCCURRENCES_PER_EVENT) {
            throw error(uid, "repeats more than " + MAX_OCCURRENCES_PER_EVENT
                    + " times within the import horizon. Shorten the series or import a shorter period");
        }
        return dates;
    }

    /** UNTIL in UTC becomes the same instant on the event's wall clock, since the expansion runs on local time. */
    private String localUntil(String ruleText, When start) {
        Matcher m = UNTIL_UTC.matcher(ruleText);
        if (!m.find()) {
            return ruleText;
        }
        LocalDateTime utc = LocalDateTime.parse(m.group(1), DATE_TIME);
        ZoneId zone = start.allDay() ? instructorZone : start.zone();
        LocalDateTime local = utc.atZone(ZoneOffset.UTC).withZoneSameInstant(zone).toLocalDateTime();
        String value = start.allDay() ? DATE.format(local.toLocalDate()) : DATE_TIME.format(local);
        return m.replaceFirst("UNTIL=" + value);
    }

    private Set<Instant> exdates(Property exdate, When start, String uid) {
        Set<Instant> out = new HashSet<>();
        Optional<String> tzid = exdate.getParameter(Parameter.TZID).map(Parameter::getValue);
        for (String value : exdate.getValue().split(",")) {
            if (!value.isBlank()) {
                When when = when(value.trim(), tzid.orElse(null), exdate, uid);
                out.add(toInstant(when, uid));
            }
        }
        return out;
    }

    private TemporalAmount length(VEvent event, When start, String uid) {
        Optional<Property> end = event.getProperty(Property.DTEND);
        if (end.isPresent()) {
            When endWhen = when(end.get(), uid);
            if (start.allDay() != endWhen.allDay()) {
                throw error(uid, "mixes a date and a date-time in DTSTART and DTEND. Fix the file and import again");
            }
            if (start.allDay()) {
                Period days = Period.between(start.date(), endWhen.date());
                return days.isNegative() || days.isZero() ? null : days;
            }
            Duration exact = Duration.between(toInstant(start, uid), toInstant(endWhen, uid));
            return exact.isNegative() || exact.isZero() ? null : exact;
        }
        Optional<Property> duration = event.getProperty(Property.DURATION);
        if (duration.isPresent()) {
            TemporalAmount amount = ((net.fortuna.ical4j.model.property.Duration) duration.get()).getDuration();
            return isPositive(amount) ? amount : null;
        }
        return start.allDay() ? Period.ofDays(1) : null;
    }

    private static boolean isPositive(TemporalAmount amount) {
        if (amount instanceof Duration d) {
            return !d.isNegative() && !d.isZero();
        }
        if (amount instanceof Period p) {
            return !p.isNegative() && !p.isZero();
        }
        return false;
    }

    private When when(Property property, String uid) {
        String tzid = property.getParameter(Parameter.TZID).map(Parameter::getValue).orElse(null);
        String value;
        try {
            value = property.getValue();
        } catch (DateTimeException e) {
            // ical4j formats the value through the TZID's rules and fails when it knows no such zone
            throw error(uid, "uses time zone '" + shorten(tzid) + "' without a VTIMEZONE for it. Export the calendar with time zones");
        }
        return when(value, tzid, property, uid);
    }

    private When when(String value, String tzid, Property property, String uid) {
        String text = value.trim();
        try {
            if (text.length() == 8) {
                return new When(LocalDate.parse(text, DATE), null, instructorZone);
            }
            if (text.endsWith("Z") || text.endsWith("z")) {
                return new When(null, LocalDateTime.parse(text.substring(0, text.length() - 1), DATE_TIME), ZoneOffset.UTC);
            }
            LocalDateTime local = LocalDateTime.parse(text, DATE_TIME);
            return new When(null, local, tzid == null ? instructorZone : zoneOf(tzid, property, uid));
        } catch (DateTimeParseException e) {
            throw error(uid, "has a bad date-time '" + shorten(text) + "' in " + property.getName() + ". Fix the file and import again");
        }
    }

    private ZoneId zoneOf(String tzid, Property property, String uid) {
        String id = tzid.startsWith("/") ? tzid.substring(1) : tzid;
        if (ZoneId.getAvailableZoneIds().contains(id) && !id.startsWith("ical4j")) {
            return ZoneId.of(id);
        }
        try {
            if (property instanceof DateProperty<?> dated && dated.getDate() instanceof ZonedDateTime zoned) {
                return zoned.getZone(); // the file's own VTIMEZONE, as ical4j understood it
            }
        } catch (DateTimeException e) {
            // ical4j found neither an IANA zone nor a VTIMEZONE of that name: reported below
        }
        throw error(uid, "uses time zone '" + shorten(tzid) + "' without a VTIMEZONE for it. Export the calendar with time zones");
    }

    private Instant toInstant(When when, String uid) {
        return resolve(when.wallClock(), when);
    }

    /**
     * A wall-clock time in the event's zone. A time in a DST gap moves forward by the gap and a time in an
     * overlap takes the earlier offset, as RFC 5545 3.3.5 prescribes.
     */
    private Instant resolve(LocalDateTime wallClock, When reference) {
        ZoneId zone = reference.allDay() ? instructorZone : reference.zone();
        try {
            return ZonedDateTime.ofLocal(wallClock, zone, null).toInstant();
        } catch (DateTimeException e) {
            throw new InvalidInputException(fileName + ": date-time " + wallClock + " is out of range. Fix the file and import again");
        }
    }

    private InvalidInputException error(String uid, String message) {
        return new InvalidInputException(fileName + ": event '" + shorten(uid) + "' " + message);
    }

    static String fingerprint(List<InstantRange> ranges) {
        StringBuilder text = new StringBuilder();
        for (InstantRange r : ranges) {
            text.append(r.start()).append('/').append(r.end()).append('\n');
        }
        return sha256(text.toString());
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String shorten(String text) {
        String printable = text == null ? "" : text.replaceAll("\\p{Cntrl}", "?");
        return printable.length() > 80 ? printable.substring(0, 77) + "..." : printable;
    }

    private static String oneLine(String message) {
        return message == null ? "unreadable" : shorten(message.replaceAll("\\s+", " ").trim());
    }
}
