package org.schedctl.calendar;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.schedctl.domain.calendar.ExportedAppointment;

/** "Add to calendar" links for Google Calendar and Outlook, every parameter value URL-encoded. */
public final class CalendarLinks {
    private static final DateTimeFormatter GOOGLE_UTC = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter OUTLOOK_UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    /** Both links of one appointment. */
    public record Links(String reference, String google, String outlook) {
    }

    private CalendarLinks() {
    }

    public static Links of(ExportedAppointment a) {
        String title = a.typeName() + " with " + a.instructorName();
        String details = "Booking reference: " + a.reference()
                + (a.notes() == null || a.notes().isBlank() ? "" : "\nNotes: " + a.notes());
        Map<String, String> google = new LinkedHashMap<>();
        google.put("action", "TEMPLATE");
        google.put("text", title);
        google.put("dates", GOOGLE_UTC.format(a.start()) + "/" + GOOGLE_UTC.format(a.end()));
        google.put("details", details);
        if (a.location() != null && !a.location().isBlank()) {
            google.put("location", a.location());
        }
        google.put("ctz", a.timezone());
        Map<String, String> outlook = new LinkedHashMap<>();
        outlook.put("path", "/calendar/action/compose");
        outlook.put("rru", "addevent");
        outlook.put("subject", title);
        outlook.put("startdt", outlookTime(a.start()));
        outlook.put("enddt", outlookTime(a.end()));
        outlook.put("body", details);
        if (a.location() != null && !a.location().isBlank()) {
            outlook.put("location", a.location());
        }
        return new Links(a.reference(),
                "https://calendar.google.com/calendar/render?" + query(google),
                "https://outlook.live.com/calendar/0/deeplink/compose?" + query(outlook));
    }

    private static String outlookTime(Instant instant) {
        return OUTLOOK_UTC.format(instant);
    }

    private static String query(Map<String, String> parameters) {
        return parameters.entrySet().stream()
                // dates is digits, 'T', 'Z' and the '/' Google expects unencoded between start and end
                .map(e -> e.getKey() + "=" + (e.getKey().equals("dates") ? e.getValue() : encode(e.getValue())))
                .collect(Collectors.joining("&"));
    }

    /** Form encoding writes a space as '+'; %20 is read the same everywhere, '+' is not. */
    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
