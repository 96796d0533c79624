package org.schedctl.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.service.NotificationService;
import org.schedctl.service.NotificationService.DispatchResult;
import org.schedctl.test.TestDatabase;

/** The dispatcher against real servers: PostgreSQL, an in-process SMTP server (GreenMail) and a local HTTP server. */
class NotificationDispatchIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @RegisterExtension
    static final GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final Instant T0 = Instant.parse("2027-03-13T09:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The tests share one database; each starts from an empty outbox so no row of another test is due. */
    @BeforeEach
    void emptyOutbox() {
        db.database().useTransaction(h -> h.execute("DELETE FROM appointment_notifications"));
    }

    private static Instant instant(Object timestamp) {
        return timestamp instanceof OffsetDateTime odt ? odt.toInstant() : ((java.sql.Timestamp) timestamp).toInstant();
    }

    @Test
    void emailArrivesWithKeyedHeadersAnInvitationAndNoInjectedHeaders() throws Exception {
        OutboxFixture outbox = new OutboxFixture(db, T0.plus(Duration.ofDays(2)));
        String student = (String) db.database().inTransaction(h -> h.createQuery("SELECT email FROM users WHERE id = :id")
                .bind("id", outbox.studentId).mapTo(String.class).one());
        long booked = outbox.notification("booked", "email", student, null, T0, "appt-" + outbox.appointmentId + "-booked");
        NotifyConfig config = OutboxFixture.config("smtp.host", "127.0.0.1", "smtp.port", String.valueOf(smtp.getSmtp().getPort()),
                "smtp.from", "School <school@example.org>");

        DispatchResult result = new NotificationService(db.database(), config, new OutboxFixture.MutableClock(T0)).sendDue();

        assertEquals(new DispatchResult(1, 1, 0, 0), result);
        MimeMessage[] received = smtp.getReceivedMessages();
        assertEquals(1, received.length, "an injected Bcc would have delivered a second copy");
        MimeMessage mail = received[0];
        assertNull(mail.getHeader("X-Injected"));
        assertNull(mail.getHeader("Bcc"));
        assertEquals(1, mail.getHeader("Subject").length);
        assertFalse(mail.getSubject().contains("\n") || mail.getSubject().contains("\r"), mail.getSubject());
        assertTrue(mail.getSubject().startsWith("Booked"), mail.getSubject());
        assertEquals(student, mail.getAllRecipients()[0].toString().replaceAll(".*<(.*)>", "$1"));
        assertEquals("appt-" + outbox.appointmentId + "-booked", mail.getHeader("X-Idempotency-Key")[0]);
        assertEquals(MessageKeys.messageId("appt-" + outbox.appointmentId + "-booked"), mail.getMessageID());

        Multipart parts = (Multipart) mail.getContent();
        assertEquals(3, parts.getCount(), "text, HTML and the iMIP part");
        assertTrue(parts.getContentType().startsWith("multipart/alternative"), parts.getContentType());
        assertTrue(GreenMailUtil.getBody(parts.getBodyPart(0)).contains(outbox.reference));
        assertTrue(parts.getBodyPart(1).getContentType().startsWith("text/html"), parts.getBodyPart(1).getContentType());
        BodyPart invitation = parts.getBodyPart(2);
        assertTrue(invitation.getContentType().startsWith("text/calendar"), invitation.getContentType());
        String ics = new String(invitation.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).replace("\r\n ", "");
        assertTrue(ics.contains("METHOD:REQUEST"), ics);
        assertTrue(ics.contains("UID:" + outbox.reference + "@schedctl"), ics);
        assertTrue(ics.contains("DTSTART:20270315T090000Z"), ics);
        assertTrue(ics.contains("DTEND:20270315T100000Z"), ics);
        assertTrue(ics.contains("RSVP=TRUE:mailto:" + student), ics);
        assertTrue(ics.contains("ORGANIZER;CN="), ics);

        Map<String, Object> row = outbox.row(booked);
        assertEquals("sent", row.get("status"));
        assertEquals(T0, instant(row.get("sent_at")));
        assertEquals(1, row.get("attempts"));
    }

    @Test
    void webhookIsSignedAndGatewaysGetKeyedJsonWithTheirToken() throws Exception {
        OutboxFixture outbox = new OutboxFixture(db, T0.plus(Duration.ofDays(1)));
        try (RecordingHttpServer http = new RecordingHttpServer()) {
            outbox.notification("confirmed", "webhook", "ops", "Confirmed", T0, "wh-" + outbox.appointmentId);
            outbox.notification("reminder", "sms", "+49 30 1234567", "Reminder", T0, "sms-" + outbox.appointmentId);
            outbox.notification("reminder", "push", "device-token-1", "Reminder", T0, "push-" + outbox.appointmentId);
            long inApp = outbox.notification("reminder", "in_app", "inbox", "Reminder", T0, "inbox-" + outbox.appointmentId);
            NotifyConfig config = OutboxFixture.config("webhook.url", http.url("/hook"), "webhook.secret", "s3cret-hmac",
                    "sms.gateway.url", http.url("/sms"), "sms.gateway.token", "tok-sms",
                    "push.gateway.url", http.url("/push"), "push.gateway.token", "tok-push");

            DispatchResult result = new NotificationService(db.database(), config, new OutboxFixture.MutableClock(T0)).sendDue();

            assertEquals(new DispatchResult(4, 4, 0, 0), result);
            RecordingHttpServer.Request hook = http.at("/hook").get(0);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec("s3cret-hmac".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            assertEquals("sha256=" + HexFormat.of().formatHex(mac.doFinal(hook.body())), hook.header("X-Schedctl-Signature"));
            JsonNode hookJson = JSON.readTree(hook.body());
            assertEquals("confirmed", hookJson.get("kind").asText());
            assertEquals("wh-" + outbox.appointmentId, hookJson.get("idempotency_key").asText());
            assertEquals(outbox.reference, hookJson.get("appointment").get("reference").asText());
            assertNull(hook.header("Authorization"));

            RecordingHttpServer.Request sms = http.at("/sms").get(0);
            assertEquals("Bearer tok-sms", sms.header("Authorization"));
            JsonNode smsJson = JSON.readTree(sms.body());
            assertEquals("+49 30 1234567", smsJson.get("to").asText());
            assertEquals("sms-" + outbox.appointmentId, smsJson.get("idempotency_key").asText());
            assertTrue(smsJson.get("body").asText().contains(outbox.reference));

            RecordingHttpServer.Request push = http.at("/push").get(0);
            assertEquals("Bearer tok-push", push.header("Authorization"));
            assertEquals("device-token-1", JSON.readTree(push.body()).get("to").asText());
            assertEquals(3, http.requests.size(), "in_app never leaves the database");
            assertEquals("sent", outbox.status(inApp));
        }
    }

    @Test
    void failuresBackOffExponentiallyThenGoDeadAndRetryRequeues() throws Exception {
        OutboxFixture outbox = new OutboxFixture(db, T0.plus(Duration.ofDays(3)));
        try (RecordingHttpServer http = new RecordingHttpServer()) {
            http.status.set(500);
            long hook = outbox.notification("cancelled", "webhook", "ops", "Cancelled", T0, "wh-fail-" + outbox.appointmentId);
            long mail = outbox.notification("cancelled", "email", "sam@example.org", "Cancelled", T0, "mail-fail-" + outbox.appointmentId);
            NotifyConfig config = OutboxFixture.config("webhook.url", http.url("/hook"), "webhook.secret", "k",
                    "notifications.max_attempts", "3", "notifications.backoff", "1m");
            OutboxFixture.MutableClock clock = new OutboxFixture.MutableClock(T0);
            NotificationService service = new NotificationService(db.database(), config, clock);

            assertEquals(new DispatchResult(2, 0, 2, 0), service.sendDue());
            assertEquals("failed", outbox.status(hook));
            assertEquals(T0.plus(Duration.ofMinutes(1)), instant(outbox.row(hook).get("due_at")));
            assertTrue(((String) outbox.row(hook).get("last_error")).contains("HTTP 500"));
            assertTrue(((String) outbox.row(mail).get("last_error")).startsWith("smtp.host is not set"),
                    (String) outbox.row(mail).get("last_error"));

            clock.advance(Duration.ofSeconds(59));
            assertEquals(0, service.sendDue().claimed(), "not due before the backoff ends");
            clock.advance(Duration.ofSeconds(1));
            assertEquals(new DispatchResult(2, 0, 2, 0), service.sendDue());
            assertEquals(clock.instant().plus(Duration.ofMinutes(2)), instant(outbox.row(hook).get("due_at")), "second wait doubles");

            clock.advance(Duration.ofMinutes(2));
            assertEquals(new DispatchResult(2, 0, 0, 2), service.sendDue());
            assertEquals("dead", outbox.status(hook));
            assertEquals(3, outbox.row(hook).get("attempts"));
            assertEquals(3, http.requests.size());
            clock.advance(Duration.ofDays(1));
            assertEquals(0, service.sendDue().claimed(), "dead rows stay dead");

            http.status.set(200);
            new NotificationService(db.database(), config, clock).retry(String.valueOf(hook));
            assertEquals("pending", outbox.status(hook));
            assertEquals(0, outbox.row(hook).get("attempts"));
            assertEquals(new DispatchResult(1, 1, 0, 0), service.sendDue());
            assertEquals("sent", outbox.status(hook));
        }
    }

    @Test
    void anExpiredLeaseIsReclaimedAndTheStaleSenderCannotOverwriteTheResult() {
        OutboxFixture outbox = new OutboxFixture(db, T0.plus(Duration.ofDays(4)));
        long crashed = outbox.notification("reminder", "in_app", "inbox", "Reminder", T0.minus(Duration.ofMinutes(10)), "crashed-" + outbox.appointmentId);
        long inFlight = outbox.notification("reminder", "in_app", "inbox", "Reminder", T0.minus(Duration.ofMinutes(10)), "inflight-" + outbox.appointmentId);
        db.database().useTransaction(h -> {
            h.createUpdate("UPDATE appointment_notifications SET status = 'sending', attempts = 1, lease_until = :lease WHERE id = :id")
                    .bind("id", crashed).bind("lease", T0.minusSeconds(1)).execute();
            h.createUpdate("UPDATE appointment_notifications SET status = 'sending', attempts = 1, lease_until = :lease WHERE id = :id")
                    .bind("id", inFlight).bind("lease", T0.plusSeconds(60)).execute();
        });

        DispatchResult result = new NotificationService(db.database(), OutboxFixture.config(), new OutboxFixture.MutableClock(T0)).sendDue();

        assertEquals(new DispatchResult(1, 1, 0, 0), result);
        assertEquals("sent", outbox.status(crashed));
        assertEquals(2, outbox.row(crashed).get("attempts"));
        assertEquals("sending", outbox.status(inFlight), "a live lease is left to its sender");
        int overwritten = db.database().inTransaction(h -> h.attach(org.schedctl.store.dao.NotificationDao.class)
                .markFailed(crashed, 1, false, T0, "the crashed sender woke up"));
        assertEquals(0, overwritten);
        assertNotNull(outbox.row(crashed).get("sent_at"));
    }

    @Test
    void aRowWhoseSendersKeepDyingGoesDeadInsteadOfLoopingForever() {
        OutboxFixture outbox = new OutboxFixture(db, T0.plus(Duration.ofDays(5)));
        long poison = outbox.notification("reminder", "in_app", "inbox", "Reminder", T0.minus(Duration.ofHours(1)), "poison-" + outbox.appointmentId);
        db.database().useTransaction(h -> h.createUpdate(
                        "UPDATE appointment_notifications SET status = 'sending', attempts = 5, lease_until = :lease WHERE id = :id")
                .bind("id", poison).bind("lease", T0.minusSeconds(1)).execute());

        DispatchResult result = new NotificationService(db.database(), OutboxFixture.config(), new OutboxFixture.MutableClock(T0)).sendDue();

        assertEquals(new DispatchResult(1, 0, 0, 1), result);
        assertEquals("dead", outbox.status(poison));
        assertTrue(((String) outbox.row(poison).get("last_error")).contains("gave up after 5 attempts"));
    }
}
