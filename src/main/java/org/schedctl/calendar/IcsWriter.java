package org.schedctl.calendar;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.TreeSet;

import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.TimeZone;
import net.fortuna.ical4j.model.TimeZoneRegistry;
import net.fortuna.ical4j.model.TimeZoneRegistryFactory;
import net.fortuna.ical4j.model.component.VEvent;
import net.fortuna.ical4j.model.parameter.Cn;
import net.fortuna.ical4j.model.parameter.PartStat;
import net.fortuna.ical4j.model.parameter.Role;
import net.fortuna.ical4j.model.parameter.TzId;
import net.fortuna.ical4j.model.property.Attendee;
import net.fortuna.ical4j.model.property.Description;
import net.fortuna.ical4j.model.property.DtEnd;
import net.fortuna.ical4j.model.property.DtStamp;
import net.fortuna.ical4j.model.property.DtStart;
import net.fortuna.ical4j.model.property.Location;
import net.fortuna.ical4j.model.property.Organizer;
import net.fortuna.ical4j.model.property.ProdId;
import net.fortuna.ical4j.model.property.Sequence;
import net.fortuna.ical4j.model.property.Status;
import net.fortuna.ical4j.model.property.Summary;
import net.fortuna.ical4j.model.property.Uid;
import net.fortuna.ical4j.model.property.immutable.ImmutableCalScale;
import net.fortuna.ical4j.model.property.immutable.ImmutableMethod;
import net.fortuna.ical4j.model.property.immutable.ImmutableVersion;
import org.schedctl.domain.calendar.ExportedAppointment;

/**
 * Appointments as an RFC 5545 VCALENDAR (METHOD:PUBLISH). Built with ical4j, which escapes TEXT values (so a
 * CRLF, ';' or ',' in a note stays inside its property) and quotes parameters; folded by {@link IcsFolding}.
 * The output depends only on its input and the given DTSTAMP, so golden files can compare it byte for byte.
 */
public final class IcsWriter {
    public static final String PRODID = "-//schedctl//schedctl calendar export//EN";
    private static final TimeZoneRegistry ZONES = TimeZoneRegistryFactory.getInstance().createRegistry();

    private IcsWriter() {
    }

    public static String write(List<ExportedAppointment> appointments, Instant dtstamp) {
        Calendar calendar = new Calendar();
        calendar.add(new ProdId(PRODID));
        calendar.add(ImmutableVersion.VERSION_2_0);
        calendar.add(ImmutableCalScale.GREGORIAN);
        calendar.add(ImmutableMethod.PUBLISH);
        TreeSet<String> zones = new TreeSet<>();
        for (ExportedAppointment a : appointments) {
            if (!isUtc(a.timezone())) {
                zones.add(a.timezone());
            }
        }
        for (String zone : zones) {
            TimeZone tz = ZONES.getTimeZone(zone);
            if (tz == null) {
                throw new IllegalStateException("no VTIMEZONE definition for " + zone);
            }
            calendar.add(tz.getVTimeZone());
        }
        for (ExportedAppointment a : appointments) {
            calendar.add(event(a, dtstamp));
        }
        return IcsFolding.fold(calendar.toString());
    }

    private static VEvent event(ExportedAppointment a, Instant dtstamp) {
        VEvent event = new VEvent(false);
        event.add(new Uid(a.reference() + "@schedctl"));
        event.add(new DtStamp(dtstamp));
        if (isUtc(a.timezone())) {
            event.add(new DtStart<>(a.start()));
            event.add(new DtEnd<>(a.end()));
        } else {
            // The local wall-clock value comes from java.time and TZID is set by hand: ical4j 4.0.7 derives zone
            // rules from its VTIMEZONE data and gets some of them wrong (9:00 on 2027-03-07 in New York, a week
            // before DST starts, comes out as 10:00), so a ZonedDateTime must not be handed to it.
            ZoneId zone = ZoneId.of(a.timezone());
            DtStart<LocalDateTime> start = new DtStart<>(LocalDateTime.ofInstant(a.start(), zone));
            start.add(new TzId(a.timezone()));
            DtEnd<LocalDateTime> end = new DtEnd<>(LocalDateTime.ofInstant(a.end(), zone));
            end.add(new TzId(a.timezone()));
            event.add(start);
            event.add(end);
        }
        event.add(new Summary(text(a.typeName() + " with " + a.instructorName())));
        event.add(new Description(text(description(a))));
        if (a.location() != null && !a.location().isBlank()) {
            event.add(new Location(text(a.location())));
        }
        event.add(new Status(status(a.status())));
        event.add(new Sequence(a.rescheduleCount()));
        Organizer organizer = new Organizer("mailto:" + a.instructor());
        organizer.add(new Cn(parameterText(a.instructorName())));
        event.add(organizer);
        Attendee attendee = new Attendee("mailto:" + a.student());
        attendee.add(new Cn(parameterText(a.studentName())));
        attendee.add(Role.REQ_PARTICIPANT);
        attendee.add(partStat(a.status()));
        event.add(attendee);
        return event;
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
            case "confirmed", "completed", "no_show" -> Status.VALUE_CONFIRMED;
            case "pending", "held" -> Status.VALUE_TENTATIVE;
            default -> Status.VALUE_CANCELLED;
        };
    }

    private static PartStat partStat(String appointmentStatus) {
        return switch (appointmentStatus) {
            case "confirmed", "completed", "no_show" -> PartStat.ACCEPTED;
            case "pending", "held" -> PartStat.NEEDS_ACTION;
            default -> PartStat.DECLINED;
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
