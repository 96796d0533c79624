package org.schedctl.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.schedctl.test.CliDriver;
import org.schedctl.test.IcalJs;
import org.schedctl.test.TestDatabase;

/**
 * Issue 11, what people receive: messages owed by the appointment as it is now, rendered when sent, in the
 * recipient's language and zone; iMIP invitations that follow the appointment. A real SMTP server (GreenMail),
 * the CLI as a school uses it, the clock moved by the test.
 */
class NotificationContentIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @RegisterExtension
    static final GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    /** Tuesday 2027-06-01 08:00 in New York. */
    private static final Instant NOW = Instant.parse("2027-06-01T12:00:00Z");
    private static final String TEACHER = "tina@example.org";

    @TempDir
    Path tmp;

    private int smtpPort;
    private Path configFile;

    @BeforeEach
    void school() throws IOException {
        smtpPort = smtp.getSmtp().getPort();
        configFile = Files.createFile(tmp.resolve("config.properties"));
        CliDriver cli = cli(NOW);
        if (cli.run("user", "show", TEACHER).exitCode() == 0) {
            return;
        }
        cli.run("user", "add", "--name", "Tina Teacher", "--email", TEACHER, "--role", "instructor", "--tz", "America/New_York").ok();
        cli.run("instructor", "settings", TEACHER, "--reminders", "24h,1h", "--channels", "email").ok();
        db.database().useTransaction(h -> h.execute("""
                INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone)
                SELECT u.id, d, '08:00', '20:00', 'America/New_York' FROM users u, generate_series(1, 7) d
                WHERE u.email = 'tina@example.org'"""));
        cli.run("type", "add", "--instructor", TEACHER, "--name", "Violin", "--slug", "violin", "--duration", "1h").ok();
    }

    private CliDriver cli(Instant now) {
        return cli(now, smtpPort);
    }

    private CliDriver cli(Instant now, int port) {
        return db.cli().withClock(Clock.fixed(now, ZoneOffset.UTC))
                .withEnv("SCHEDCTL_CONFIG", configFile.toString())
                .withEnv("SCHEDCTL_SMTP_HOST", "127.0.0.1")
                .withEnv("SCHEDCTL_SMTP_PORT", String.valueOf(port))
                .withEnv("SCHEDCTL_SMTP_FROM", "school@example.org");
    }

    private String student(String email, String... extra) {
        List<String> args = new ArrayList<>(List.of("user", "add", "--name", "Stu " + email.substring(0, 3), "--email", email));
        args.addAll(List.of(extra));
        cli(NOW).run(args.toArray(String[]::new)).ok();
        return email;
    }

    private String book(String student, String at) {
        return cli(NOW).run("-o", "json", "--as", student, "book", "--instructor", TEACHER, "--type", "violin",
                "--student", student, "--at", at).ok().json().get("reference").asText();
    }

    private JsonNode sendDue(Instant at) {
        return cli(at).run("-o", "json", "notifications", "send-due").ok().json();
    }

    private static List<MimeMessage> mailTo(String email, String kind) throws Exception {
        List<MimeMessage> found = new ArrayList<>();
        for (MimeMessage m : smtp.getReceivedMessages()) {
            if (m.getAllRecipients()[0].toString().contains(email) && kind.equals(m.getHeader("X-Schedctl-Kind")[0])) {
                found.add(m);
            }
        }
        return found;
    }

    private static String text(MimeMessage mail) throws Exception {
        Object content = mail.getContent();
        return content instanceof Multipart parts ? GreenMailUtil.getBody(parts.getBodyPart(0)) : content.toString();
    }

    private static String plainText(MimeMessage mail) throws Exception {
        Object content = mail.getContent();
        if (content instanceof Multipart parts) {
            return (String) parts.getBodyPart(0).getContent();
        }
        return (String) content;
    }

    /** The calendar part, decoded and unfolded. */
    private static String calendar(MimeMessage mail) throws Exception {
        Multipart parts = (Multipart) mail.getContent();
        for (int i = 0; i < parts.getCount(); i++) {
            BodyPart part = parts.getBodyPart(i);
            if (part.getContentType().startsWith("text/calendar")) {
                return new String(part.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replace("\r\n ", "");
            }
        }
        throw new AssertionError("no text/calendar part in " + mail.getSubject());
    }

    /** A reminder whose first send failed, then a cancel: the reminder is never delivered (issue 11's first defect). */
    @Test
    void aReminderThatFailedOnceIsNotSentAfterTheCancel() throws Exception {
        String stu = student("fail@example.org", "--tz", "America/New_York");
        String ref = book(stu, "2027-06-02T10:00:00-04:00");
        sendDue(NOW);
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        // 24h before 14:00Z: the reminder's first attempt finds no SMTP server
        JsonNode failed = cli(NOW.plus(Duration.ofHours(2)), closedPort).run("-o", "json", "notifications", "send-due").ok().json();
        assertTrue(failed.get("failed").asInt() >= 2, failed.toString());
        cli(NOW.plus(Duration.ofHours(2)).plusSeconds(60)).run("--as", stu, "cancel", ref, "--reason", "ill").ok();

        JsonNode after = sendDue(NOW.plus(Duration.ofHours(6)));
        assertEquals(0, after.get("failed").asInt(), after.toString());
        assertEquals(List.of(), mailTo(stu, "reminder"), "a cancelled appointment owes no reminder");
        assertEquals(List.of(), mailTo(TEACHER, "reminder").stream().filter(m -> {
            try {
                return text(m).contains(ref);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList());
        MimeMessage cancelled = mailTo(stu, "cancelled").get(0);
        assertTrue(plainText(cancelled).contains("Reason: ill"), plainText(cancelled));
        assertEquals(0, (long) db.database().inTransaction(h -> h.createQuery("""
                SELECT count(*) FROM appointment_notifications n JOIN appointments a ON a.id = n.appointment_id
                 WHERE a.reference = :ref AND n.kind = 'reminder' AND n.status NOT IN ('cancelled')""")
                .bind("ref", ref).mapTo(Long.class).one()));
    }

    /** A cancel that lands between the claim and the send: the sender's re-check drops the leased row. */
    @Test
    void aCancelRacingASendInFlightWins() {
        String stu = student("race@example.org");
        String ref = book(stu, "2027-06-02T09:00:00-04:00");
        List<Long> claimed = db.database().as(null, "test dispatcher").inTransaction(h -> h.attach(
                org.schedctl.store.dao.NotificationDao.class).claim(NOW, NOW.plus(Duration.ofMinutes(5)), 100));
        assertFalse(claimed.isEmpty());
        cli(NOW.plusSeconds(1)).run("--as", stu, "cancel", ref).ok();
        List<Long> owed = db.database().as(null, "test dispatcher").inTransaction(h -> h.attach(
                org.schedctl.store.dao.NotificationDao.class).stillOwed(claimed.stream().mapToLong(Long::longValue).toArray()));
        assertEquals(List.of(), owed, "nothing of a cancelled booking is owed any more");
        assertEquals(0L, (long) db.database().inTransaction(h -> h.createQuery("""
                SELECT count(*) FROM appointment_notifications WHERE id = ANY(:ids) AND status <> 'cancelled'""")
                .bind("ids", claimed.stream().mapToLong(Long::longValue).toArray()).mapTo(Long.class).one()));
    }

    /** After a reminder went out, a reschedule owes the reminder again at the new time, with the new time in it. */
    @Test
    void aRescheduleAfterASentReminderOwesANewReminderAtTheNewTime() throws Exception {
        String stu = student("move@example.org", "--tz", "America/New_York");
        String ref = book(stu, "2027-06-02T11:00:00-04:00");
        // 24h and 1h before 15:00Z
        sendDue(Instant.parse("2027-06-01T15:00:00Z"));
        sendDue(Instant.parse("2027-06-02T14:00:00Z"));
        assertEquals(2, mailTo(stu, "reminder").size());
        Instant moved = Instant.parse("2027-06-02T14:05:00Z");
        cli(moved).run("--as", stu, "reschedule", ref, "--to", "2027-06-03T12:00:00-04:00").ok();
        sendDue(moved);
        assertEquals(2, mailTo(stu, "reminder").size(), "nothing more before the new time");
        assertEquals(1, mailTo(stu, "rescheduled").size());
        assertTrue(plainText(mailTo(stu, "rescheduled").get(0)).contains("Previously: Wednesday, June 2, 2027"),
                plainText(mailTo(stu, "rescheduled").get(0)));

        // both offsets again, though both were sent for the old time: 24h and 1h before 16:00Z on June 3
        sendDue(Instant.parse("2027-06-02T16:00:00Z"));
        List<MimeMessage> reminders = mailTo(stu, "reminder");
        assertEquals(3, reminders.size());
        String text = plainText(reminders.get(2));
        assertTrue(text.contains("24 hours") && text.contains("Thursday, June 3, 2027") && text.contains("12:00")
                && text.contains("America/New_York"), text);
        sendDue(Instant.parse("2027-06-03T15:00:00Z"));
        reminders = mailTo(stu, "reminder");
        assertEquals(4, reminders.size());
        text = plainText(reminders.get(3));
        assertTrue(text.contains("1 hour") && text.contains("June 3, 2027") && text.contains("12:00"), text);
    }

    /** A dispatcher that was down past two offsets sends the latest reminder only, with its own offset in the text. */
    @Test
    void afterAnOutageOnlyTheLatestDueReminderIsSent() throws Exception {
        String stu = student("late@example.org", "--tz", "America/New_York");
        book(stu, "2027-06-02T13:00:00-04:00");
        sendDue(NOW);
        // nothing ran between 17:00Z on June 1 (24h before) and 16:30Z on June 2 (30 minutes before the start)
        sendDue(Instant.parse("2027-06-02T16:30:00Z"));
        List<MimeMessage> reminders = mailTo(stu, "reminder");
        assertEquals(1, reminders.size());
        assertTrue(plainText(reminders.get(0)).contains("starts in 1 hour."), plainText(reminders.get(0)));
    }

    /** A Korean student in Seoul reads Korean, in Seoul time; their English instructor reads English in New York time. */
    @Test
    void aKoreanStudentInSeoulGetsKoreanTextInSeoulTime() throws Exception {
        String stu = student("kim@example.org", "--tz", "Asia/Seoul", "--locale", "ko");
        String ref = book(stu, "2027-06-02T08:00:00-04:00");
        sendDue(NOW);
        MimeMessage mine = mailTo(stu, "booked").get(0);
        String subject = mine.getSubject();
        String text = plainText(mine);
        assertTrue(subject.startsWith("예약 완료"), subject);
        assertTrue(text.contains("예약이 완료되었습니다"), text);
        // 12:00Z is 21:00 in Seoul
        assertTrue(text.contains("2027년 6월 2일 수요일") && text.contains("오후 9:00") && text.contains("Asia/Seoul"), text);
        MimeMessage theirs = mailTo(TEACHER, "booked").stream().filter(m -> {
            try {
                return plainText(m).contains(ref);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).findFirst().orElseThrow();
        String english = plainText(theirs);
        assertTrue(theirs.getSubject().startsWith("Booked"), theirs.getSubject());
        assertTrue(english.contains("Wednesday, June 2, 2027") && english.contains("8:00") && english.contains("America/New_York"), english);

        JsonNode preview = cli(NOW).run("-o", "json", "notifications", "preview", ref, "--kind", "reminder", "--to", stu,
                "--before", "1h").ok().json();
        assertTrue(preview.get("body").asText().contains("1시간 후에"), preview.toString());
        String shown = cli(NOW).run("notifications", "preview", ref, "--kind", "cancelled").ok().stdout();
        assertTrue(shown.contains("예약이 취소되었습니다") && shown.contains("METHOD:CANCEL"), shown);
        assertEquals(2, cli(NOW).run("notifications", "preview", ref, "--kind", "bogus").exitCode());
    }

    /** iMIP: one UID for the appointment's life, SEQUENCE up on every move and on cancel, CANCEL on cancel. */
    @Test
    void invitationsFollowTheAppointmentAndEveryReaderAcceptsThem() throws Exception {
        String stu = student("ical@example.org", "--tz", "Europe/London");
        String ref = book(stu, "2027-06-04T10:00:00-04:00");
        sendDue(NOW);
        Instant later = NOW.plus(Duration.ofMinutes(10));
        cli(later).run("--as", stu, "reschedule", ref, "--to", "2027-06-05T10:00:00-04:00").ok();
        sendDue(later);
        Instant last = later.plus(Duration.ofMinutes(10));
        cli(last).run("--as", stu, "cancel", ref).ok();
        sendDue(last);

        List<MimeMessage> mails = new ArrayList<>(mailTo(stu, "booked"));
        mails.addAll(mailTo(stu, "rescheduled"));
        mails.addAll(mailTo(stu, "cancelled"));
        assertEquals(3, mails.size());
        String[] methods = {"REQUEST", "REQUEST", "CANCEL"};
        for (int i = 0; i < 3; i++) {
            MimeMessage mail = mails.get(i);
            String ics = calendar(mail);
            assertTrue(ics.contains("METHOD:" + methods[i] + "\r\n"), ics);
            assertTrue(ics.contains("SEQUENCE:" + i + "\r\n"), ics);
            assertTrue(ics.contains("UID:" + ref + "@schedctl\r\n"), ics);
            Path file = tmp.resolve("invite-" + i + ".ics");
            Files.writeString(file, ics, StandardCharsets.UTF_8);
            IcalJs.Read read = IcalJs.read(file);
            assertEquals(ref + "@schedctl", read.events().get(0).get("uid").asText());
            assertEquals(i == 0 ? "2027-06-04T14:00:00Z" : "2027-06-05T14:00:00Z", read.events().get(0).get("start").asText());
            Path eml = tmp.resolve("mail-" + i + ".eml");
            try (OutputStream out = Files.newOutputStream(eml)) {
                mail.writeTo(out);
            }
            assertEquals("ok " + methods[i], python(eml).strip());
        }
    }

    /** A school's template of the same name in the config directory wins, and cannot add a header. */
    @Test
    void aSchoolOverridesATemplateFromItsConfigDirectory() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("templates/en"));
        Files.writeString(dir.resolve("booked.subject.mustache"), "Lesson {{reference}} is in the book\r\nBcc: mallory@evil.example");
        String stu = student("own@example.org");
        String ref = book(stu, "2027-06-02T12:00:00-04:00");
        sendDue(NOW);
        MimeMessage mail = mailTo(stu, "booked").get(0);
        assertEquals("Lesson " + ref + " is in the book Bcc: mallory@evil.example", mail.getSubject());
        assertEquals(null, mail.getHeader("Bcc"));
        assertEquals(0, smtp.getReceivedMessagesForDomain("evil.example").length, "no copy to an injected Bcc");
    }

    /** Python's email module reads the message: multipart/alternative of text, HTML and text/calendar; method=METHOD. */
    private static String python(Path eml) throws Exception {
        String script = """
                import sys, email
                from email import policy
                m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)
                assert m.get_content_type() == 'multipart/alternative', m.get_content_type()
                parts = [p.get_content_type() for p in m.iter_parts()]
                assert parts == ['text/plain', 'text/html', 'text/calendar'], parts
                cal = list(m.iter_parts())[2]
                body = cal.get_content()
                method = cal.get_param('method')
                assert ('METHOD:' + method + '\\r\\n') in body or ('METHOD:' + method + '\\n') in body, (method, body)
                assert cal.get_content_charset() in ('utf-8', 'UTF-8'), cal.get_content_charset()
                print('ok', method)
                """;
        Process p = new ProcessBuilder("python3", "-c", script, eml.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
