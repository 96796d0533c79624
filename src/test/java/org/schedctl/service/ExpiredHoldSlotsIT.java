package org.schedctl.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.domain.availability.Slot;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/**
 * A held appointment whose booking session has expired (expires_at <= now) is free time for the slot lister
 * (get_available_slots_comprehensive, behind `availability slots`) and the booking guard alike, even before the
 * sweep job has cancelled it: booking sweeps such holds before it checks, so the slot lists must offer them. A live
 * hold, and a pending booking, still take their slot.
 */
class ExpiredHoldSlotsIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Instant NOW = Instant.parse("2027-05-03T08:00:00Z");
    private static final Instant FROM = Instant.parse("2027-05-04T00:00:00Z");
    private static final Instant TO = Instant.parse("2027-05-05T00:00:00Z");
    private static final Instant HELD = Instant.parse("2027-05-04T10:00:00Z");
    private static final Instant PENDING = Instant.parse("2027-05-04T13:00:00Z");
    private static long instructor;
    private static long type;
    private static long session;

    @BeforeAll
    static void school() {
        CliDriver cli = db.cli();
        cli.run("user", "add", "--name", "Student", "--email", "student@example.org").ok();
        cli.run("user", "add", "--name", "Ines", "--email", "ines@example.org", "--role", "instructor", "--tz", "UTC").ok();
        type = cli.run("-o", "json", "type", "add", "--instructor", "ines@example.org", "--name", "Lesson", "--slug", "lesson",
                "--duration", "1h").ok().json().get("id").asLong();
        instructor = cli.run("-o", "json", "user", "show", "ines@example.org").ok().json().get("id").asLong();
        cli.run("availability", "set", "ines@example.org", "--day", "TUE", "--from", "09:00", "--to", "17:00").ok();
        session = db.database().inTransaction(h -> h.createQuery("""
                        INSERT INTO booking_sessions (student_id, instructor_id, type_id, step, starts_at, ends_at, expires_at)
                        SELECT s.id, :i, :t, 'held', :start, :end, :expires FROM users s WHERE s.email = 'student@example.org'
                        RETURNING id""")
                .bind("i", instructor).bind("t", type).bind("start", utc(HELD)).bind("end", utc(HELD.plus(Duration.ofHours(1))))
                .bind("expires", utc(NOW.plus(Duration.ofMinutes(10))))
                .mapTo(Long.class).one());
        appointment("held", HELD, session);
        appointment("pending", PENDING, null);
    }

    private static void appointment(String status, Instant start, Long bookingSession) {
        db.database().useTransaction(h -> h.createUpdate("""
                        INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone,
                                                  booking_session_id)
                        SELECT :i, s.id, :t, :status, :start, :end, 'UTC', :session FROM users s WHERE s.email = 'student@example.org'
                        """)
                .bind("i", instructor).bind("t", type).bind("status", status).bind("start", utc(start))
                .bind("end", utc(start.plus(Duration.ofHours(1)))).bind("session", bookingSession).execute());
    }

    private static void expiresAt(Instant expires) {
        db.database().useTransaction(h -> h.createUpdate("UPDATE booking_sessions SET expires_at = :e WHERE id = :id")
                .bind("e", utc(expires)).bind("id", session).execute());
    }

    private static List<Instant> lister() {
        return new SlotFinder(db.database()).slots(List.of(instructor), String.valueOf(type),
                FROM, TO, NOW).get(instructor).stream().map(Slot::start).toList();
    }

    /** The starts on the hour that booking's guard accepts. */
    private static List<Instant> guard() {
        return db.database().inTransaction(h -> h.createQuery("""
                        SELECT c FROM generate_series(:from, :to - interval '1 hour', interval '1 hour') c,
                                      check_instructor_availability_comprehensive(:i, :t, c, c + interval '1 hour', NULL, :now) r
                        WHERE r.ok ORDER BY 1""")
                .bind("i", instructor).bind("t", type).bind("from", utc(FROM)).bind("to", utc(TO)).bind("now", utc(NOW))
                .map((rs, ctx) -> rs.getObject(1, OffsetDateTime.class).toInstant()).list());
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    @Test
    void anExpiredHoldIsFreeOnBothPathsAndALiveOneIsNot() {
        expiresAt(NOW.plus(Duration.ofMinutes(10)));
        List<Instant> live = lister();
        assertEquals(live, guard(), "the lister and the guard agree while the hold is live");
        assertFalse(live.contains(HELD), "a live hold takes its slot: " + live);
        assertFalse(live.contains(PENDING), "a pending booking takes its slot: " + live);
        assertEquals(6, live.size(), "09:00-17:00 less the hold and the pending booking: " + live);

        expiresAt(NOW.minus(Duration.ofMinutes(1)));
        List<Instant> expired = lister();
        assertEquals(expired, guard(), "the lister and the guard agree once the hold has expired");
        assertTrue(expired.contains(HELD), "an expired, unswept hold is free: " + expired);
        assertFalse(expired.contains(PENDING), "the pending booking still takes its slot: " + expired);
        assertEquals(7, expired.size(), expired.toString());

        expiresAt(NOW);
        assertTrue(lister().contains(HELD), "a hold expiring exactly now is free (expires_at <= now), as booking sweeps it");
        assertTrue(guard().contains(HELD), "the guard too");
        long stillHeld = db.database().inTransaction(h -> h.createQuery(
                "SELECT count(*) FROM appointments WHERE status = 'held'").mapTo(Long.class).one());
        assertEquals(1, stillHeld, "the slot paths read, they do not sweep: the hold row stays until the sweep job runs");
    }
}
