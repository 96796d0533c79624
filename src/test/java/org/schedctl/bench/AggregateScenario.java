package org.schedctl.bench;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import org.schedctl.service.AnalyticsService;
import org.schedctl.store.Database;

/**
 * `analytics aggregate` at a school of 1,000 instructors and 1,000,000 appointments over 2027 (issue 15; --quick:
 * 100 instructors, 100,000 appointments). Data: Mon-Fri 08:00-18:00 in four zones, every 25th instructor also a
 * Saturday in Tokyo (the exact path), every 10th twenty afternoons off, every 50th appointment a group session
 * with two seats, every status. Anchor: the bare GROUP BY per day x instructor x type with the same counts and
 * sums, run with psql on the same data in the same run (psql start included, a few ms).
 * Figures: the full year written from empty, the same year again (nothing changed), an incremental run after
 * 100 appointments changed (50 cancelled, 50 moved a week), and `analytics report` for the year by week.
 */
public final class AggregateScenario implements Scenario {
    private static final String[] SEED = {
            """
            INSERT INTO users (email, name, role, timezone)
            SELECT format('i%s@bench.test', lpad(g::text, 5, '0')), 'Instructor ' || g, 'instructor',
                   (ARRAY['America/New_York','Europe/Berlin','Asia/Kolkata','UTC'])[1 + g % 4]
            FROM generate_series(1, :instructors) g
            """,
            """
            INSERT INTO users (email, name, role, timezone)
            SELECT format('s%s@bench.test', lpad(g::text, 5, '0')), 'Student ' || g, 'student', 'UTC' FROM generate_series(1, 2000) g
            """,
            """
            INSERT INTO appointment_types (instructor_id, slug, name, duration, price, currency)
            SELECT id, 'lesson-' || substr(email, 2, 5), 'Lesson', interval '30 minutes', 40, 'EUR'
            FROM users WHERE role = 'instructor' AND email LIKE '%@bench.test'
            """,
            """
            INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone)
            SELECT u.id, d, time '08:00', time '18:00', u.timezone FROM users u CROSS JOIN generate_series(1, 5) d
            WHERE u.role = 'instructor' AND u.email LIKE '%@bench.test'
            """,
            """
            -- every 25th instructor also teaches Saturday mornings in UTC (another zone for most): the exact path
            INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone)
            SELECT u.id, 6, time '09:00', time '12:00', 'Asia/Tokyo' FROM users u
            WHERE u.role = 'instructor' AND u.email LIKE '%@bench.test' AND u.id % 25 = 0
            """,
            """
            WITH i AS (
                SELECT u.id, u.timezone AS tz, t.id AS tid, row_number() OVER (ORDER BY u.id) AS n
                FROM users u JOIN appointment_types t ON t.instructor_id = u.id WHERE u.role = 'instructor' AND u.email LIKE '%@bench.test'
            ), s AS (SELECT min(id) AS first FROM users WHERE role = 'student' AND email LIKE '%@bench.test'),
            rows AS (
                SELECT i.id AS iid, i.tz, i.tid, k,
                       ((date '2027-01-01' + (k * 365 / :each)) + time '08:00' + ((k * 7 + i.n) % 20) * interval '30 minutes') AT TIME ZONE i.tz AS st,
                       s.first + (k * 13 + i.n) % 2000 AS sid,
                       (ARRAY['completed','completed','completed','completed','completed','completed','completed','cancelled',
                              'cancelled','no_show','confirmed','confirmed','pending','declined'])[1 + (k * 31 + i.n) % 14] AS status
                FROM i CROSS JOIN s CROSS JOIN generate_series(0, :each - 1) k
            )
            INSERT INTO appointments (reference, instructor_id, student_id, type_id, status, starts_at, ends_at, timezone, blocked, session_key,
                                      price, currency, fee, fee_waived)
            SELECT (SELECT string_agg(substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', (1 + ((iid::bigint * 1000 + k) >> (5 * j)) % 32)::int, 1), '' ORDER BY j) FROM generate_series(0, 7) j), iid, sid, tid, status, st, st + interval '30 minutes', tz,
                   tstzrange(st, st + interval '30 minutes'),
                   CASE WHEN k % 50 = 0 THEN 'g:' || tid || ':' || extract(epoch FROM st)::bigint ELSE 'a:' || iid || ':' || k END,
                   40, 'EUR', CASE WHEN status = 'cancelled' THEN 10 END, k % 3 = 0
            FROM rows
            """,
            """
            -- a second seat in every group session
            INSERT INTO appointments (reference, instructor_id, student_id, type_id, status, starts_at, ends_at, timezone, blocked, session_key,
                                      price, currency)
            SELECT (SELECT string_agg(substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', (1 + ((id + 100000000000) >> (5 * j)) % 32)::int, 1), '' ORDER BY j) FROM generate_series(0, 7) j), instructor_id, CASE WHEN student_id + 1 > (SELECT max(id) FROM users) THEN student_id - 1 ELSE student_id + 1 END,
                   type_id, status, starts_at, ends_at, timezone, blocked, session_key, price, currency
            FROM appointments WHERE session_key LIKE 'g:%'
            """,
            """
            -- every 10th instructor: 20 afternoons off
            WITH b AS (
                INSERT INTO time_blocks (instructor_id, kind, starts_at, ends_at, timezone, local_start, local_end)
                SELECT u.id, 'unavailable', (date '2027-01-04' + 14 * j + time '13:00') AT TIME ZONE u.timezone,
                       (date '2027-01-04' + 14 * j + time '16:00') AT TIME ZONE u.timezone, u.timezone,
                       date '2027-01-04' + 14 * j + time '13:00', date '2027-01-04' + 14 * j + time '16:00'
                FROM users u CROSS JOIN generate_series(0, 19) j
                WHERE u.role = 'instructor' AND u.email LIKE '%@bench.test' AND u.id % 10 = 0
                RETURNING id, instructor_id, kind, starts_at, ends_at
            )
            INSERT INTO time_block_occurrences (block_id, instructor_id, kind, during) SELECT id, instructor_id, kind, tstzrange(starts_at, ends_at) FROM b
            """
    };

    private static final String ANCHOR = """
            SELECT (a.starts_at AT TIME ZONE u.timezone)::date AS day, a.instructor_id, a.type_id,
                   count(*), count(*) FILTER (WHERE a.status = 'completed'), count(*) FILTER (WHERE a.status = 'cancelled'),
                   count(*) FILTER (WHERE a.status = 'no_show'), count(*) FILTER (WHERE a.status = 'declined'),
                   sum(a.ends_at - a.starts_at) FILTER (WHERE a.status IN ('pending', 'confirmed', 'completed')),
                   sum(a.price) FILTER (WHERE a.status = 'completed'), sum(a.fee) FILTER (WHERE a.status = 'cancelled' AND NOT a.fee_waived)
            FROM appointments a JOIN users u ON u.id = a.instructor_id
            WHERE a.status <> 'held' AND a.starts_at >= '2026-12-31' AND a.starts_at < '2028-01-02'
              AND (a.starts_at AT TIME ZONE u.timezone)::date BETWEEN '2027-01-01' AND '2027-12-31'
            GROUP BY 1, 2, 3;
            """;

    @Override
    public String name() {
        return "aggregate";
    }

    @Override
    public String description() {
        return "analytics aggregate over 1M appointments (full, rerun, 100 changed) and report by week vs a bare GROUP BY in psql";
    }

    @Override
    public List<Figure> run(BenchContext ctx) throws Exception {
        int instructors = ctx.quick() ? 100 : 1000;
        int each = 1000;
        int runs = ctx.quick() ? 3 : 3;
        BenchContext.FreshDatabase db = ctx.freshDatabase("bench_aggregate");
        try (Connection c = db.pool().getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            // The seed writes derived columns itself; no per-row triggers (metrics, audit) while loading.
            st.execute("SET LOCAL session_replication_role = replica");
            for (String sql : SEED) {
                st.execute(sql.replace(":instructors", Integer.toString(instructors)).replace(":each", Integer.toString(each)));
            }
            c.commit();
            c.setAutoCommit(true);
            st.execute("VACUUM ANALYZE");
        }
        long appointments = scalar(db, "SELECT count(*) FROM appointments");
        long admin = scalar(db, "SELECT id FROM users WHERE role = 'admin' ORDER BY id LIMIT 1");

        List<String> psql = new ArrayList<>(List.of("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null", "-c", ANCHOR));
        psql.addAll(db.libpqArgs());
        List<Double> anchor = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            anchor.add(ctx.run(psql, ctx.libpqEnv(db)).orFail("psql GROUP BY").millis());
        }
        double anchorMs = Stats.median(anchor);

        double first = recompute(db, admin, "'2027-01-01', '2027-12-31', false");
        List<Double> again = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            again.add(recompute(db, admin, "'2027-01-01', '2027-12-31', false"));
        }
        List<Double> incremental = new ArrayList<>();
        recompute(db, admin, "'2027-06-29', '2027-07-02', true"); // drain
        for (int i = 0; i < runs; i++) {
            db.execute("UPDATE appointments SET status = 'cancelled' WHERE id IN (SELECT id FROM appointments WHERE status = 'confirmed' "
                            + "ORDER BY id OFFSET " + (i * 1000) + " LIMIT 50)",
                    "UPDATE appointments SET starts_at = starts_at + interval '7 days', ends_at = ends_at + interval '7 days' "
                            + "WHERE id IN (SELECT id FROM appointments WHERE status = 'completed' AND session_key NOT LIKE 'g:%' "
                            + "ORDER BY id DESC OFFSET " + (i * 1000) + " LIMIT 50)");
            incremental.add(recompute(db, admin, "'2027-06-29', '2027-07-02', true"));
        }

        HikariDataSource appPool = BenchContext.runtimePool(db, 2);
        AnalyticsService service = new AnalyticsService(new Database(appPool, null, "bench"));
        Clock clock = Clock.fixed(Instant.parse("2028-01-15T12:00:00Z"), ZoneOffset.UTC);
        service.report(null, org.schedctl.domain.Checked.of(java.time.LocalDate.of(2027, 1, 1)), org.schedctl.domain.Checked.of(java.time.LocalDate.of(2027, 12, 31)), "week", clock); // warm-up
        List<Double> report = new ArrayList<>();
        int[] rows = new int[1];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            rows[0] = service.report(null, org.schedctl.domain.Checked.of(java.time.LocalDate.of(2027, 1, 1)), org.schedctl.domain.Checked.of(java.time.LocalDate.of(2027, 12, 31)), "week", clock).size();
            report.add(Stats.millisSince(t0));
        }
        appPool.close();
        long stored = scalar(db, "SELECT count(*) FROM appointment_analytics");
        ctx.drop(db);

        String what = "bare GROUP BY day x instructor x type in psql";
        List<Figure> figures = new ArrayList<>();
        double againMs = Stats.median(again);
        figures.add(Figure.time("full year, nothing changed", againMs, anchorMs, what, runs)
                .withGoal("<= 1.5 x the GROUP BY (issue 15)", againMs <= 1.5 * anchorMs)
                .withNote(appointments + " appointments, " + instructors + " instructors"));
        figures.add(Figure.time("full year from empty (writes every row)", first, anchorMs, what, 1)
                .withNote(stored + " rows written"));
        double incMs = Stats.median(incremental);
        figures.add(Figure.time("incremental after 100 changed appointments", incMs, anchorMs, what, runs)
                .withGoal("< 1000 ms (issue 15)", incMs < 1000)
                .withNote("the dirty pairs plus every instructor's 4 recent days"));
        double repMs = Stats.median(report);
        figures.add(Figure.alone("analytics report, a year by week (in-process)", repMs, "ms", false, runs)
                .withGoal("< 1000 ms (issue 15)", repMs < 1000)
                .withNote(rows[0] + " rows"));
        return figures;
    }

    private static double recompute(BenchContext.FreshDatabase db, long admin, String args) throws Exception {
        try (Connection c = db.pool().getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("SET LOCAL app.user_id = '" + admin + "'");
            long t0 = System.nanoTime();
            st.execute("SELECT * FROM analytics_recompute(" + args + ")");
            c.commit();
            return Stats.millisSince(t0);
        }
    }

    private static long scalar(BenchContext.FreshDatabase db, String sql) throws Exception {
        try (Connection c = db.pool().getConnection(); Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
