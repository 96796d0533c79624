package org.schedctl.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/** The whole path: `book` writes the outbox in its transaction, `notifications send-due` delivers it over SMTP. */
class BookingNotificationsIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @RegisterExtension
    static final GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    /** Tuesday 2027-06-01 08:00 in New York. */
    private static final Instant NOW = Instant.parse("2027-06-01T12:00:00Z");

    private CliDriver cli(Instant now) {
        return db.cli().withClock(Clock.fixed(now, ZoneOffset.UTC))
                .withEnv("SCHEDCTL_SMTP_HOST", "127.0.0.1")
                .withEnv("SCHEDCTL_SMTP_PORT", String.valueOf(smtp.getSmtp().getPort()))
                .withEnv("SCHEDCTL_SMTP_FROM", "school@example.org");
    }

    @Test
    void aBookingsConfirmationAndReminderArriveByEmailAndInApp() throws Exception {
        CliDriver cli = cli(NOW);
        cli.run("user", "add", "--name", "Tina Teacher", "--email", "tina@example.org", "--role", "instructor", "--tz", "America/New_York").ok();
        cli.run("instructor", "settings", "tina@example.org", "--reminders", "24h", "--channels", "email,in_app").ok();
        db.database().useTransaction(h -> h.execute("""
                INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone)
                SELECT u.id, d, '09:00', '17:00', 'America/New_York' FROM users u, generate_series(1, 7) d
                WHERE u.email = 'tina@example.org'"""));
        cli.run("user", "add", "--name", "Stu Dent", "--email", "stu@example.org").ok();
        cli.run("type", "add", "--instructor", "tina@example.org", "--name", "Violin", "--slug", "violin", "--duration", "1h").ok();
        JsonNode booking = cli.run("-o", "json", "book", "--instructor", "tina@example.org", "--type", "violin",
                "--student", "stu@example.org", "--at", "2027-06-02T10:00:00-04:00").ok().json();
        String reference = booking.get("reference").asText();

        JsonNode first = cli.run("-o", "json", "notifications", "send-due").ok().json();
        assertEquals(first.get("claimed").asInt(), first.get("sent").asInt(), first.toString());
        MimeMessage[] mails = smtp.getReceivedMessages();
        assertEquals(Set.of("stu@example.org", "tina@example.org"), recipients(mails));
        for (MimeMessage mail : mails) {
            assertEquals("booked", mail.getHeader("X-Schedctl-Kind")[0]);
            assertTrue(mail.getHeader("X-Idempotency-Key")[0].startsWith(reference + ":booked:email:"));
            Multipart alternative = (Multipart) mail.getContent();
            assertTrue(alternative.getContentType().startsWith("multipart/alternative"), alternative.getContentType());
            assertTrue(alternative.getBodyPart(2).getContentType().contains("method=REQUEST"), alternative.getBodyPart(2).getContentType());
            String ics = GreenMailUtil.getBody(alternative.getBodyPart(2));
            assertTrue(ics.contains("UID:" + reference + "@schedctl"), ics);
            assertTrue(ics.contains("DTSTART:20270602T140000Z"), ics);
        }

        // The 24h reminder is due at 2027-06-01T14:00Z; nothing more goes out before.
        assertEquals(0, cli(NOW.plus(Duration.ofMinutes(119))).run("-o", "json", "notifications", "send-due").ok().json().get("claimed").asInt());
        JsonNode reminders = cli(NOW.plus(Duration.ofHours(2))).run("-o", "json", "notifications", "send-due").ok().json();
        assertEquals(4, reminders.get("sent").asInt(), "email and in-app, student and instructor: " + reminders);
        assertEquals(4, smtp.getReceivedMessages().length);

        JsonNode pending = cli.run("-o", "json", "notifications", "list", "--status", "pending").ok().json();
        assertEquals(0, pending.size(), pending.toString());
        JsonNode sent = cli.run("-o", "json", "notifications", "list", "--status", "sent").ok().json();
        assertEquals(8, sent.size(), sent.toString());
    }

    private static Set<String> recipients(MimeMessage[] mails) {
        return Arrays.stream(mails).map(m -> {
            try {
                return m.getAllRecipients()[0].toString().replaceAll(".*<(.*)>", "$1");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).collect(Collectors.toSet());
    }
}
