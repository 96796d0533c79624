package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.TestDatabase;

/**
 * check_instructor_availability_comprehensive: one concrete case per reason code, DST edges of weekly patterns,
 * and its cost. The slot listing must agree with these answers.
 */
class AvailabilityCheckFunctionIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Instant NOW = Instant.parse("2027-03-01T12:00:00Z");

    private static String reason(long instructor, long type, String start, String end) {
        return db.database().inTransaction(h -> h.createQuery(
                        "SELECT reason FROM check_instructor_availability_comprehensive(:i, :t, :s::timestamptz, :e::timestamptz, NULL, :now)")
                .bind("i", instructor).bind("t", type).bind("s", start).bind("e", end).bind("now", NOW)
                .mapTo(String.class).one());
    }

    private static long id(String sql) {
        return db.database().inTransaction(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    private static void sql(String sql) {
        db.database().useTransaction(h -> h.execute(sql));
    }

    @Test
    void eachRuleHasItsReason() {
        long ins = id("INSERT INTO users (email, name, role, timezone) VALUES ('chk@example.org', 'Chk', 'instructor', 'America/New_York') RETURNING id");
        long stu = id("INSERT INTO users (email, name, role) VALUES ('chk-s@example.org', 'S', 'student') RETURNING id");
        sql("INSERT INTO instructor_settings (instructor_id, max_daily, max_consecutive, buffer_before, buffer_after) VALUES ("
                + ins + ", 3, 2, '0', '0')");
        long lesson = id("INSERT INTO appointment_types (instructor_id, slug, name, duration, min_notice, max_advance) VALUES ("
                + ins + ", 'chk-lesson', 'L', '30 minutes', '2 hours', '60 days') RETURNING id");
        long buffered = id("INSERT INTO appointment_types (instructor_id, slug, name, duration, buffer_before, slot_interval) VALUES ("
                + ins + ", 'chk-buf', 'B', '30 minutes', '15 minutes', '15 minutes') RETURNING id");
        // Mon..Fri 09:00-12:00, and Sunday 01:00-04:00 (the DST days of 2027 are Sundays)
        sql("INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone) "
                + "SELECT " + ins + ", d, '09:00', '12:00', 'America/New_York' FROM generate_series(1, 5) d");
        sql("INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone) VALUES ("
                + ins + ", 7, '01:00', '04:00', 'America/New_York')");

        assertEquals("ok", reason(ins, lesson, "2027-03-02T09:00-05:00", "2027-03-02T09:30-05:00"));
        assertEquals("in_past", reason(ins, lesson, "2027-03-01T06:00-05:00", "2027-03-01T06:30-05:00"));
        assertEquals("too_soon", reason(ins, lesson, "2027-03-01T08:30-05:00", "2027-03-01T09:00-05:00"));
        assertEquals("too_far", reason(ins, lesson, "2027-05-03T09:00-04:00", "2027-05-03T09:30-04:00"));
        assertEquals("outside_availability", reason(ins, lesson, "2027-03-02T11:45-05:00", "2027-03-02T12:15-05:00"));
        assertEquals("misaligned", reason(ins, lesson, "2027-03-02T09:15-05:00", "2027-03-02T09:45-05:00"));
        // the buffer before must fit too: 09:00 needs 08:45; the grid runs every 15m from the window start
        assertEquals("outside_availability", reason(ins, buffered, "2027-03-02T09:00-05:00", "2027-03-02T09:30-05:00"));
        assertEquals("ok", reason(ins, buffered, "2027-03-02T09:15-05:00", "2027-03-02T09:45-05:00"));

        sql("WITH b AS (INSERT INTO time_blocks (instructor_id, kind, starts_at, ends_at, timezone, local_start, local_end) VALUES ("
                + ins + ", 'unavailable', '2027-03-03T14:00Z', '2027-03-03T15:00Z', 'UTC', '2027-03-03 14:00', '2027-03-03 15:00'), ("
                + ins + ", 'vacation', '2027-03-08T00:00Z', '2027-03-10T00:00Z', 'UTC', '2027-03-08', '2027-03-10'), ("
                + ins + ", 'available', '2027-03-06T14:00Z', '2027-03-06T16:00Z', 'UTC', '2027-03-06 14:00', '2027-03-06 16:00') "
                + "RETURNING id, instructor_id, kind, starts_at, ends_at) "
                + "INSERT INTO time_block_occurrences SELECT id, instructor_id, kind, tstzrange(starts_at, ends_at) FROM b");
        assertEquals("blackout", reason(ins, lesson, "2027-03-03T09:00-05:00", "2027-03-03T09:30-05:00"));
        assertEquals("ok", reason(ins, lesson, "2027-03-03T10:00-05:00", "2027-03-03T10:30-05:00"));
        assertEquals("vacation", reason(ins, lesson, "2027-03-08T10:00-05:00", "2027-03-08T10:30-05:00"));
        assertEquals("ok", reason(ins, lesson, "2027-03-06T09:30-05:00", "2027-03-06T10:00-05:00"), "extra time on a Saturday");

        String insert = "INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone) VALUES ("
                + ins + ", " + stu + ", " + lesson + ", 'confirmed', '%s', '%s', 'America/New_York')";
        sql(insert.formatted("2027-03-04T09:00-05:00", "2027-03-04T09:30-05:00"));
        assertEquals("taken", reason(ins, lesson, "2027-03-04T09:00-05:00", "2027-03-04T09:30-05:00"));
        sql(insert.formatted("2027-03-04T09:30-05:00", "2027-03-04T10:00-05:00"));
        assertEquals("too_many_consecutive", reason(ins, lesson, "2027-03-04T10:00-05:00", "2027-03-04T10:30-05:00"));
        sql(insert.formatted("2027-03-04T11:00-05:00", "2027-03-04T11:30-05:00"));
        assertEquals("day_full", reason(ins, lesson, "2027-03-04T10:30-05:00", "2027-03-04T11:00-05:00"));

        sql("UPDATE appointment_types SET archived_at = now() WHERE id = " + lesson);
        assertEquals("archived", reason(ins, lesson, "2027-03-02T09:00-05:00", "2027-03-02T09:30-05:00"));
    }

    @Test
    void weeklyPatternsFollowLocalTimeAcrossDst() {
        long ins = id("INSERT INTO users (email, name, role, timezone) VALUES ('dst@example.org', 'Dst', 'instructor', 'America/New_York') RETURNING id");
        long hour = id("INSERT INTO appointment_types (instructor_id, slug, name, duration, max_advance) VALUES ("
                + ins + ", 'dst-hour', 'H', '1 hour', '400 days') RETURNING id");
        sql("INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone) VALUES ("
                + ins + ", 7, '02:30', '05:00', 'America/New_York'), (" + ins + ", 7, '01:00', '03:00', 'Europe/London')");
        // 2027-03-14: 02:30 does not exist in New York; the window starts when the clocks read 03:30 (07:30Z)
        assertEquals("outside_availability", reason(ins, hour, "2027-03-14T07:00Z", "2027-03-14T08:00Z"));
        assertEquals("ok", reason(ins, hour, "2027-03-14T07:30Z", "2027-03-14T08:30Z"));
        // 2027-11-07: 02:30 happens once (EST); the window is 07:30Z..10:00Z
        assertEquals("ok", reason(ins, hour, "2027-11-07T07:30Z", "2027-11-07T08:30Z"));
        // 2027-10-31 in London: 01:00 happens twice; the earlier (BST, 00:00Z) opens the window, 03:00 GMT closes it
        assertEquals("ok", reason(ins, hour, "2027-10-31T00:00Z", "2027-10-31T01:00Z"));
        assertEquals("ok", reason(ins, hour, "2027-10-31T02:00Z", "2027-10-31T03:00Z"));
        assertEquals("outside_availability", reason(ins, hour, "2027-10-31T02:30Z", "2027-10-31T03:30Z"));
    }

    @Test
    void aCheckTakesWellUnderAMillisecond() {
        long ins = id("INSERT INTO users (email, name, role, timezone) VALUES ('perf@example.org', 'P', 'instructor', 'Europe/Berlin') RETURNING id");
        long type = id("INSERT INTO appointment_types (instructor_id, slug, name, duration) VALUES (" + ins + ", 'perf', 'P', '30 minutes') RETURNING id");
        sql("INSERT INTO instructor_settings (instructor_id, max_daily, max_consecutive) VALUES (" + ins + ", 8, 4)");
        sql("INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone) "
                + "SELECT " + ins + ", d, '08:00', '18:00', 'Europe/Berlin' FROM generate_series(1, 7) d");
        double perCheckMs = Double.MAX_VALUE;
        // the best of three runs: wall-clock time on a shared machine only ever errs upwards
        for (int run = 0; run < 3; run++) {
            perCheckMs = Math.min(perCheckMs, timeChecks(ins, type));
        }
        assertTrue(perCheckMs < 1.0, "a check took " + perCheckMs + " ms");
    }

    private static double timeChecks(long ins, long type) {
        return db.database().inTransaction(h -> h.createQuery("""
                        -- all 2000 must be bookable, else the run counts as failed (a refusal may stop early and look fast)
                        SELECT CASE WHEN n.count = 2000 THEN extract(epoch FROM clock_timestamp() - t0) * 1000 / 2000 ELSE 1e9 END
                          FROM (SELECT clock_timestamp() AS t0) s,
                        LATERAL (SELECT count(*) FROM generate_series(1, 2000) i,
                                 LATERAL check_instructor_availability_comprehensive(:i, :t,
                                         '2027-03-02T10:00Z'::timestamptz + (i % 8) * interval '30 minutes',
                                         '2027-03-02T10:30Z'::timestamptz + (i % 8) * interval '30 minutes', NULL, :now) c
                                 WHERE c.ok AND s.t0 IS NOT NULL) n
                        """).bind("i", ins).bind("t", type).bind("now", NOW).mapTo(Double.class).one());
    }
}
