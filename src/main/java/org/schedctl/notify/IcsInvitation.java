package org.schedctl.notify;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.component.VEvent;
import net.fortuna.ical4j.model.property.Attendee;
import net.fortuna.ical4j.model.property.Organizer;
import net.fortuna.ical4j.model.property.ProdId;
import net.fortuna.ical4j.model.property.Uid;
import net.fortuna.ical4j.model.property.immutable.ImmutableCalScale;
import net.fortuna.ical4j.model.property.immutable.ImmutableMethod;
import net.fortuna.ical4j.model.property.immutable.ImmutableVersion;

/** The text/calendar invitation attached to booked, confirmed and rescheduled emails. */
final class IcsInvitation {
    private static final Set<String> KINDS = Set.of("booked", "confirmed", "rescheduled");

    private IcsInvitation() {
    }

    static boolean applies(OutboundMessage message) {
        return KINDS.contains(message.kind()) && message.appointmentReference() != null
                && message.startsAt() != null && message.endsAt() != null;
    }

    /** One VEVENT whose UID is the booking reference, so calendar clients update the same event on a reschedule. */
    static String render(OutboundMessage message) {
        String title = message.appointmentTitle() == null ? "Appointment " + message.appointmentReference()
                : MessageKeys.oneLine(message.appointmentTitle());
        VEvent event = new VEvent(message.startsAt(), message.endsAt(), title);
        event.add(new Uid(message.appointmentReference() + "@schedctl"));
        if (message.instructorEmail() != null) {
            event.add(new Organizer(URI.create("mailto:" + URLEncoder.encode(message.instructorEmail(), StandardCharsets.UTF_8).replace("%40", "@"))));
        }
        if (message.recipient() != null && message.recipient().indexOf('@') > 0) {
            event.add(new Attendee(URI.create("mailto:" + URLEncoder.encode(message.recipient(), StandardCharsets.UTF_8).replace("%40", "@"))));
        }
        Calendar calendar = new Calendar();
        calendar.add(new ProdId("-//schedctl//notifications//EN"));
        calendar.add(ImmutableVersion.VERSION_2_0);
        calendar.add(ImmutableCalScale.GREGORIAN);
        calendar.add(ImmutableMethod.REQUEST);
        calendar.add(event);
        return calendar.toString();
    }
}
