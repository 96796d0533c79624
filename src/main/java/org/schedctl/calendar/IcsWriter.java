package org.schedctl.calendar;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.schedctl.domain.calendar.ExportedAppointment;

/**
 * Appointments as an RFC 5545 VCALENDAR (METHOD:PUBLISH), written as a stream: {@link #begin}, one {@link #event} per
 * appointment, {@link #end}, so an export of any size needs memory for one event only. TEXT values are escaped (so a
 * CRLF, ';' or ',' in a note stays inside its property) and parameters quoted; lines are folded by {@link IcsFolding}. The output depends only on its input and the given DTSTAMP, so golden files can compare it
 * byte for byte.
 *
 * <p>Each VTIMEZONE is built from java.time's rules and carries only the transitions the file's events need (the
 * observance in force at the first event and every change up to the last), not the zone's history back to the
 * 1880s. A start or end that its local time cannot name unambiguously (the repeated hour of a fall-back day, which
 * RFC 5545 3.3.5 reads as the first occurrence) is written in UTC, so every instant survives the round trip.
 */
public final class IcsWriter {
    public static final String PRODID = "-//schedctl//schedctl calendar export//EN";
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss");

    /** The first start and last end of the events written with local times in one zone. */
    public record ZoneSpan(String zone, Instant first, Instant last) {
    }

    /** RFC 7986 calendar properties of a feed: a name, how often to refresh, and where it is published (may be null). */
    public record Feed(String name, java.time.Duration refresh, String source) {
    }

    private IcsWriter() {
    }

    /** The whole calendar as one string (small exports and tests); the same bytes as the streaming methods. */
    public static String write(List<ExportedAppointment> appointments, Instant dtstamp) {
        StringBuilder out = new StringBuilder();
        try {
            begin(out, spans(appointments), null);
            for (ExportedAppointment a : appointments) {
                event(out, a, dtstamp);
            }
            end(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** The zones the appointments are written in, with the span each must cover. */
    public static List<ZoneSpan> spans(List<ExportedAppointment> appointments) {
        Map<String, Instant[]> spans = new TreeMap<>();
        for (ExportedAppointment a : appointments) {
            Instant[] span = spans.computeIfAbsent(a.timezone(), z -> new Instant[] {a.start(), a.end()});
            span[0] = a.start().isBefore(span[0]) ? a.start() : span[0];
            span[1] = a.end().isAfter(span[1]) ? a.end() : span[1];
        }
        List<ZoneSpan> out = new ArrayList<>();
        spans.forEach((zone, span) -> out.add(new ZoneSpan(zone, span[0], span[1])));
        return out;
    }

    /** The calendar's head: its properties, a feed's RFC 7986 properties if given, and the VTIMEZONEs. */
    public static void begin(Appendable out, List<ZoneSpan> zones, Feed feed) throws IOException {
        StringBuilder head = new StringBuilder()
                .append("BEGIN:VCALENDAR\r\n")
                .append("PRODID:").append(PRODID).append("\r\n")
                .append("VERSION:2.0\r\n")
                .append("CALSCALE:GREGORIAN\r\n")
                .append("METHOD:PUBLISH\r\n");
        if (feed != null) {
            String name = escapeText(text(feed.name()));
            head.append("NAME:").append(name).append("\r\n");
            head.append("X-WR-CALNAME:").append(name).append("\r\n");
            long minutes = Math.max(1, feed.refresh().toMinutes());
            head.append("REFRESH-INTERVAL;VALUE=DURATION:PT").append(minutes).append("M\r\n");
            head.append("X-PUBLISHED-TTL:PT").append(minutes).append("M\r\n");
            if (feed.source() != null) {
                head.append("SOURCE;VALUE=URI:").append(feed.source()).append("\r\n");
            }
        }
        out.append(IcsFolding.fold(head.toString()));
        TreeMap<String, ZoneSpan> sorted = new TreeMap<>();
        for (ZoneSpan span : zones) {
            if (!isUtc(span.zone())) {
                sorted.merge(span.zone(), span, (a, b) -> new ZoneSpan(a.zone(),
                        a.first().isBefore(b.first()) ? a.first() : b.first(), a.last().isAfter(b.last()) ? a.last() : b.last()));
            }
        }
        for (ZoneSpan span : sorted.values()) {
            out.append(vtimezone(span));
        }
    }

    /** One VEVENT. */
    public static void event(Appendable out, ExportedAppointment a, Instant dtstamp) throws IOException {
        out.append(IcsFolding.fold(event(a, dtstamp)));
    }

    public static void end(Appendable out) throws IOException {
        out.append("END:VCALENDAR\r\n");
    }

    /**
     * A VTIMEZONE with the observance in force at {@code span.first()} (from the transition that began it) and one
     * sub-component per transition up to {@code span.last()}. Each onset is written in the offset before it, as
     * RFC 5545 3.6.5 requires.
     */
    static String vtimezone(ZoneSpan span) {
        ZoneId zone = ZoneId.of(span.zone());
        ZoneRules rules = zone.getRules();
        StringBuilder text = new StringBuilder().append("BEGIN:VTIMEZONE\r\n").append("TZID:").append(span.zone()).append("\r\n");
        ZoneOffsetTransition before = rules.previousTransition(span.first().plusNanos(1));
        if (before == null) {
            ZoneOffset offset = rules.getOffset(span.first());
            observance(text, rules.isDaylightSavings(span.first()), LocalDateTime.of(1601, 1, 1, 0, 0), offset, offset);
        } else {
            observance(text, rules.isDaylightSavings(before.getInstant()), before.getDateTimeBefore(),
                    before.getOffsetBefore(), before.getOffsetAfter());
        }
        ZoneOffsetTransition next = rules.nextTransition(span.first());
        while (next != null && !next.getInstant().isAfter(span.last())) {
            observance(text, rules.isDaylightSavings(next.getInstant()), next.getDateTimeBefore(),
                    next.getOffsetBefore(), next.getOffsetAfter());
            next = rules.nextTransition(next.getInstant());
        }
        text.append("END:VTIMEZONE\r\n");
        return IcsFolding.fold(text.toString());
    }

    private static void observance(StringBuilder text, boolean daylight, LocalDateTime onset, ZoneOffset from, ZoneOffset to) {
        String kind = daylight ? "DAYLIGHT" : "STANDARD";
        text.append("BEGIN:").append(kind).append("\r\n")
                .append("DTSTART:").append(LOCAL.format(onset)).append("\r\n")
                .append("TZOFFSETFROM:").append(offset(from)).append("\r\n")
                .append("TZOFFSETTO:").append(offset(to)).append("\r\n")
                .append("END:").append(kind).append("\r\n");
    }

    /** RFC 5545 UTC-OFFSET: +HHMM, with seconds only when there are any. */
    private static String offset(ZoneOffset offset) {
        int total = offset.getTotalSeconds();
        int abs = Math.abs(total);
        String text = (total < 0 ? "-" : "+") + String.format(java.util.Locale.ROOT, "%02d%02d", abs / 3600, abs / 60 % 60);
        return abs % 60 == 0 ? text : text + String.format(java.util.Locale.ROOT, "%02d", abs % 60);
    }

    /** TEXT value escaping of RFC 5545 3.3.11 for properties written by hand. */
    private static String escapeText(String value) {
        return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n");
    }

    /** True when the local time of {@code instant} in {@code zone} names another instant too (a repeated hour). */
    static boolean ambiguous(Instant instant, ZoneId zone) {
        return zone.getRules().getValidOffsets(LocalDateTime.ofInstant(instant, zone)).size() != 1;
    }

    /**
     * One VEVENT, unfolded. Written by hand rather than through ical4j's model: ical4j formats each TZID date
     * through its zone registry (a copy of every zone id per property), which made a 100,000-event export take
     * minutes. TEXT is escaped as RFC 5545 3.3.11 says; a parameter value holding ':', ';' or ',' is quoted.
     */
    private static String event(ExportedAppointment a, Instant dtstamp) {
        StringBuilder e = new StringBuilder(768).append("BEGIN:VEVENT\r\n");
        e.append("UID:").append(escapeText(a.reference() + "@schedctl")).append("\r\n");
        e.append("DTSTAMP:").append(utc(dtstamp)).append("\r\n");
        ZoneId zone = isUtc(a.timezone()) ? null : ZoneId.of(a.timezone());
        if (zone == null || ambiguous(a.start(), zone) || ambiguous(a.end(), zone)) {
            e.append("DTSTART:").append(utc(a.start())).append("\r\n");
            e.append("DTEND:").append(utc(a.end())).append("\r\n");
        } else {
            e.append("DTSTART;TZID=").append(a.timezone()).append(':').append(LOCAL.format(LocalDateTime.ofInstant(a.start(), zone))).append("\r\n");
            e.append("DTEND;TZID=").append(a.timezone()).append(':').append(LOCAL.format(LocalDateTime.ofInstant(a.end(), zone))).append("\r\n");
        }
        e.append("SUMMARY:").append(escapeText(text(a.typeName() + " with " + a.instructorName()))).append("\r\n");
        e.append("DESCRIPTION:").append(escapeText(text(description(a)))).append("\r\n");
        if (a.location() != null && !a.location().isBlank()) {
            e.append("LOCATION:").append(escapeText(text(a.location()))).append("\r\n");
        }
        e.append("STATUS:").append(status(a.status())).append("\r\n");
        e.append("SEQUENCE:").append(a.rescheduleCount()).append("\r\n");
        e.append("ORGANIZER;CN=").append(parameter(parameterText(a.instructorName()))).append(":mailto:").append(a.instructor()).append("\r\n");
        e.append("ATTENDEE;CN=").append(parameter(parameterText(a.studentName()))).append(";ROLE=REQ-PARTICIPANT;PARTSTAT=")
                .append(partStat(a.status())).append(":mailto:").append(a.student()).append("\r\n");
        return e.append("END:VEVENT\r\n").toString();
    }

    /**
     * A lesson series (issue 16) as ONE recurring VEVENT: DTSTART in the series' zone at its first planned local
     * time, the RRULE it was planned from (COUNT form), an EXDATE for every planned occurrence that is not (or no
     * longer) booked, and one override VEVENT (RECURRENCE-ID: the planned time) per occurrence that was moved.
     * {@code sequence} counts the series' changes (iTIP); {@code last} is the planned end of the last occurrence (the
     * VTIMEZONE covers up to there). {@code first} describes the event (names, type, notes).
     */
    public record SeriesEvent(String reference, String zone, String rule, LocalDateTime localStart, java.time.Duration length,
                              Instant last, List<LocalDateTime> excluded, List<Moved> moved, int sequence,
                              ExportedAppointment first) {
    }

    /** A moved occurrence: its planned local time and where it is now. */
    public record Moved(LocalDateTime planned, ExportedAppointment now) {
    }

    public static String series(SeriesEvent s, Instant dtstamp) {
        ZoneId zone = ZoneId.of(s.zone());
        Instant start = java.time.ZonedDateTime.ofLocal(s.localStart(), zone, null).toInstant();
        Instant last = s.last();
        for (Moved m : s.moved()) {
            last = m.now().end().isAfter(last) ? m.now().end() : last;
        }
        StringBuilder out = new StringBuilder();
        try {
            begin(out, List.of(new ZoneSpan(s.zone(), start, last)), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String uid = escapeText(s.reference() + "@schedctl");
        String tzid = ";TZID=" + s.zone() + ":";
        StringBuilder e = new StringBuilder().append("BEGIN:VEVENT\r\n");
        e.append("UID:").append(uid).append("\r\n");
        e.append("DTSTAMP:").append(utc(dtstamp)).append("\r\n");
        e.append("DTSTART").append(tzid).append(LOCAL.format(s.localStart())).append("\r\n");
        e.append("DURATION:").append(s.length()).append("\r\n");
        e.append("RRULE:").append(s.rule()).append("\r\n");
        for (LocalDateTime x : s.excluded()) {
            e.append("EXDATE").append(tzid).append(LOCAL.format(x)).append("\r\n");
        }
        common(e, s.first(), s.sequence(), "confirmed");
        e.append("END:VEVENT\r\n");
        for (Moved m : s.moved()) {
            ExportedAppointment a = m.now();
            e.append("BEGIN:VEVENT\r\n").append("UID:").append(uid).append("\r\n");
            e.append("DTSTAMP:").append(utc(dtstamp)).append("\r\n");
            e.append("RECURRENCE-ID").append(tzid).append(LOCAL.format(m.planned())).append("\r\n");
            e.append("DTSTART:").append(utc(a.start())).append("\r\n");
            e.append("DTEND:").append(utc(a.end())).append("\r\n");
            common(e, a, s.sequence(), a.status());
            e.append("END:VEVENT\r\n");
        }
        out.append(IcsFolding.fold(e.toString()));
        out.append("END:VCALENDAR\r\n");
        return out.toString();
    }

    private static void common(StringBuilder e, ExportedAppointment a, int sequence, String status) {
        e.append("SUMMARY:").append(escapeText(text(a.typeName() + " with " + a.instructorName()))).append("\r\n");
        e.append("DESCRIPTION:").append(escapeText(text(description(a)))).append("\r\n");
        if (a.location() != null && !a.location().isBlank()) {
            e.append("LOCATION:").append(escapeText(text(a.location()))).append("\r\n");
        }
        e.append("STATUS:").append(status(status)).append("\r\n");
        e.append("SEQUENCE:").append(sequence).append("\r\n");
        e.append("ORGANIZER;CN=").append(parameter(parameterText(a.instructorName()))).append(":mailto:").append(a.instructor()).append("\r\n");
        e.append("ATTENDEE;CN=").append(parameter(parameterText(a.studentName()))).append(";ROLE=REQ-PARTICIPANT;PARTSTAT=")
                .append(partStat(status)).append(":mailto:").append(a.student()).append("\r\n");
    }

    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private static String utc(Instant instant) {
        return UTC.format(instant);
    }

    private static String parameter(String value) {
        return value.indexOf(':') >= 0 || value.indexOf(';') >= 0 || value.indexOf(',') >= 0 ? '"' + value + '"' : value;
    }

    private static String description(ExportedAppointment a) {
        StringBuilder text = new StringBuilder()
                .append("Booking reference: ").append(a.reference()).append('\n')
                .append("Type: ").append(a.typeName()).append('\n')
                .append("Instructor: ").append(a.instructorName()).append(" <").append(a.instructor()).append(">\n")
                .append("Student: ").append(a.studentName()).append(" <").append(a.student()).append(">\n")
                .append("Status: ").append(a.status());
        if (a.notes() != null && !a.notes().isBlank()) {
            text.append('\n').append("Notes: ").append(a.notes());
        }
        return text.toString();
    }

    /** Calendar STATUS: only a definite booking is CONFIRMED; a no-show still took the time. */
    static String status(String appointmentStatus) {
        return switch (appointmentStatus) {
            case "confirmed", "completed", "no_show" -> "CONFIRMED";
            case "pending", "held" -> "TENTATIVE";
            default -> "CANCELLED";
        };
    }

    private static String partStat(String appointmentStatus) {
        return switch (appointmentStatus) {
            case "confirmed", "completed", "no_show" -> "ACCEPTED";
            case "pending", "held" -> "NEEDS-ACTION";
            default -> "DECLINED";
        };
    }

    /**
     * TEXT may hold line breaks (escaped as \\n by ical4j) and tabs, but no other control character (RFC 5545
     * 3.3.11); ical4j escapes only CRLF and LF, so a lone CR would end the content line. Every break becomes LF
     * and every other control character U+FFFD.
     */
    static String text(String value) {
        String breaks = value.replace("\r\n", "\n").replace('\r', '\n');
        StringBuilder out = new StringBuilder(breaks.length());
        breaks.codePoints().forEach(cp -> {
            if (cp == '\n' || cp == '\t' || !Character.isISOControl(cp)) {
                out.appendCodePoint(cp);
            } else {
                out.append('\uFFFD');
            }
        });
        return out.toString();
    }

    /** Parameter values cannot hold DQUOTE or control characters at all (RFC 5545 3.1), so they are replaced. */
    private static String parameterText(String text) {
        return text.replace('"', '\'').replaceAll("\\p{Cntrl}", " ");
    }

    private static boolean isUtc(String zone) {
        return zone.equals("UTC") || zone.equals("Etc/UTC") || ZoneId.of(zone).normalized().equals(ZoneOffset.UTC);
    }
}
