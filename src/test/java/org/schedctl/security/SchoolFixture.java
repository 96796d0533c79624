package org.schedctl.security;

import java.util.Map;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/**
 * A small school for permission tests: instructors A and B, students S (A's) and T (B's), one appointment,
 * block, pattern, waitlist entry, hold and notification on each side. People and types go through the CLI;
 * the rows the booking and availability commands would write are inserted as the owner, so these tests do
 * not depend on those commands.
 */
final class SchoolFixture {
    final long admin;
    final long a;
    final long b;
    final long s;
    final long t;
    final long apptA;
    final long apptB;

    SchoolFixture(TestDatabase db) {
        CliDriver cli = db.cli();
        cli.run("user", "add", "--name", "Instructor A", "--email", "a@school.test", "--role", "instructor", "--phone", "+49 30 9991").ok();
        cli.run("user", "add", "--name", "Instructor B", "--email", "b@school.test", "--role", "instructor", "--phone", "+49 30 9992").ok();
        cli.run("user", "add", "--name", "Student S", "--email", "s@school.test", "--phone", "+49 30 1111").ok();
        cli.run("user", "add", "--name", "Student T", "--email", "t@school.test", "--phone", "+49 30 2222").ok();
        cli.run("user", "add", "--name", "Student U", "--email", "u@school.test").ok();
        cli.run("type", "add", "--instructor", "a@school.test", "--name", "A Lesson", "--duration", "1h").ok();
        cli.run("type", "add", "--instructor", "a@school.test", "--name", "A Old", "--duration", "1h").ok();
        cli.run("type", "archive", "a-old").ok();
        cli.run("type", "add", "--instructor", "b@school.test", "--name", "B Lesson", "--duration", "1h").ok();
        Jdbi owner = Jdbi.create(db.ownerDataSource());
        Map<String, Long> ids = owner.withHandle(h -> {
            Map<String, Long> m = new java.util.HashMap<>();
            h.createQuery("SELECT email, id FROM users").map((rs, c) -> Map.entry(rs.getString(1), rs.getLong(2)))
                    .forEach(e -> m.put(e.getKey(), e.getValue()));
            return m;
        });
        admin = ids.get("admin@schedctl.local");
        a = ids.get("a@school.test");
        b = ids.get("b@school.test");
        s = ids.get("s@school.test");
        t = ids.get("t@school.test");
        apptA = owner.withHandle(h -> side(h, a, s, "a-lesson", "2030-01-07T10:00Z"));
        apptB = owner.withHandle(h -> side(h, b, t, "b-lesson", "2030-01-07T12:00Z"));
    }

    private static long side(Handle h, long instructor, long student, String type, String at) {
        long typeId = h.createQuery("SELECT id FROM appointment_types WHERE slug = ?").bind(0, type).mapTo(Long.class).one();
        long appt = h.createQuery("""
                        INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone)
                        VALUES (:i, :s, :t, 'confirmed', :at::timestamptz, :at::timestamptz + interval '1 hour', 'UTC') RETURNING id""")
                .bind("i", instructor).bind("s", student).bind("t", typeId).bind("at", at).mapTo(Long.class).one();
        h.execute("INSERT INTO appointment_events (appointment_id, actor_id, action, to_status, starts_at, ends_at) "
                + "SELECT id, student_id, 'book', status, starts_at, ends_at FROM appointments WHERE id = ?", appt);
        h.execute("INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone) VALUES (?, 1, '09:00', '17:00', 'UTC')", instructor);
        long block = h.createQuery("""
                        INSERT INTO time_blocks (instructor_id, kind, starts_at, ends_at, timezone, local_start, local_end, reason)
                        VALUES (:i, 'unavailable', '2030-02-01T00:00Z', '2030-02-02T00:00Z', 'UTC', '2030-02-01T00:00', '2030-02-02T00:00', 'private reason')
                        RETURNING id""").bind("i", instructor).mapTo(Long.class).one();
        h.execute("INSERT INTO time_block_occurrences (block_id, instructor_id, kind, during) VALUES (?, ?, 'unavailable', '[2030-02-01T00:00Z,2030-02-02T00:00Z)')", block, instructor);
        h.execute("INSERT INTO appointment_waitlist (student_id, instructor_id, type_id, window_start, window_end) VALUES (?, ?, ?, '2030-03-01T00:00Z', '2030-03-02T00:00Z')",
                student, instructor, typeId);
        h.execute("INSERT INTO booking_sessions (student_id, instructor_id, type_id, expires_at) VALUES (?, ?, ?, '2030-01-01T00:00Z')", student, instructor, typeId);
        h.execute("INSERT INTO appointment_notifications (appointment_id, recipient_id, kind, channel, recipient, due_at, idempotency_key) "
                + "VALUES (?, ?, 'booked', 'email', 'x@school.test', now(), 'n-s-' || ?), (?, ?, 'booked', 'email', 'y@school.test', now(), 'n-i-' || ?)",
                appt, student, appt, appt, instructor, appt);
        h.execute("INSERT INTO appointment_analytics (day, instructor_id, booked) VALUES ('2030-01-07', ?, 1)", instructor);
        h.execute("INSERT INTO booking_metrics_realtime (metric, instructor_id, day, value) VALUES ('booked', ?, '2030-01-07', 1)", instructor);
        h.execute("INSERT INTO appointment_attachments (appointment_id, file_name, content_type, size_bytes, sha256, content) "
                + "VALUES (?, 'notes.txt', 'text/plain', 2, repeat('a', 64), 'hi'::bytea)", appt);
        return appt;
    }
}
