package org.schedctl.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.schedctl.test.IcalJs;

/**
 * One golden file per invitation kind (src/test/resources/org/schedctl/notify/golden/KIND.ics), byte for byte, and
 * Mozilla's ical.js reading each: METHOD, SEQUENCE, the same UID, ORGANIZER and ATTENDEE with RSVP and PARTSTAT.
 * An IT because ical.js runs under Node (scripts/icaljs-check), like the calendar export's check.
 */
class InvitationGoldenIT {
    private static final Path GOLDEN = Path.of("src/test/resources/org/schedctl/notify/golden");
    private static final Instant SENT = Instant.parse("2027-06-01T12:00:30Z");

    /** The appointment at each step: booked (awaiting confirmation), moved once (confirmed), then cancelled. */
    private static MessageFacts facts(String kind, String status, int revision, Instant start) {
        return new MessageFacts(7, "K7QX2M4P:" + kind + ":email:3:0#" + revision, kind, "email", "stu@example.org",
                "Stu Dent", "en", "America/New_York", 1, null, null, "K7QX2M4P", status, start, start.plusSeconds(3600),
                "America/New_York", "Violin, grade 3; advanced", "Tina Teacher", "tina@example.org", "Stu Dent",
                "stu@example.org", revision, null, BigDecimal.ZERO, null, false, null, null, null, null, null);
    }

    @ParameterizedTest
    @CsvSource({
            "booked, pending, 0, 2027-06-02T14:00:00Z, REQUEST, TENTATIVE, TRUE",
            "rescheduled, confirmed, 1, 2027-06-03T15:30:00Z, REQUEST, CONFIRMED, TRUE",
            "cancelled, cancelled, 1, 2027-06-03T15:30:00Z, CANCEL, CANCELLED, FALSE"})
    void everyInvitationKindMatchesItsGoldenFileAndIcalJsReadsIt(String kind, String status, int revision, String start,
                                                                 String method, String eventStatus, String rsvp) throws IOException {
        IcsInvitation.Invitation invitation = IcsInvitation.of(facts(kind, status, revision, Instant.parse(start)), SENT);
        String ics = IcsInvitation.render(invitation);
        Path golden = GOLDEN.resolve(kind + ".ics");
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(golden, ics, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), ics, "regenerate with -Dgolden.update=true and review the diff");

        IcalJs.Read read = IcalJs.read(golden);
        assertEquals(method, read.calendar().get("method").asText());
        JsonNode event = read.event("K7QX2M4P@schedctl");
        assertEquals(start, event.get("start").asText());
        assertEquals(eventStatus, event.get("status").asText());
        assertEquals("cancelled".equals(kind) ? revision + 1 : revision, event.get("sequence").asInt());
        assertEquals("mailto:tina@example.org", event.get("organizer").asText());
        JsonNode attendee = event.get("attendees").get(0);
        assertEquals("mailto:stu@example.org", attendee.get("value").asText());
        assertEquals(rsvp, attendee.get("rsvp").asText());
        assertEquals("NEEDS-ACTION", attendee.get("partstat").asText());
    }
}
