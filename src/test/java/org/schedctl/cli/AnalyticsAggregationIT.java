package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/**
 * The set-based aggregation against a direct computation on generated data: 24 instructors in six zones (DST
 * on both hemispheres), weekly patterns in their own zone and in another one, overlapping patterns, patterns
 * with effective windows, unavailable and extra-available blocks, group sessions with several seats, every
 * status. The direct side groups the appointments per local day in Java-free SQL written independently (one
 * row per group session via DISTINCT ON) and asks the per-day function instructor_available_minutes for
 * every (instructor, day).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AnalyticsAggregationIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2027-12-20T12:00:00Z"), ZoneOffset.UTC);
    private static final String FROM = "2027-03-01";
    private static final String TO = "2027-04-30";

    private static CliDriver cli() {
        return db.cli().withClock(CLOCK);
    }

    @BeforeAll
    static void generate() {
        db.database().useTransaction(h -> {
            h.execute("""
                    INSERT INTO users (email, name, role, timezone)
                    SELECT format('gen%s@example.org', g), 'Gen ' || g, 'instructor',
                           (ARRAY['America/New_York','Europe/Berlin','Asia/Kolkata','UTC','Australia/Sydney','America/Los_Angeles'])[1 + g % 6]
                    FROM generate_series(1, 24) g""");
            h.execute("""
                    INSERT INTO users (email, name, role, timezone)
                    SELECT format('stu%s@example.org', g), 'Student ' || g, 'student', 'UTC' FROM generate_series(1, 40) g""");
            h.execute("""
                    INSERT INTO appointment_types (instructor_id, slug, name, duration, price, currency, capacity)
                    SELECT id, 'gen-' || id, 'Lesson', interval '45 minutes', 30, CASE WHEN id % 5 = 0 THEN 'USD' ELSE 'EUR' END, 3
                    FROM users WHERE email LIKE 'gen%'""");
            // Mon-Fri 09:00-17:00 in the instructor's zone ...
            h.execute("""
                    INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone)
                    SELECT u.id, d, time '09:00', time '17:00', u.timezone FROM users u CROSS JOIN generate_series(1, 5) d
                    WHERE u.email LIKE 'gen%'""");
            // ... every third also Saturday 20:00-24:00 in Tokyo (another zone, reaching into two local days),
            h.execute("""
                    INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone)
                    SELECT id, 6, time '20:00', time '24:00', 'Asia/Tokyo' FROM users WHERE email LIKE 'gen%' AND id % 3 = 0""");
            // every fourth an overlapping Monday 16:00-19:00 in its own zone from mid-March,
            h.execute("""
                    INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone, effective_from)
                    SELECT id, 1, time '16:00', time '19:00', timezone, date '2027-03-15' FROM users WHERE email LIKE 'gen%' AND id % 4 = 0""");
            // every fifth a Sunday 01:00-04:00 (crossing DST nights) until mid-April.
            h.execute("""
                    INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone, effective_until)
                    SELECT id, 7, time '01:00', time '04:00', timezone, date '2027-04-15' FROM users WHERE email LIKE 'gen%' AND id % 5 = 0""");
            // Blocks: every second instructor loses a Wednesday afternoon a week, every seventh gains a Saturday.
            h.execute("""
                    WITH b AS (
                        INSERT INTO time_blocks (instructor_id, kind, starts_at, ends_at, timezone, local_start, local_end)
                        SELECT u.id, k.kind,
                               (date '2027-03-03' + 7 * j + k.t1) AT TIME ZONE u.timezone,
                               (date '2027-03-03' + 7 * j + k.t2) AT TIME ZONE u.timezone, u.timezone,
                               date '2027-03-03' + 7 * j + k.t1, date '2027-03-03' + 7 * j + k.t2
                        FROM users u CROSS JOIN generate_series(0, 8) j
                        CROSS JOIN (VALUES ('unavailable', time '12:00', time '15:30', 2),
                                           ('available', time '10:00', time '13:00', 7)) AS k(kind, t1, t2, every)
                        WHERE u.email LIKE 'gen%' AND u.id % k.every = 0
                        RETURNING id, instructor_id, kind, starts_at, ends_at
                    )
                    INSERT INTO time_block_occurrences (block_id, instructor_id, kind, during)
                    SELECT id, instructor_id, kind, tstzrange(starts_at, ends_at) FROM b""");
            // A ten-day vacation for one instructor.
            h.execute("""
                    WITH b AS (
                        INSERT INTO time_blocks (instructor_id, kind, starts_at, ends_at, timezone, local_start, local_end)
                        SELECT id, 'vacation', '2027-04-05T00:00Z', '2027-04-15T00:00Z', 'UTC', '2027-04-05T00:00', '2027-04-15T00:00'
                        FROM users WHERE email = 'gen6@example.org'
                        RETURNING id, instructor_id, kind, starts_at, ends_at
                    )
                    INSERT INTO time_block_occurrences (block_id, instructor_id, kind, during)
                    SELECT id, instructor_id, kind, tstzrange(starts_at, ends_at) FROM b""");
            // Appointments: 3 a day at distinct hours, every status; every 9th a group session with 3 seats.
            h.execute("""
                    WITH s AS (SELECT array_agg(id ORDER BY id) AS ids FROM users WHERE email LIKE 'stu%'),
                    r AS (
                        SELECT u.id AS iid, u.timezone AS tz, t.id AS tid, t.currency, d, n,
                               ((date '2027-02-27' + d) + time '07:00' + (n * 5 + d % 3) * interval '1 hour') AT TIME ZONE u.timezone AS st,
                               (ARRAY['completed','cancelled','no_show','confirmed','pending','declined','held','completed'])[1 + (d * 3 + n + u.id) % 8] AS status
                        FROM users u JOIN appointment_types t ON t.instructor_id = u.id
                        CROSS JOIN generate_series(0, 66) d CROSS JOIN generate_series(0, 2) n
                        WHERE u.email LIKE 'gen%'
                    )
                    INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone,
                                              session_key, price, currency, fee, fee_waived)
                    SELECT iid, s.ids[1 + (d * 7 + n * 3 + iid + seat) % 40], tid, status, st,
                           st + CASE WHEN n = 1 THEN interval '90 minutes' ELSE interval '45 minutes' END, tz,
                           CASE WHEN (d + n + iid) % 9 = 0 THEN 'g:' || tid || ':' || extract(epoch FROM st)::bigint END,
                           30, currency, CASE WHEN status = 'cancelled' THEN 12.5 END, d % 4 = 0
                    FROM r CROSS JOIN s CROSS JOIN generate_series(0, 2) seat
                    WHERE seat = 0 OR ((d + n + iid) % 9 = 0 AND status <> 'held')""");
        });
    }

    /** The stored rows of the range, keyed "day instructor currency", as comparable strings. */
    private static Map<String, String> stored() {
        List<Map.Entry<String, String>> rows = db.database().inTransaction(h -> h.createQuery("""
                        SELECT day || ' ' || instructor_id || ' ' || currency AS k,
                               concat_ws(',', booked, completed, cancelled, no_show, declined, booked_minutes,
                                         available_minutes, revenue::numeric(14,2), fees::numeric(14,2)) AS v
                        FROM appointment_analytics
                        WHERE day BETWEEN :from::date AND :to::date
                          AND (booked, completed, cancelled, no_show, declined, booked_minutes, available_minutes, revenue, fees)
                              <> (0, 0, 0, 0, 0, 0, 0, 0, 0)""")
                .bind("from", FROM).bind("to", TO)
                .map((rs, ctx) -> Map.entry(rs.getString("k"), rs.getString("v"))).list());
        return rows.stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /**
     * The same figures computed directly: per appointment and per day, nothing shared with the aggregation. As the
     * owner: the per-day reference function instructor_available_minutes is not the runtime role's (issue 12).
     */
    private static Map<String, String> direct() {
        List<Map.Entry<String, String>> rows = org.jdbi.v3.core.Jdbi.create(db.ownerDataSource()).inTransaction(h -> {
            // acting as an administrator, as the aggregation does (the function answers only for one)
            h.execute("SELECT set_config('app.user_id', (SELECT min(id) FROM users WHERE role = 'admin')::text, true)");
            return h.createQuery("""
                        WITH appts AS (
                            SELECT a.*, (a.starts_at AT TIME ZONE u.timezone)::date AS day, coalesce(a.currency, '') AS cur
                            FROM appointments a JOIN users u ON u.id = a.instructor_id
                            WHERE a.status <> 'held'
                        ), sessions AS (
                            SELECT DISTINCT ON (instructor_id, session_key) instructor_id, day, cur,
                                   extract(epoch FROM ends_at - starts_at)::bigint / 60 AS minutes
                            FROM appts WHERE status IN ('pending', 'confirmed', 'completed')
                            ORDER BY instructor_id, session_key, ends_at - starts_at DESC
                        ), minutes AS (
                            SELECT instructor_id, day, cur, sum(minutes) AS m FROM sessions GROUP BY 1, 2, 3
                        ), facts AS (
                            SELECT day, instructor_id, cur, count(*) AS booked,
                                   count(*) FILTER (WHERE status = 'completed') AS completed,
                                   count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
                                   count(*) FILTER (WHERE status = 'no_show') AS no_show,
                                   count(*) FILTER (WHERE status = 'declined') AS declined,
                                   coalesce(sum(price) FILTER (WHERE status = 'completed'), 0) AS revenue,
                                   coalesce(sum(fee) FILTER (WHERE status = 'cancelled' AND NOT fee_waived), 0) AS fees
                            FROM appts GROUP BY 1, 2, 3
                        ), avail AS (
                            SELECT g.d::date AS day, u.id AS instructor_id, ''::text AS cur,
                                   instructor_available_minutes(u.id, g.d::date) AS m
                            FROM users u CROSS JOIN generate_series(:from::date, :to::date, interval '1 day') g(d)
                            WHERE u.role = 'instructor'
                        ), keys AS (
                            SELECT day, instructor_id, cur FROM facts UNION SELECT day, instructor_id, cur FROM avail WHERE m > 0
                        )
                        SELECT k.day || ' ' || k.instructor_id || ' ' || k.cur AS k,
                               concat_ws(',', coalesce(f.booked, 0), coalesce(f.completed, 0), coalesce(f.cancelled, 0),
                                         coalesce(f.no_show, 0), coalesce(f.declined, 0), coalesce(mi.m, 0), coalesce(av.m, 0),
                                         coalesce(f.revenue, 0)::numeric(14,2), coalesce(f.fees, 0)::numeric(14,2)) AS v
                        FROM keys k
                        LEFT JOIN facts f USING (day, instructor_id, cur)
                        LEFT JOIN minutes mi USING (day, instructor_id, cur)
                        LEFT JOIN avail av USING (day, instructor_id, cur)
                        WHERE k.day BETWEEN :from::date AND :to::date""")
                .bind("from", FROM).bind("to", TO)
                .map((rs, ctx) -> Map.entry(rs.getString("k"), rs.getString("v"))).list();
        });
        return rows.stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private static void assertSame(Map<String, String> expected, Map<String, String> actual) {
        List<String> diffs = new java.util.ArrayList<>();
        java.util.Set<String> keys = new java.util.TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (String k : keys) {
            if (!java.util.Objects.equals(expected.get(k), actual.get(k))) {
                diffs.add(k + ": direct " + expected.get(k) + " stored " + actual.get(k));
            }
        }
        assertTrue(diffs.isEmpty(), diffs.size() + " of " + keys.size() + " rows differ, e.g. "
                + diffs.subList(0, Math.min(10, diffs.size())));
    }

    private static long bookedMinutes(String instructor, String day) {
        return db.database().inTransaction(h -> h.createQuery("""
                SELECT coalesce(sum(a.booked_minutes), 0) FROM appointment_analytics a JOIN users u ON u.id = a.instructor_id
                WHERE u.email = :email AND a.day = :day::date""").bind("email", instructor).bind("day", day).mapTo(Long.class).one());
    }

    @Test
    @Order(1)
    void fullRangeEqualsTheDirectComputation() {
        JsonNode result = cli().run("-o", "json", "analytics", "aggregate", "--from", FROM, "--to", TO).ok().json();
        assertTrue(result.get("rows_written").asInt() > 24 * 50, result.toString());
        Map<String, String> direct = direct();
        assertTrue(direct.size() > 24 * 55, "the generated data covers the range: " + direct.size());
        assertSame(direct, stored());
        assertEquals(0, cli().run("-o", "json", "analytics", "aggregate", "--from", FROM, "--to", TO).ok().json()
                .get("rows_written").asInt(), "a rerun with nothing changed writes nothing");
    }

    @Test
    @Order(2)
    void aGroupSessionsTimeCountsOnce() {
        // Two seats of one 60-minute session: the day's booked minutes grow by 60, not 120.
        long before = bookedMinutes("gen3@example.org", "2027-04-28");
        db.database().useTransaction(h -> h.execute("""
                INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone, session_key)
                SELECT i.id, s.id, t.id, 'confirmed', '2027-04-28T03:00Z', '2027-04-28T04:00Z', 'UTC', 'g:' || t.id || ':1'
                FROM users i JOIN appointment_types t ON t.instructor_id = i.id, users s
                WHERE i.email = 'gen3@example.org' AND s.email IN ('stu1@example.org', 'stu2@example.org')"""));
        cli().run("analytics", "aggregate", "--from", "2027-04-28", "--to", "2027-04-28").ok();
        assertEquals(60, bookedMinutes("gen3@example.org", "2027-04-28") - before, "two seats of one 60-minute session are 60 booked minutes");
        assertSame(direct(), stored());
    }

    @Test
    @Order(3)
    void withoutDatesExactlyTheTouchedPairsAreRecomputed() {
        cli().run("analytics", "aggregate").ok(); // drain whatever earlier steps marked
        // Two appointments of one instructor change, in March and in April; an afternoon block of another is removed.
        db.database().useTransaction(h -> {
            h.execute("""
                    UPDATE appointments SET status = 'cancelled'
                    WHERE id = (SELECT min(a.id) FROM appointments a JOIN users u ON u.id = a.instructor_id
                                WHERE u.email = 'gen1@example.org' AND a.status = 'confirmed' AND a.starts_at < '2027-03-20')""");
            h.execute("""
                    UPDATE appointments SET starts_at = starts_at + interval '1 hour', ends_at = ends_at + interval '1 hour'
                    WHERE id = (SELECT max(a.id) FROM appointments a JOIN users u ON u.id = a.instructor_id
                                WHERE u.email = 'gen1@example.org' AND a.status = 'completed' AND a.starts_at BETWEEN '2027-04-10' AND '2027-04-20'
                                  AND a.session_key NOT LIKE 'g:%')""");
            h.execute("""
                    DELETE FROM time_blocks WHERE id = (SELECT min(b.id) FROM time_blocks b JOIN users u ON u.id = b.instructor_id
                                                        WHERE u.email <> 'gen1@example.org' AND b.kind = 'unavailable')""");
        });
        long dirty = db.database().inTransaction(h -> h.createQuery("SELECT count(*) FROM analytics_dirty").mapTo(Long.class).one());
        assertEquals(3, dirty, "one pair per changed day: the cancelled lesson's, the moved lesson's, the removed block's");
        JsonNode result = cli().run("-o", "json", "analytics", "aggregate").ok().json();
        // 24 instructors x the recent days (UTC today -2 .. +1) plus the 3 marked pairs.
        assertEquals(24 * 4 + 3, result.get("pairs").asInt(), result.toString());
        assertTrue(result.get("rows_written").asInt() <= 6, "only the touched pairs' rows change: " + result);
        assertEquals(0L, (long) db.database().inTransaction(h -> h.createQuery("SELECT count(*) FROM analytics_dirty").mapTo(Long.class).one()),
                "the dirty set is drained");
        assertSame(direct(), stored());
    }

    @Test
    @Order(4)
    void aStudentCannotAggregate() {
        FoundationCommandsIT.assertError(cli().run("--as", "stu1@example.org", "analytics", "aggregate"), 6, "administrator");
    }
}
