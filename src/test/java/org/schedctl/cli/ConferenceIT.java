package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.schedctl.domain.conference.ConferenceProblem;
import org.schedctl.domain.conference.Plan;
import org.schedctl.domain.conference.PlanChecker;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/** Issue 17 end to end: create, requests (command and CSV), schedule, publish, timetable, open; bad input refused. */
class ConferenceIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    static final Instant NOW = Instant.parse("2027-09-01T08:00:00Z");

    @TempDir
    Path dir;

    CliDriver cli() {
        return db.cli().withClock(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    long count(String sql) {
        return db.database().inTransaction(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    @Test
    void aWholeEvening() throws Exception {
        CliDriver cli = cli();
        for (String t : List.of("ada", "ben", "cy")) {
            cli.run("user", "add", "--name", "Teacher " + t, "--email", t + "@pe.test", "--role", "instructor", "--tz", "Europe/Berlin").ok();
        }
        for (int f = 1; f <= 4; f++) {
            cli.run("user", "add", "--name", "Parent " + f, "--email", "p" + f + "@pe.test", "--role", "guardian", "--tz", "Europe/Berlin",
                    "--locale", f == 1 ? "de" : "en").ok();
            cli.run("user", "add", "--name", "Kid " + f, "--email", "k" + f + "@pe.test").ok();
            cli.run("guardian", "link", "p" + f + "@pe.test", "--student", "k" + f + "@pe.test").ok();
        }
        // bad input: exit 2, one line, nothing written
        FoundationCommandsIT.assertError(cli.run("--tz", "Europe/Berlin", "conference", "create", "Autumn", "--on", "2027-10-05",
                "--from", "16:00", "--to", "17:00", "--slot", "25m", "--teachers", "ada@pe.test"), 2, "does not divide");
        FoundationCommandsIT.assertError(cli.run("--tz", "Europe/Berlin", "conference", "create", "Autumn", "--on", "2027-10-05",
                "--from", "16:00", "--to", "17:00", "--slot", "10m", "--teachers", "ada@pe.test,nobody@pe.test"), 2, "unknown teacher");
        FoundationCommandsIT.assertError(cli.run("--tz", "Europe/Berlin", "conference", "create", "Autumn", "--on", "2027-10-05",
                "--from", "16:00", "--to", "17:00", "--slot", "10m", "--teachers", "ada@pe.test,k1@pe.test"), 2, "not an instructor");
        assertEquals(0, count("SELECT count(*) FROM conferences"));

        cli.run("--tz", "Europe/Berlin", "conference", "create", "Autumn", "--on", "2027-10-05", "--from", "16:00", "--to", "17:00",
                "--slot", "10m", "--room", "ada@pe.test=A1", "--room", "ben@pe.test=B2", "--room", "cy@pe.test=B2",
                "--max-consecutive", "3", "--break", "10m", "--walk", "5m").ok();
        FoundationCommandsIT.assertError(cli.run("conference", "create", "autumn", "--on", "2027-10-05", "--from", "16:00", "--to", "17:00",
                "--slot", "10m", "--teachers", "ada@pe.test"), 3, "exists");
        // a guardian requests for their own child only
        cli.run("--as", "p1@pe.test", "conference", "request", "Autumn", "--guardian", "p1@pe.test", "--student", "k1@pe.test",
                "--teacher", "ada@pe.test", "--required").ok();
        FoundationCommandsIT.assertError(cli.run("conference", "request", "Autumn", "--guardian", "p1@pe.test", "--student", "k2@pe.test",
                "--teacher", "ada@pe.test"), 2, "not linked");

        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, """
                guardian,student,teacher,priority,earliest,latest
                p2@pe.test,k2@pe.test,ada@pe.test,required,,
                p2@pe.test,k3@pe.test,ben@pe.test,wished,,
                p3@pe.test,k3@pe.test,zed@pe.test,wished,,
                p3@pe.test,k3@pe.test,ben@pe.test,maybe,,
                p4@pe.test,k4@pe.test,cy@pe.test,wished,18:00,
                """);
        var refused = cli.run("conference", "import", "Autumn", bad.toString());
        assertEquals(2, refused.exitCode(), refused.toString());
        for (int line : new int[] {3, 4, 5, 6}) {
            assertTrue(refused.stderr().contains(bad + ":" + line + ":"), refused.stderr());
        }
        assertTrue(!refused.stderr().contains(bad + ":2:"), refused.stderr());
        assertEquals(1, count("SELECT count(*) FROM conference_requests"));

        Path good = dir.resolve("good.csv");
        Files.writeString(good, """
                guardian,student,teacher,priority,earliest,latest
                p1@pe.test,k1@pe.test,ben@pe.test,wished,,
                p1@pe.test,k1@pe.test,cy@pe.test,required,,
                p2@pe.test,k2@pe.test,ada@pe.test,required,,
                p2@pe.test,k2@pe.test,ben@pe.test,required,16:20,
                p3@pe.test,k3@pe.test,ada@pe.test,by-teacher,,16:30
                p3@pe.test,k3@pe.test,cy@pe.test,wished,,
                p4@pe.test,k4@pe.test,ada@pe.test,wished,,
                p4@pe.test,k4@pe.test,ben@pe.test,required,,
                p4@pe.test,k4@pe.test,cy@pe.test,wished,,
                """);
        assertEquals(9, cli.run("-o", "json", "conference", "import", "Autumn", good.toString()).ok().json().get("created").asInt());

        JsonNode dry = cli.run("-o", "json", "conference", "schedule", "Autumn", "--time-limit", "3s", "--dry-run").ok().json();
        assertEquals(0, count("SELECT count(*) FROM conference_plan"));
        JsonNode report = cli.run("-o", "json", "conference", "schedule", "Autumn", "--time-limit", "3s").ok().json();
        assertEquals(6, report.get("required_requests").asInt(), report.toString());
        assertTrue(report.get("required_placed").asInt() + report.get("wished_placed").asInt()
                >= report.get("greedy_required_placed").asInt() + report.get("greedy_wished_placed").asInt(), report.toString());
        assertEquals(dry.get("bound_placed"), report.get("bound_placed"));

        JsonNode published = cli.run("-o", "json", "conference", "publish", "Autumn").ok().json();
        int placed = report.get("required_placed").asInt() + report.get("wished_placed").asInt();
        assertEquals(placed, published.get("appointments").asInt(), published.toString());
        assertEquals(placed, count("SELECT count(*) FROM appointments WHERE status = 'confirmed'"));
        // ONE message per family with its timetable, one per teacher; reminders owed per meeting (written when due)
        assertEquals(4, count("SELECT count(DISTINCT recipient_id) FROM appointment_notifications n JOIN users u ON u.id = n.recipient_id"
                + " WHERE n.appointment_id IS NULL AND u.role = 'guardian'"));
        assertEquals(count("SELECT count(DISTINCT recipient_id) FROM appointment_notifications WHERE appointment_id IS NULL AND recipient_id IN (SELECT id FROM users WHERE role = 'guardian')"),
                count("SELECT count(*) FROM appointment_notifications WHERE appointment_id IS NULL AND recipient_id IN (SELECT id FROM users WHERE role = 'guardian')"));
        assertEquals(3, count("SELECT count(*) FROM appointment_notifications n JOIN users u ON u.id = n.recipient_id"
                + " WHERE n.appointment_id IS NULL AND u.role = 'instructor'"));
        assertTrue(count("SELECT count(DISTINCT appointment_id) FROM appointment_reminder_schedule('-infinity', 'infinity')") >= placed);
        String german = db.database().inTransaction(h -> h.createQuery("SELECT body FROM appointment_notifications n JOIN users u ON u.id = n.recipient_id"
                + " WHERE u.email = 'p1@pe.test' AND n.appointment_id IS NULL").mapTo(String.class).one());
        assertTrue(german.contains("Elternsprechtag") && german.contains("Oktober"), german);
        // and the dispatcher sends it as written (rendering at send time keeps a composed message's text)
        List<org.schedctl.notify.OutboundMessage> rendered = db.database().inTransaction(h -> new org.schedctl.notify.MessageRenderer(null,
                java.time.Clock.systemUTC()).renderAll(h.attach(org.schedctl.store.dao.NotificationDao.class).messages(h.createQuery(
                "SELECT n.id FROM appointment_notifications n JOIN users u ON u.id = n.recipient_id WHERE u.email = 'p1@pe.test' AND n.appointment_id IS NULL")
                .mapTo(Long.class).list().stream().mapToLong(Long::longValue).toArray())));
        assertEquals(1, rendered.size());
        assertEquals(german, rendered.get(0).body());
        // republishing queues nothing new
        assertEquals(0, cli.run("-o", "json", "conference", "publish", "Autumn").ok().json().get("family_messages").asInt());

        // the checker recomputes every hard rule from the published appointments
        assertEquals(List.of(), PlanChecker.violations(problemFromDatabase(), planFromAppointments()));

        // timetables: a family sees its own; HTML has a page per teacher
        JsonNode mine = cli.run("--as", "p4@pe.test", "-o", "json", "conference", "timetable", "Autumn").ok().json();
        mine.forEach(r -> assertEquals("p4@pe.test", r.get("guardian").asText()));
        // a teacher sees their own list, with the families' names
        JsonNode adaList = cli.run("--as", "ada@pe.test", "-o", "json", "conference", "timetable", "Autumn").ok().json();
        assertEquals(count("SELECT count(*) FROM conference_plan p JOIN conference_requests r ON r.id = p.request_id"
                + " WHERE r.teacher_id = (SELECT id FROM users WHERE email = 'ada@pe.test')"), adaList.size(), adaList.toString());
        adaList.forEach(r -> assertEquals("ada@pe.test", r.get("teacher").asText()));
        String html = cli.run("conference", "timetable", "Autumn", "--format", "html").ok().stdout();
        assertEquals(3, html.split("<section>", -1).length - 1, html);
        assertTrue(html.contains("size: A4"));

        // a published meeting is an ordinary appointment: the guardian cancels it
        String ref = mine.get(0).get("reference").asText();
        cli.run("--as", "p4@pe.test", "cancel", ref).ok();

        // a rerun keeps what is published
        JsonNode rerun = cli.run("-o", "json", "conference", "schedule", "Autumn", "--time-limit", "2s").ok().json();
        assertEquals(placed - 1, rerun.get("kept").asInt(), "the cancelled meeting is withdrawn: " + rerun);
        assertTrue(rerun.get("required_placed").asInt() + rerun.get("wished_placed").asInt() >= placed - 1, rerun.toString());
        assertEquals(0, cli.run("-o", "json", "conference", "schedule", "Autumn", "--time-limit", "1s", "--replan", "--dry-run")
                .ok().json().get("kept").asInt());

        // open: a guardian books a free slot with the ordinary `book`
        cli.run("conference", "open", "Autumn").ok();
        long confId = count("SELECT id FROM conferences");
        long ada = count("SELECT id FROM users WHERE email = 'ada@pe.test'");
        String free = db.database().inTransaction(h -> h.createQuery("""
                SELECT to_char(s AT TIME ZONE 'Europe/Berlin', 'YYYY-MM-DD"T"HH24:MI')
                FROM generate_series(timestamptz '2027-10-05 16:00 Europe/Berlin', timestamptz '2027-10-05 16:50 Europe/Berlin', interval '10 minutes') s
                WHERE NOT EXISTS (SELECT 1 FROM appointments a WHERE a.instructor_id = :t AND a.status = 'confirmed' AND a.starts_at = s)
                ORDER BY s LIMIT 1""").bind("t", ada).mapTo(String.class).one());
        cli.run("--as", "p3@pe.test", "--tz", "Europe/Berlin", "book", "--instructor", "ada@pe.test", "--type",
                "conference-" + confId + "-" + ada, "--student", "k3@pe.test", "--at", free).ok();
    }

    ConferenceProblem problemFromDatabase() {
        return db.database().inTransaction(h -> {
            List<ConferenceProblem.Teacher> teachers = h.createQuery("SELECT teacher_id, room FROM conference_teachers")
                    .map((rs, c) -> new ConferenceProblem.Teacher(rs.getLong(1), rs.getString(2), new BitSet())).list();
            List<ConferenceProblem.Request> requests = h.createQuery("""
                    SELECT r.id, r.guardian_id, r.teacher_id, r.required,
                           coalesce(extract(epoch FROM r.earliest - c.local_from)::int / 600, 0),
                           coalesce(extract(epoch FROM r.latest - c.local_from)::int / 600, 6)
                    FROM conference_requests r JOIN conferences c ON c.id = r.conference_id""")
                    .map((rs, c) -> new ConferenceProblem.Request(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getBoolean(4),
                            rs.getInt(5), rs.getInt(6), -1)).list();
            return new ConferenceProblem(6, 10, 1, 3, 1, teachers, requests);
        });
    }

    /** The slots of the published appointments, read back from their start instants. */
    Plan planFromAppointments() {
        Map<Long, Integer> slots = new HashMap<>();
        db.database().useTransaction(h -> h.createQuery("""
                SELECT p.request_id, (extract(epoch FROM a.starts_at - timestamptz '2027-10-05 16:00 Europe/Berlin') / 600)::int
                FROM conference_plan p JOIN appointments a ON a.id = p.appointment_id""")
                .map((rs, c) -> Map.entry(rs.getLong(1), rs.getInt(2))).forEach(e -> slots.put(e.getKey(), e.getValue())));
        return new Plan(slots);
    }
}
