package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/** Issue 17: a guardian acts for their linked children wherever a student acts for themselves, and for no one else. */
class GuardianIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void guardianBooksCancelsAndSeesForLinkedChildOnly() {
        BookingFixture f = new BookingFixture(db, "gua");
        String ann = f.student("ann");
        String bob = f.student("bob");
        String lesson = f.type("lesson", "--duration", "30m");
        CliDriver cli = f.cli();
        String mum = "gua-mum@example.org";
        cli.run("user", "add", "--name", "Mum", "--email", mum, "--role", "guardian").ok();
        cli.run("guardian", "link", mum, "--student", ann).ok();
        FoundationCommandsIT.assertError(cli.run("guardian", "link", mum, "--student", ann), 3, "already linked");
        FoundationCommandsIT.assertError(cli.run("guardian", "link", ann, "--student", bob), 2, "not a guardian");
        FoundationCommandsIT.assertError(cli.run("--as", mum, "guardian", "link", mum, "--student", bob), 6, "administrator");

        JsonNode booked = cli.run("--as", mum, "-o", "json", "book", "--instructor", f.instructor, "--type", lesson,
                "--student", ann, "--at", "2027-06-03T10:00").ok().json();
        String ref = booked.get("reference").asText();
        // the booking queued the family's notifications like a student's own booking does
        assertTrue(f.count("SELECT count(*) FROM appointment_notifications n JOIN appointments a ON a.id = n.appointment_id"
                + " WHERE a.reference = '" + ref + "'") > 0);

        // not linked to bob: refused, nothing written
        var refused = cli.run("--as", mum, "book", "--instructor", f.instructor, "--type", lesson, "--student", bob,
                "--at", "2027-06-03T11:00");
        // the child is not even visible to this guardian: "not found", as for a student naming another student
        FoundationCommandsIT.assertError(refused, 4, "not found");
        assertEquals(0, f.count("SELECT count(*) FROM appointments WHERE student_id = (SELECT id FROM users WHERE email = '" + bob + "')"));

        // bob books for himself; the guardian sees ann's appointment and not bob's
        cli.run("--as", bob, "book", "--instructor", f.instructor, "--type", lesson, "--student", bob,
                "--at", "2027-06-03T12:00").ok();
        JsonNode seen = cli.run("--as", mum, "-o", "json", "appointments", "list").ok().json();
        assertEquals(1, seen.size(), seen.toString());
        assertEquals(ref, seen.get(0).get("reference").asText());
        assertTrue(cli.run("--as", mum, "-o", "json", "audit", "list").ok().stdout().contains(ref));

        JsonNode waiting = cli.run("--as", mum, "-o", "json", "waitlist", "add", "--instructor", f.instructor, "--type", lesson,
                "--student", ann, "--from", "2027-06-05T09:00", "--to", "2027-06-05T12:00").ok().json();
        assertEquals(ann, waiting.get("student").asText(), waiting.toString());
        cli.run("--as", mum, "cancel", ref).ok();
        cli.run("guardian", "unlink", mum, "--student", ann).ok();
        assertEquals(0, cli.run("--as", mum, "-o", "json", "appointments", "list").ok().json().size());
    }

    @Test
    void rawSqlClientGetsTheSameRule() {
        BookingFixture f = new BookingFixture(db, "guraw");
        String ann = f.student("ann");
        String bob = f.student("bob");
        f.type("lesson", "--duration", "30m");
        CliDriver cli = f.cli();
        String dad = "guraw-dad@example.org";
        cli.run("user", "add", "--name", "Dad", "--email", dad, "--role", "guardian").ok();
        cli.run("guardian", "link", dad, "--student", ann).ok();
        f.sql("""
                INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone, session_key)
                SELECT i.id, s.id, t.id, 'confirmed', '2027-06-04T14:00Z'::timestamptz + s.id * interval '1 hour',
                       '2027-06-04T14:30Z'::timestamptz + s.id * interval '1 hour', 'UTC', 'x-' || s.id
                FROM users i, users s, appointment_types t
                WHERE i.email = '%s' AND s.email IN ('%s', '%s') AND t.slug = 'guraw-lesson'""".formatted(f.instructor, ann, bob));
        long dadId = f.count("SELECT id FROM users WHERE email = '" + dad + "'");
        long bobId = f.count("SELECT id FROM users WHERE email = '" + bob + "'");
        long annId = f.count("SELECT id FROM users WHERE email = '" + ann + "'");
        Jdbi app = Jdbi.create(db.dataSource());
        java.util.function.Function<String, Long> countAsDad = sql -> app.inTransaction(h -> {
            h.createQuery("SELECT set_config('app.user_id', :id, true)").bind("id", String.valueOf(dadId)).mapTo(String.class).one();
            return h.createQuery(sql).mapTo(Long.class).one();
        });
        assertEquals(1L, countAsDad.apply("SELECT count(*) FROM appointments"));
        assertEquals(0L, countAsDad.apply("SELECT count(*) FROM appointments WHERE student_id = " + bobId));
        assertEquals(1L, countAsDad.apply("SELECT count(*) FROM users WHERE id = " + annId));
        assertEquals(0L, countAsDad.apply("SELECT count(*) FROM users WHERE id = " + bobId));
        assertEquals(0L, countAsDad.apply("WITH u AS (UPDATE appointments SET notes = 'x' WHERE student_id = " + bobId
                + " RETURNING 1) SELECT count(*) FROM u"));
        assertThrows(Exception.class, () -> countAsDad.apply("""
                WITH i AS (INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone, session_key)
                SELECT a.instructor_id, %d, a.type_id, 'confirmed', '2027-06-05T14:00Z', '2027-06-05T14:30Z', 'UTC', 'y'
                FROM appointments a LIMIT 1 RETURNING 1) SELECT count(*) FROM i""".formatted(bobId)));
        assertThrows(Exception.class, () -> countAsDad.apply("""
                WITH i AS (INSERT INTO guardian_links (guardian_id, student_id) VALUES (%d, %d) RETURNING 1)
                SELECT count(*) FROM i""".formatted(dadId, bobId)));
    }
}
