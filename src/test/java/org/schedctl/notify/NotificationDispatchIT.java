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
        long booked = outbox.notification("booked", "email", student,
                "Booked\r\nBcc: mallory@evil.example\r\nX-Injected: yes", T0, "appt-" + outbox.appointmentId + "-booked");
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
        assertEquals(2, parts.getCount());
        assertTrue(GreenMailUtil.getBody(parts.getBodyPart(0)).contains(outbox.reference));
        BodyPart invitation = parts.getBodyPart(1);
        assertTrue(invitation.getContentType().startsWith("text/calendar"), invitation.getContentType());
        String ics = GreenMailUtil.getBody(invitation);
        assertTrue(ics.contains("METHOD:REQUEST"), ics);
        assertTrue(ics.contains("UID:" + outbox.reference + "@schedctl"), ics);
        assertTrue(ics.contains("DTSTART:20270315T090000Z"), ics);
        assertTrue(ics.contains("DTEND:20270315T100000Z"), ics);
        assertTrue(ics.contains("ATTENDEE:mailto:" + student), ics);
        assertTrue(ics.contains("ORGANIZER:mailto:iris"), ics);

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
            JsonNode hookJson = JSON.readTree(hook.body()).get("data");
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

    /**
     * Issue 11: every email opened a new SMTP connection and sends were sequential (7 to 30 messages/s). Now each
     * sender keeps one connection for its share of a batch, with RSET between messages, and a connection the server
     * drops mid-batch is replaced without losing or repeating a message.
     */
    @Test
    void aBatchOfEmailsTravelsOverOneConnectionPerSenderAndSurvivesADroppedConnection() throws Exception {
        OutboxFixture outbox = new OutboxFixture(db, T0.plus(Duration.ofDays(7)));
        int count = 40;
        for (int i = 0; i < count; i++) {
            outbox.notification("reminder", "email", "sam" + i + "@example.org", "Reminder " + i, T0, "batch-" + outbox.appointmentId + "-" + i);
        }
        try (SmtpTap tap = new SmtpTap(smtp.getSmtp().getPort())) {
            NotifyConfig config = OutboxFixture.config("smtp.host", "127.0.0.1", "smtp.port", String.valueOf(tap.port()),
                    "smtp.from", "school@example.org", "notifications.senders", "2");

            assertEquals(new DispatchResult(count, count, 0, 0),
                    new NotificationService(db.database(), config, new OutboxFixture.MutableClock(T0)).sendDue());

            assertEquals(count, smtp.getReceivedMessages().length);
            assertEquals(2, tap.connections.get(), "one connection per sender, not one per message");
            assertEquals(count, tap.mailFroms.get());
            assertEquals(count - 2, tap.rsets.get(), "RSET before every message but each connection's first");

            // The server drops each connection at its 5th RSET: the sender reconnects and sends that message again.
            for (int i = 0; i < count; i++) {
                outbox.notification("reminder", "email", "kim" + i + "@example.org", "Reminder " + i, T0, "batch2-" + outbox.appointmentId + "-" + i);
            }
            tap.cutAfterRsets = 5;
            assertEquals(new DispatchResult(count, count, 0, 0),
                    new NotificationService(db.database(), config, new OutboxFixture.MutableClock(T0)).sendDue());
            assertEquals(2 * count, smtp.getReceivedMessages().length, "each message once, none lost at a cut");
            assertTrue(tap.cuts.get() >= 2, "the test cut connections: " + tap.cuts.get());
            assertEquals(2 + 2 + tap.cuts.get(), tap.connections.get(), "a fresh connection after each cut");
        }
    }

    /**
     * Issue 11: webhooks carried only {@code X-Schedctl-Signature: sha256=HMAC(body)}, with no timestamp (a captured
     * call could be replayed) and not in the Standard Webhooks form receivers verify with stock libraries. The
     * Standard Webhooks reference library (npm) verifies every call here; the id stays the same across a retry.
     */
    @Test
    void webhookAndGatewayCallsVerifyWithTheStandardWebhooksLibrary() throws Exception {
        Instant now = Instant.now();
        OutboxFixture outbox = new OutboxFixture(db, now.plus(Duration.ofDays(6)));
        try (RecordingHttpServer http = new RecordingHttpServer()) {
            http.status.set(503);
            outbox.notification("confirmed", "webhook", "ops", "Confirmed", now.minusSeconds(1), "swh-" + outbox.appointmentId);
            outbox.notification("reminder", "sms", "+49 30 1234567", "Reminder", now.minusSeconds(1), "swh-sms-" + outbox.appointmentId);
            byte[] raw = new byte[24];
            new java.security.SecureRandom().nextBytes(raw);
            String secret = "whsec_" + java.util.Base64.getEncoder().encodeToString(raw);
            NotifyConfig config = OutboxFixture.config("webhook.url", http.url("/hook"), "webhook.secret", secret,
                    "sms.gateway.url", http.url("/sms"), "sms.gateway.token", "tok-sms");
            NotificationService service = new NotificationService(db.database(), config, java.time.Clock.systemUTC());

            assertEquals(new DispatchResult(2, 0, 2, 0), service.sendDue());
            http.status.set(204);
            db.database().useTransaction(h -> h.execute("UPDATE appointment_notifications SET due_at = now() - interval '1 second'"));
            assertEquals(new DispatchResult(2, 2, 0, 0), service.sendDue());

            java.util.List<RecordingHttpServer.Request> hooks = http.at("/hook");
            assertEquals(2, hooks.size());
            assertEquals(hooks.get(0).header("webhook-id"), hooks.get(1).header("webhook-id"), "a retry keeps its webhook-id");
            for (RecordingHttpServer.Request hook : hooks) {
                JsonNode payload = StandardWebhooks.verify(secret, hook);
                assertEquals("appointment.confirmed", payload.get("type").asText());
                assertTrue(Instant.parse(payload.get("timestamp").asText()).isAfter(now.minusSeconds(5)), payload.toString());
                assertEquals(outbox.reference, payload.get("data").get("appointment").get("reference").asText());
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                assertEquals("sha256=" + HexFormat.of().formatHex(mac.doFinal(hook.body())), hook.header("X-Schedctl-Signature"),
                        "the deprecated header stays for one release");
            }
            JsonNode sms = StandardWebhooks.verify("tok-sms", http.at("/sms").get(1));
            assertEquals("+49 30 1234567", sms.get("to").asText());

            RecordingHttpServer.Request hook = hooks.get(1);
            byte[] tampered = new String(hook.body(), StandardCharsets.UTF_8).replace("confirmed", "cancelled").getBytes(StandardCharsets.UTF_8);
            assertFalse(StandardWebhooks.accepts(secret, new RecordingHttpServer.Request(hook.path(), hook.headers(), tampered)),
                    "the verifier refuses a changed body");
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
                .markFailed(new long[] {crashed}, new int[] {1}, new String[] {"failed"}, new String[] {T0.toString()},
                        new String[] {"the crashed sender woke up"}));
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
