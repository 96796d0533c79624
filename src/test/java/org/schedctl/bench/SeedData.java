package org.schedctl.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;

/**
 * Deterministic school data, written with set-based SQL (seeding is not what we measure). The same seed gives the
 * same instructors, zones, weekly patterns and appointment placement; dates are relative to {@link #firstDay()}, the
 * Monday after today (UTC), so bookings stay in the future and inside the default 90-day advance window.
 *
 * <p>Instructor n is {@code iNNNNN@bench.test} in one of four zones (New York, Berlin, Kolkata, UTC), with a type
 * {@code lesson-NNNNN} of 30 minutes and a weekly pattern MON-FRI 09:00-17:00 local; students are
 * {@code sNNNNN@bench.test}.
 */
public final class SeedData {
    static final String[] ZONES = {"America/New_York", "Europe/Berlin", "Asia/Kolkata", "UTC"};

    private SeedData() {
    }

    public static String instructorEmail(int n) {
        return String.format("i%05d@bench.test", n);
    }

    public static String typeSlug(int n) {
        return String.format("lesson-%05d", n);
    }

    public static LocalDate firstDay() {
        return LocalDate.now(ZoneOffset.UTC).with(TemporalAdjusters.next(DayOfWeek.MONDAY));
    }

    /**
     * Instructors 1..instructors, students 1..students, and appointmentsPerInstructor confirmed 30-minute
     * appointments per instructor on distinct half-hour slots inside the weekly pattern over the first `days` days.
     */
    /**
     * The booking benches' calendar: every bench instructor in UTC and available all day, every day, so a slot grid
     * never leaves the weekly pattern.
     */
    public static void availableAllDayUtc(BenchContext.FreshDatabase db) throws java.sql.SQLException {
        db.execute("UPDATE users SET timezone = 'UTC' WHERE role = 'instructor'",
                """
                INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone)
                SELECT u.id, d, time '00:00', time '23:59', 'UTC' FROM users u CROSS JOIN generate_series(1, 7) d
                WHERE u.role = 'instructor' AND u.email LIKE '%@bench.test'""");
    }

    public static void school(BenchContext.FreshDatabase db, long seed, int instructors, int students,
                              int appointmentsPerInstructor, int days) throws SQLException {
        school(db, seed, instructors, students, appointmentsPerInstructor, days, true);
    }

    /** As above; without weekly patterns when `weekly` is false (the import scenario brings its own). */
    public static void school(BenchContext.FreshDatabase db, long seed, int instructors, int students,
                              int appointmentsPerInstructor, int days, boolean weekly) throws SQLException {
        try (Connection c = db.pool().getConnection()) {
            c.setAutoCommit(false);
            exec(c, """
                    INSERT INTO users (email, name, role, timezone)
                    SELECT format('i%s@bench.test', lpad(g::text, 5, '0')), 'Instructor ' || g, 'instructor',
                           (ARRAY['America/New_York','Europe/Berlin','Asia/Kolkata','UTC'])[1 + g % 4]
                    FROM generate_series(1, ?) g
                    """, instructors);
            exec(c, """
                    INSERT INTO users (email, name, role, timezone)
                    SELECT format('s%s@bench.test', lpad(g::text, 5, '0')), 'Student ' || g, 'student', 'UTC'
                    FROM generate_series(1, ?) g
                    """, students);
            exec(c, """
                    INSERT INTO instructor_settings (instructor_id)
                    SELECT id FROM users WHERE role = 'instructor' AND email LIKE '%@bench.test'
                    """);
            exec(c, """
                    INSERT INTO appointment_types (instructor_id, slug, name, duration)
                    SELECT id, 'lesson-' || substr(email, 2, 5), 'Lesson', interval '30 minutes'
                    FROM users WHERE role = 'instructor' AND email LIKE '%@bench.test'
                    """);
            if (weekly) exec(c, """
                    INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone)
                    SELECT u.id, d, time '09:00', time '17:00', u.timezone
                    FROM users u CROSS JOIN generate_series(1, 5) d
                    WHERE u.role = 'instructor' AND u.email LIKE '%@bench.test'
                    """);
            if (appointmentsPerInstructor > 0) {
                exec(c, """
                        WITH studs AS (
                            SELECT array_agg(id ORDER BY id) AS ids FROM users WHERE role = 'student' AND email LIKE '%@bench.test'
                        ), cand AS (
                            SELECT u.id AS iid, u.timezone AS tz, t.id AS tid, (?::date + day) AS d, slot,
                                   row_number() OVER (PARTITION BY u.id ORDER BY md5(?::text || ':' || u.id || ':' || day || ':' || slot)) AS rn
                            FROM users u
                            JOIN appointment_types t ON t.instructor_id = u.id
                            CROSS JOIN generate_series(0, ? - 1) day
                            CROSS JOIN generate_series(0, 15) slot
                            WHERE u.role = 'instructor' AND u.email LIKE '%@bench.test'
                              AND extract(isodow FROM ?::date + day) <= 5
                        )
                        INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone)
                        SELECT iid, studs.ids[1 + (rn + iid) % array_length(studs.ids, 1)], tid, 'confirmed',
                               (d + time '09:00' + slot * interval '30 minutes') AT TIME ZONE tz,
                               (d + time '09:00' + (slot + 1) * interval '30 minutes') AT TIME ZONE tz,
                               tz
                        FROM cand, studs
                        WHERE rn <= ?
                        """, firstDay(), seed, days, firstDay(), appointmentsPerInstructor);
            }
            c.commit();
            try (var st = c.createStatement()) {
                c.setAutoCommit(true);
                st.execute("VACUUM ANALYZE");
            }
        }
    }

    private static void exec(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                Object p = params[i];
                if (p instanceof LocalDate d) {
                    ps.setObject(i + 1, d);
                } else if (p instanceof Long l) {
                    ps.setLong(i + 1, l);
                } else {
                    ps.setObject(i + 1, p);
                }
            }
            ps.executeUpdate();
        }
    }
}
