package org.schedctl.notify;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Set;

import org.schedctl.calendar.IcsFolding;

/**
 * The iMIP (RFC 6047) calendar part of an email about an appointment, as RFC 5546 wants it: METHOD:REQUEST for a
 * booking, confirmation or move, METHOD:CANCEL for a cancel or decline. The UID is the booking reference for the
 * appointment's whole life; SEQUENCE is its reschedule count, one more on cancel, so a calendar client applies
 * every update in order. The instructor organizes; the student attends (RSVP=TRUE on requests).
 */
public final class IcsInvitation {
    private static final Set<String> REQUESTS = Set.of("booked", "confirmed", "rescheduled");
    private static final Set<String> CANCELS = Set.of("cancelled", "declined");
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** What the calendar part says; {@link #method()} is also the {@code method} parameter of its Content-Type. */
    public record Invitation(String method, String uid, int sequence, String status, Instant start, Instant end,
                             String summary, String organizerName, String organizerEmail, String attendeeName,
                             String attendeeEmail, Instant stamp) {
    }

    private IcsInvitation() {
    }

    /** The invitation an email of this kind carries, or null (reminders and the like carry none). */
    static Invitation of(MessageFacts f, Instant now) {
        boolean request = REQUESTS.contains(f.kind());
        if (!(request || CANCELS.contains(f.kind())) || f.appointmentReference() == null || f.startsAt() == null
                || f.endsAt() == null || f.instructorEmail() == null || f.studentEmail() == null) {
            return null;
        }
        String status = !request ? "CANCELLED" : "pending".equals(f.appointmentStatus()) ? "TENTATIVE" : "CONFIRMED";
        String title = f.appointmentTitle() == null ? "Appointment " + f.appointmentReference() : f.appointmentTitle();
        return new Invitation(request ? "REQUEST" : "CANCEL", f.appointmentReference() + "@schedctl",
                f.revision() + (request ? 0 : 1), status, f.startsAt(), f.endsAt(),
                f.instructorName() == null ? title : title + " — " + f.instructorName(),
                f.instructorName(), f.instructorEmail(), f.studentName(), f.studentEmail(), now);
    }

    /** The VCALENDAR text, CRLF line ends, folded at 75 octets. */
    public static String render(Invitation inv) {
        StringBuilder s = new StringBuilder();
        line(s, "BEGIN:VCALENDAR");
        line(s, "PRODID:-//schedctl//notifications//EN");
        line(s, "VERSION:2.0");
        line(s, "CALSCALE:GREGORIAN");
        line(s, "METHOD:" + inv.method());
        line(s, "BEGIN:VEVENT");
        line(s, "UID:" + text(inv.uid()));
        line(s, "SEQUENCE:" + inv.sequence());
        line(s, "DTSTAMP:" + UTC.format(inv.stamp()));
        line(s, "DTSTART:" + UTC.format(inv.start()));
        line(s, "DTEND:" + UTC.format(inv.end()));
        line(s, "SUMMARY:" + text(inv.summary()));
        line(s, "STATUS:" + inv.status());
        line(s, "ORGANIZER" + cn(inv.organizerName()) + ":" + mailto(inv.organizerEmail()));
        line(s, "ATTENDEE" + cn(inv.attendeeName()) + ";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP="
                + ("REQUEST".equals(inv.method()) ? "TRUE" : "FALSE") + ":" + mailto(inv.attendeeEmail()));
        line(s, "END:VEVENT");
        line(s, "END:VCALENDAR");
        return s.toString();
    }

    private static void line(StringBuilder s, String content) {
        s.append(IcsFolding.fold(content));
    }

    /** TEXT per RFC 5545 3.3.11, on one line. */
    private static String text(String value) {
        return MessageKeys.oneLine(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,");
    }

    /** A CN parameter, always quoted; DQUOTE cannot appear in a parameter value, so it is dropped. */
    private static String cn(String name) {
        return name == null || name.isBlank() ? "" : ";CN=\"" + MessageKeys.oneLine(name).replace("\"", "") + "\"";
    }

    private static String mailto(String email) {
        return "mailto:" + MessageKeys.oneLine(email);
    }
}
