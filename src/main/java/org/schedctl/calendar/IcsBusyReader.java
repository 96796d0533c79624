package org.schedctl.calendar;

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
import java.time.zone.ZoneRules;
import java.time.zone.ZoneRulesProvider;
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
import net.fortuna.ical4j.model.Recur;
import net.fortuna.ical4j.model.TimeZone;
import net.fortuna.ical4j.model.TimeZoneRegistry;
import net.fortuna.ical4j.model.TimeZoneRegistryFactory;
import net.fortuna.ical4j.model.component.CalendarComponent;
import net.fortuna.ical4j.model.component.VTimeZone;
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
    private static final Pattern UNTIL_UTC = Pattern.compile("UNTIL=(\\d{8}T\\d{6})Z", Pattern.CASE_INSENSITIVE);

    /** One external event (a series master, or an override of one occurrence) and the busy ranges it yields. */
    public record BusyEvent(String uid, String recurrenceId, String summary, List<InstantRange> busy, String fingerprint) {
    }

    /** The busy events, and the (uid, recurrence-id) keys the file marks as free (cancelled or transparent). */
    public record Result(int eventsRead, List<BusyEvent> busy, Set<String> freedKeys, List<String> warnings) {
        /** Every (uid, recurrence-id) key the file names, busy or free: what a re-import keeps. */
        public Set<String> keys() {
            Set<String> keys = new HashSet<>(freedKeys);
            busy.forEach(b -> keys.add(key(b.uid(), b.recurrenceId())));
            return keys;
        }
    }

    /** One unfolded content line: where it started, its name (upper case), parameters (names upper case), value. */
    record Line(int number, String name, Map<String, String> params, String value) {
        String param(String key) {
            return params.get(key);
        }
    }

    /** A VEVENT's properties as written, by name, in file order. */
    record Event(int line, Map<String, List<Line>> properties) {
        Optional<Line> first(String name) {
            List<Line> all = properties.get(name);
            return all == null || all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
        }

        List<Line> all(String name) {
            return properties.getOrDefault(name, List.of());
        }

        Optional<String> value(String name) {
            return first(name).map(Line::value);
        }
    }

    /** Properties a busy time depends on; every other property of an event is skipped unread. */
    private static final Set<String> USED = Set.of("UID", "DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE",
            "RECURRENCE-ID", "STATUS", "TRANSP", "SUMMARY");
    /** Optional date-time properties checked only to warn about them (they change nothing). */
    private static final Set<String> CHECKED_DATES = Set.of("CREATED", "LAST-MODIFIED", "DTSTAMP");

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
    private final List<String> warnings = new ArrayList<>();
    private final Map<String, String> vtimezones = new HashMap<>();
    private final Map<String, ZoneId> zones = new HashMap<>();

    private final Duration expansionBudget;
    private boolean transparentIsBusy;

    public IcsBusyReader(ZoneId instructorZone, InstantRange horizon, String fileName) {
        this(instructorZone, horizon, fileName, MAX_EXPANSION_TIME);
    }

    /**
     * Reads TRANSP:TRANSPARENT events as busy too (cancelled ones stay free): public-holiday calendars mark their
     * days transparent, and `closure import` wants exactly those days.
     */
    public IcsBusyReader withTransparentEvents() {
        transparentIsBusy = true;
        return this;
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
        List<Event> events = parse(new String(content, StandardCharsets.UTF_8));
        // Overrides first, so a master's expansion can leave out the occurrences they replace or cancel. An
        // all-day series is matched by date (Exchange writes its overrides as RECURRENCE-ID;TZID=... at midnight).
        Map<String, Set<Instant>> overridden = new HashMap<>();
        Map<String, Set<LocalDate>> overriddenDays = new HashMap<>();
        for (Event event : events) {
            Optional<Line> recurrenceId = event.first("RECURRENCE-ID");
            if (recurrenceId.isPresent()) {
                String uid = uidOf(event);
                When when = when(recurrenceId.get(), uid);
                overridden.computeIfAbsent(uid, k -> new HashSet<>()).add(toInstant(when, uid));
                overriddenDays.computeIfAbsent(uid, k -> new HashSet<>()).add(when.allDay() ? when.date() : when.local().toLocalDate());
            }
        }
        List<BusyEvent> busy = new ArrayList<>();
        Set<String> freed = new HashSet<>();
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (Event event : events) {
            String uid = uidOf(event);
            String recurrenceId = event.first("RECURRENCE-ID").map(p -> recurrenceKey(when(p, uid), uid)).orElse("");
            String key = key(uid, recurrenceId);
            if (seen.put(key, Boolean.TRUE) != null) {
                throw error(uid, "appears twice with the same UID and RECURRENCE-ID. Fix the file and import again");
            }
            if (isFree(event)) {
                freed.add(key);
                continue;
            }
            boolean master = recurrenceId.isEmpty();
            List<InstantRange> ranges = expand(event, uid, master ? overridden.getOrDefault(uid, Set.of()) : Set.of(),
                    master ? overriddenDays.getOrDefault(uid, Set.of()) : Set.of());
            if (ranges.isEmpty()) {
                freed.add(key);
                continue;
            }
            String summary = event.value("SUMMARY").orElse(null);
            busy.add(new BusyEvent(uid, recurrenceId, summary, ranges, fingerprint(ranges)));
        }
        return new Result(events.size(), busy, freed, List.copyOf(warnings));
    }

    /** An override's key: its date for a whole-day occurrence, else its instant. */
    private String recurrenceKey(When when, String uid) {
        return when.allDay() ? when.date().toString() : toInstant(when, uid).toString();
    }

    /**
     * Reads the file's structure: unfolds lines (counting them, so the caps hold whatever the folding), keeps each
     * VEVENT's properties and each VTIMEZONE's text, and skips the rest. A line that is not NAME[;PARAM]:VALUE is
     * skipped with a warning; a BEGIN without its END (or the reverse) fails the file.
     */
    private List<Event> parse(String text) {
        List<Event> events = new ArrayList<>();
        java.util.ArrayDeque<String> stack = new java.util.ArrayDeque<>();
        Map<String, List<Line>> current = null;
        int currentLine = 0;
        StringBuilder vtimezone = null;
        String vtimezoneId = null;
        boolean sawCalendar = false;
        int lines = 0;
        int n = text.length();
        int i = 0;
        int lineNo = 0;
        StringBuilder logical = new StringBuilder();
        while (i < n) {
            int startLine = ++lineNo;
            int end = lineEnd(text, i);
            logical.setLength(0);
            logical.append(text, i, end);
            i = next(text, end);
            while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) { // a folded continuation
                lineNo++;
                int e = lineEnd(text, i);
                logical.append(text, i + 1, e);
                i = next(text, e);
            }
            if (logical.length() == 0) {
                continue;
            }
            if (++lines > MAX_CONTENT_LINES) {
                throw new InvalidInputException(fileName + " has more than " + MAX_CONTENT_LINES
                        + " lines. Export a shorter period from the calendar and import that");
            }
            Line line = contentLine(logical.toString(), startLine);
            if (line == null) {
                warn(startLine, "skipped a line that is not NAME:VALUE");
                continue;
            }
            if (line.name().equals("BEGIN")) {
                String component = line.value().trim().toUpperCase(java.util.Locale.ROOT);
                if (stack.isEmpty() && !component.equals("VCALENDAR")) {
                    throw new InvalidInputException(fileName + ":" + startLine + ": not valid iCalendar (BEGIN:" + shorten(component)
                            + " outside BEGIN:VCALENDAR). Fix the file or export it again");
                }
                if (stack.size() > 20) {
                    throw new InvalidInputException(fileName + ":" + startLine + ": not valid iCalendar (components nested too deeply). Fix the file or export it again");
                }
                sawCalendar = true;
                if (stack.size() == 1 && component.equals("VEVENT")) {
                    current = new LinkedHashMap<>();
                    currentLine = startLine;
                    if (events.size() >= MAX_EVENTS) {
                        throw new InvalidInputException(fileName + " has more than " + MAX_EVENTS
                                + " events. Export a shorter period from the calendar and import that");
                    }
                } else if (stack.size() == 1 && component.equals("VTIMEZONE")) {
                    vtimezone = new StringBuilder();
                    vtimezoneId = null;
                }
                if (vtimezone != null) {
                    vtimezone.append(logical).append("\r\n");
                }
                stack.push(component);
                continue;
            }
            if (line.name().equals("END")) {
                String component = line.value().trim().toUpperCase(java.util.Locale.ROOT);
                if (stack.isEmpty() || !stack.peek().equals(component)) {
                    throw new InvalidInputException(fileName + ":" + startLine + ": not valid iCalendar (END:" + shorten(component)
                            + (stack.isEmpty() ? " without BEGIN" : " where END:" + stack.peek() + " belongs")
                            + "). Fix the file or export it again");
                }
                stack.pop();
                if (vtimezone != null) {
                    vtimezone.append(logical).append("\r\n");
                }
                if (stack.size() == 1 && component.equals("VEVENT")) {
                    events.add(new Event(currentLine, current));
                    current = null;
                } else if (stack.size() == 1 && component.equals("VTIMEZONE")) {
                    if (vtimezoneId != null) {
                        vtimezones.put(vtimezoneId, vtimezone.toString());
                    }
                    vtimezone = null;
                }
                continue;
            }
            if (vtimezone != null) {
                vtimezone.append(logical).append("\r\n");
                if (stack.size() == 2 && line.name().equals("TZID")) {
                    vtimezoneId = line.value().trim();
                }
                continue;
            }
            if (current != null && stack.size() == 2) {
                if (USED.contains(line.name())) {
                    current.computeIfAbsent(line.name(), k -> new ArrayList<>()).add(line);
                } else if (CHECKED_DATES.contains(line.name()) && !readableDateTime(line.value())) {
                    warn(startLine, "skipped " + line.name() + " '" + shorten(line.value()) + "', which is not a date-time");
                }
            }
        }
        if (!sawCalendar) {
            throw new InvalidInputException(fileName + ": not valid iCalendar (no BEGIN:VCALENDAR). Fix the file or export it again");
        }
        if (!stack.isEmpty()) {
            throw new InvalidInputException(fileName + ":" + lineNo + ": not valid iCalendar (BEGIN:" + stack.peek()
                    + " has no END). Fix the file or export it again");
        }
        return events;
    }

    private static int lineEnd(String text, int from) {
        int e = from;
        while (e < text.length() && text.charAt(e) != '\n' && text.charAt(e) != '\r') {
            e++;
        }
        return e;
    }

    private static int next(String text, int end) {
        if (end < text.length() && text.charAt(end) == '\r') {
            end++;
        }
        if (end < text.length() && text.charAt(end) == '\n') {
            end++;
        }
        return end;
    }

    /** NAME *(";" param) ":" value, with quoted parameter values; null when the line has no such shape. */
    static Line contentLine(String text, int number) {
        int i = 0;
        int n = text.length();
        while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '-')) {
            i++;
        }
        if (i == 0 || i == n) {
            return null;
        }
        String name = text.substring(0, i).toUpperCase(java.util.Locale.ROOT);
        Map<String, String> params = new HashMap<>();
        while (i < n && text.charAt(i) == ';') {
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                return null;
            }
            String key = text.substring(i + 1, eq).trim().toUpperCase(java.util.Locale.ROOT);
            i = eq + 1;
            StringBuilder value = new StringBuilder();
            while (i < n && text.charAt(i) != ';' && text.charAt(i) != ':') {
                if (text.charAt(i) == '"') {
                    int close = text.indexOf('"', i + 1);
                    if (close < 0) {
                        return null;
                    }
                    value.append(text, i + 1, close);
                    i = close + 1;
                } else {
                    value.append(text.charAt(i++));
                }
            }
            params.putIfAbsent(key, value.toString());
        }
        if (i >= n || text.charAt(i) != ':') {
            return null;
        }
        return new Line(number, name, params, text.substring(i + 1));
    }

    private static boolean readableDateTime(String value) {
        String v = value.trim();
        try {
            LocalDateTime t = LocalDateTime.parse(v.endsWith("Z") ? v.substring(0, v.length() - 1) : v, DATE_TIME);
            return t.getYear() >= 1;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private void warn(int line, String message) {
        if (warnings.size() < 100) {
            warnings.add(fileName + ":" + line + ": warning: " + message);
        } else if (warnings.size() == 100) {
            warnings.add(fileName + ": warning: more warnings left out");
        }
    }

    private boolean isFree(Event event) {
        String transp = event.value("TRANSP").orElse("OPAQUE");
        String status = event.value("STATUS").orElse("");
        return (!transparentIsBusy && "TRANSPARENT".equalsIgnoreCase(transp.trim())) || "CANCELLED".equalsIgnoreCase(status.trim());
    }

    private String uidOf(Event event) {
        Optional<String> uid = event.value("UID").map(String::trim).filter(s -> !s.isEmpty());
        if (uid.isPresent()) {
            if (uid.get().length() > 1000) {
                throw new InvalidInputException(fileName + ":" + event.line() + ": an event UID is longer than 1000 characters. Fix the file and import again");
            }
            return uid.get();
        }
        // RFC 5545 requires a UID; without one, the event's own content names it, so re-imports still match.
        String basis = event.value("DTSTART").orElse("") + "|" + event.value("DTEND").orElse("") + "|"
                + event.value("RRULE").orElse("") + "|" + event.value("SUMMARY").orElse("");
        return "no-uid-" + sha256(basis).substring(0, 32);
    }

    /**
     * The busy ranges of one event: DTSTART, every RRULE's occurrences and every RDATE, less EXDATEs and the
     * occurrences overrides replace (by instant, or by date for an all-day series).
     */
    private List<InstantRange> expand(Event event, String uid, Set<Instant> overriddenStarts, Set<LocalDate> overriddenDays) {
        Line startProperty = event.first("DTSTART")
                .orElseThrow(() -> error(uid, "has no DTSTART. Fix the file and import again"));
        When start = when(startProperty, uid);
        TemporalAmount length = length(event, start, uid);
        if (length == null) {
            return List.of(); // a date-time event without DTEND or DURATION takes no time (RFC 5545 3.6.1)
        }
        java.util.TreeMap<Instant, Instant> byStart = new java.util.TreeMap<>();
        List<Line> rules = event.all("RRULE");
        List<LocalDateTime> starts = new ArrayList<>();
        starts.add(start.wallClock());
        for (Line rule : rules) {
            starts.addAll(occurrences(rule.value(), start, length, uid));
        }
        Set<Instant> excluded = new HashSet<>(overriddenStarts);
        for (Line exdate : event.all("EXDATE")) {
            excluded.addAll(exdates(exdate, uid));
        }
        for (LocalDateTime localStart : starts) {
            Instant from = resolve(localStart, start);
            Instant to = resolve(localStart.plus(length), start);
            if (excluded.contains(from) || (start.allDay() && overriddenDays.contains(localStart.toLocalDate()))) {
                continue;
            }
            add(byStart, from, to);
        }
        for (Line rdate : event.all("RDATE")) {
            for (InstantRange r : rdates(rdate, start, length, uid)) {
                LocalDate day = LocalDateTime.ofInstant(r.start(), start.allDay() ? instructorZone : start.zone()).toLocalDate();
                if (!excluded.contains(r.start()) && !(start.allDay() && overriddenDays.contains(day))) {
                    add(byStart, r.start(), r.end());
                }
            }
        }
        List<InstantRange> ranges = new ArrayList<>();
        for (Map.Entry<Instant, Instant> e : byStart.entrySet()) {
            if (e.getValue().isAfter(horizon.start()) && e.getKey().isBefore(horizon.end())) {
                ranges.add(new InstantRange(e.getKey(), e.getValue()));
                if (++occurrencesTotal > MAX_OCCURRENCES) {
                    throw new InvalidInputException(fileName + " expands to more than " + MAX_OCCURRENCES
                            + " busy times. Export a shorter period from the calendar and import that");
                }
            }
        }
        return ranges;
    }

    private static void add(java.util.TreeMap<Instant, Instant> byStart, Instant from, Instant to) {
        if (to.isAfter(from)) {
            byStart.merge(from, to, (a, b) -> a.isAfter(b) ? a : b);
        }
    }

    /**
     * RDATE values: dates, date-times, or periods (start/end or start/duration). An unreadable RDATE is optional
     * data: skipped with a warning, the rest of the event stands.
     */
    private List<InstantRange> rdates(Line rdate, When start, TemporalAmount length, String uid) {
        List<InstantRange> out = new ArrayList<>();
        String tzid = rdate.param("TZID");
        for (String value : rdate.value().split(",")) {
            String v = value.trim();
            if (v.isEmpty()) {
                continue;
            }
            try {
                int slash = v.indexOf('/');
                if (slash > 0) {
                    When from = when(v.substring(0, slash), tzid, rdate, uid);
                    String second = v.substring(slash + 1);
                    Instant begin = toInstant(from, uid);
                    Instant finish = second.startsWith("P") || second.startsWith("+P") || second.startsWith("-P")
                            ? begin.plus(java.time.Duration.parse(second.startsWith("+") ? second.substring(1) : second))
                            : toInstant(when(second, tzid, rdate, uid), uid);
                    out.add(new InstantRange(begin, finish.isAfter(begin) ? finish : begin.plusNanos(1)));
                    continue;
                }
                When when = when(v, tzid, rdate, uid);
                if (when.allDay() != start.allDay()) {
                    throw new DateTimeException("a " + (when.allDay() ? "date" : "date-time") + " where DTSTART has a "
                            + (start.allDay() ? "date" : "date-time"));
                }
                Instant begin = toInstant(when, uid);
                out.add(new InstantRange(begin, resolve(when.wallClock().plus(length), when)));
            } catch (InvalidInputException | DateTimeException | ArithmeticException e) {
                warn(rdate.number(), "skipped RDATE value '" + shorten(v) + "' of event '" + shorten(uid) + "', which cannot be read");
            }
        }
        return out;
    }

    /** The local starts of a rule's occurrences near the horizon, on wall-clock time in the event's zone. */
    private List<LocalDateTime> occurrences(String ruleText, When start, TemporalAmount length, String uid) {
        Recur<?> recur;
        Matcher until = UNTIL_UTC.matcher(ruleText);
        Instant untilInstant = null;
        String text = ruleText;
        ZoneId zone = start.allDay() ? instructorZone : start.zone();
        if (until.find()) {
            // A UTC UNTIL is compared with each occurrence's instant (RFC 5545 3.3.10), not on the local clock,
            // where the repeated hour of a fall-back day would be cut off: expand to the day after, then filter.
            untilInstant = LocalDateTime.parse(until.group(1), DATE_TIME).toInstant(ZoneOffset.UTC);
            LocalDateTime bound = LocalDateTime.ofInstant(untilInstant, zone).plusDays(1);
            text = until.replaceFirst("UNTIL=" + (start.allDay() ? DATE.format(bound.toLocalDate()) : DATE_TIME.format(bound)));
        }
        try {
            recur = new Recur<>(text);
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
        if (untilInstant != null) {
            Instant last = untilInstant;
            dates.removeIf(d -> resolve(d, start).isAfter(last));
        }
        return dates;
    }

    private Set<Instant> exdates(Line exdate, String uid) {
        Set<Instant> out = new HashSet<>();
        String tzid = exdate.param("TZID");
        for (String value : exdate.value().split(",")) {
            if (!value.isBlank()) {
                try {
                    out.add(toInstant(when(value.trim(), tzid, exdate, uid), uid));
                } catch (InvalidInputException e) {
                    warn(exdate.number(), "skipped EXDATE value '" + shorten(value.trim()) + "' of event '" + shorten(uid)
                            + "', which cannot be read");
                }
            }
        }
        return out;
    }

    private TemporalAmount length(Event event, When start, String uid) {
        Optional<Line> end = event.first("DTEND");
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
        Optional<Line> duration = event.first("DURATION");
        if (duration.isPresent()) {
            TemporalAmount amount;
            try {
                amount = new net.fortuna.ical4j.model.property.Duration(new net.fortuna.ical4j.model.ParameterList(),
                        duration.get().value().trim()).getDuration();
            } catch (RuntimeException e) {
                throw error(uid, "has a bad DURATION '" + shorten(duration.get().value()) + "'. Fix the file and import again");
            }
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

    private When when(Line property, String uid) {
        return when(property.value(), property.param("TZID"), property, uid);
    }

    private When when(String value, String tzid, Line property, String uid) {
        String text = value.trim();
        try {
            if (text.length() == 8) {
                return new When(LocalDate.parse(text, DATE), null, instructorZone);
            }
            if (text.endsWith("Z") || text.endsWith("z")) {
                return new When(null, LocalDateTime.parse(text.substring(0, text.length() - 1), DATE_TIME), ZoneOffset.UTC);
            }
            LocalDateTime local = LocalDateTime.parse(text, DATE_TIME);
            return new When(null, local, tzid == null ? instructorZone : zoneOf(tzid, uid));
        } catch (DateTimeParseException e) {
            throw error(uid, "has a bad date-time '" + shorten(text) + "' in " + property.name() + " (line " + property.number()
                    + "). Fix the file and import again");
        }
    }

    /**
     * A TZID: an IANA zone (with or without a VTIMEZONE in the file; a leading '/' allowed), a Windows zone name
     * mapped through CLDR's windowsZones table, or else the file's own VTIMEZONE as ical4j reads it.
     */
    private ZoneId zoneOf(String tzid, String uid) {
        ZoneId known = zones.get(tzid);
        if (known != null) {
            return known;
        }
        String id = tzid.trim();
        id = id.startsWith("/") ? id.substring(1) : id;
        ZoneId zone = null;
        if (ZoneId.getAvailableZoneIds().contains(id)) {
            zone = ZoneId.of(id);
        } else if (WindowsZones.toIana(id) != null) {
            zone = ZoneId.of(WindowsZones.toIana(id));
        } else if (vtimezones.containsKey(tzid)) {
            zone = fileZone(tzid);
        }
        if (zone == null) {
            throw error(uid, "uses time zone '" + shorten(tzid) + "' without a VTIMEZONE for it. Export the calendar with time zones");
        }
        zones.put(tzid, zone);
        return zone;
    }

    /**
     * A custom VTIMEZONE of the file: ical4j builds its zone rules, which are published to java.time under an id
     * derived from the VTIMEZONE's text (so the same definition is registered once per process, however often it
     * is imported).
     */
    private ZoneId fileZone(String tzid) {
        String definition = vtimezones.get(tzid);
        String id = "schedctl-vtimezone~" + sha256(definition).substring(0, 24);
        synchronized (IcsBusyReader.class) {
            if (ZoneId.getAvailableZoneIds().contains(id)) {
                return ZoneId.of(id);
            }
            try {
                TimeZoneRegistry registry = TimeZoneRegistryFactory.getInstance().createRegistry();
                String text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//schedctl//import//EN\r\n" + definition + "END:VCALENDAR\r\n";
                Calendar calendar = new CalendarBuilder().build(new java.io.StringReader(text));
                for (CalendarComponent c : calendar.getComponents()) {
                    if (c instanceof VTimeZone vtz) {
                        registry.register(new TimeZone(vtz));
                    }
                }
                if (registry.getZoneRules().size() != 1) {
                    return null;
                }
                ZoneRules rules = registry.getZoneRules().values().iterator().next();
                ZoneRulesProvider.registerProvider(new ZoneRulesProvider() {
                    @Override
                    protected Set<String> provideZoneIds() {
                        return Set.of(id);
                    }

                    @Override
                    protected ZoneRules provideRules(String zoneId, boolean forCaching) {
                        return rules;
                    }

                    @Override
                    protected java.util.NavigableMap<String, ZoneRules> provideVersions(String zoneId) {
                        return new java.util.TreeMap<>(Map.of("1", rules));
                    }
                });
                return ZoneId.of(id);
            } catch (IOException | ParserException | RuntimeException e) {
                return null;
            }
        }
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
