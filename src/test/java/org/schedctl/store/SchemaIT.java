package org.schedctl.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/** The rules that live in the database hold for any writer, not only for schedctl's services. */
class SchemaIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();
    static long instructor;
    static long student;
    static long type;

    @BeforeAll
    static void school() {
        CliDriver cli = db.cli();
        cli.run("user", "add", "--name", "I", "--email", "i@example.org", "--role", "instructor").ok();
        cli.run("user", "add", "--name", "S", "--email", "s@example.org").ok();
        cli.run("type", "add", "--instructor", "i@example.org", "--name", "Lesson", "--duration", "1h").ok();
        instructor = db.database().inTransaction(h -> h.createQuery("SELECT id FROM users WHERE email='i@example.org'").mapTo(Long.class).one());
        student = db.database().inTransaction(h -> h.createQuery("SELECT id FROM users WHERE email='s@example.org'").mapTo(Long.class).one());
        type = db.database().inTransaction(h -> h.createQuery("SELECT id FROM appointment_types WHERE slug='lesson'").mapTo(Long.class).one());
    }

    private static String insert(Handle h, String start, String end, String status, String before, String after) {
        return h.createQuery("""
                INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone, buffer_before, buffer_after)
                VALUES (:i, :s, :t, :status, :start::timestamptz, :end::timestamptz, 'UTC', :before::interval, :after::interval)
                RETURNING reference""")
                .bind("i", instructor).bind("s", student).bind("t", type).bind("status", status)
                .bind("start", start).bind("end", end).bind("before", before).bind("after", after)
                .mapTo(String.class).one();
    }

    @Test
    void overlappingActiveAppointmentsOfOneInstructorAreImpossibleBuffersIncluded() {
        Database d = db.database();
        d.inTransaction(h -> insert(h, "2030-01-07T10:00Z", "2030-01-07T11:00Z", "confirmed", "0", "15 minutes"));
        assertThrows(ConflictException.class, () -> d.inTransaction(h -> insert(h, "2030-01-07T10:30Z", "2030-01-07T11:30Z", "pending", "0", "0")));
        // The first one's 15-minute buffer after covers 11:00-11:15.
        assertThrows(ConflictException.class, () -> d.inTransaction(h -> insert(h, "2030-01-07T11:10Z", "2030-01-07T12:00Z", "held", "0", "0")));
        // Touching ranges are fine; inactive ones never block.
        d.inTransaction(h -> insert(h, "2030-01-07T11:15Z", "2030-01-07T12:00Z", "confirmed", "0", "0"));
        d.inTransaction(h -> insert(h, "2030-01-07T10:00Z", "2030-01-07T11:00Z", "cancelled", "0", "0"));
    }

    @Test
    void badRowsAreRefusedByTheDatabase() {
        Database d = db.database();
        assertThrows(InvalidInputException.class, () -> d.inTransaction(h -> insert(h, "2030-02-01T11:00Z", "2030-02-01T10:00Z", "confirmed", "0", "0")));
        assertThrows(InvalidInputException.class, () -> d.inTransaction(h -> insert(h, "2030-02-01T10:00Z", "2030-02-01T11:00Z", "booked", "0", "0")));
        assertThrows(InvalidInputException.class, () -> d.inTransaction(h -> insert(h, "2030-02-01T10:00Z", "2030-02-01T11:00Z", "confirmed", "-5 minutes", "0")));
        assertThrows(InvalidInputException.class, () -> d.inTransaction(h ->
                h.execute("UPDATE users SET timezone = 'Mars/Base' WHERE id = ?", student)));
        assertThrows(InvalidInputException.class, () -> d.inTransaction(h ->
                h.execute("INSERT INTO appointment_types (instructor_id, slug, name, duration, price) VALUES (?, 'x', 'X', '1 hour', 10)", instructor)));
    }

    @Test
    void referencesAreShortUnambiguousAndUnique() {
        List<String> refs = db.database().inTransaction(h -> h.createQuery(
                "SELECT generate_booking_reference() FROM generate_series(1, 2000)").mapTo(String.class).list());
        Set<String> unique = new HashSet<>(refs);
        assertEquals(refs.size(), unique.size());
        for (String ref : refs) {
            assertTrue(ref.matches("[A-HJ-NP-Z2-9]{8}"), ref);
        }
    }

    @Test
    void theAuditLogIsAppendOnly() {
        Database d = db.database();
        assertThrows(RuntimeException.class, () -> d.inTransaction(h -> h.execute("DELETE FROM audit_log")));
        assertThrows(RuntimeException.class, () -> d.inTransaction(h -> h.execute("UPDATE audit_log SET actor_id = NULL")));
    }
}
