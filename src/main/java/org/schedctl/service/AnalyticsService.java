package org.schedctl.service;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.schedctl.domain.Checked;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.analytics.DashboardRow;
import org.schedctl.domain.analytics.ReportGrain;
import org.schedctl.domain.analytics.ReportRow;
import org.schedctl.store.Database;

/**
 * Batch analytics (one idempotent SQL statement recomputes appointment_analytics, see
 * recompute_appointment_analytics in V45), reports read from it, and the real-time dashboard.
 */
public final class AnalyticsService {
    static final int MAX_DAYS = 3660;

    private final Database db;

    public AnalyticsService(Database db) {
        this.db = db;
    }

    public record AggregateResult(LocalDate from, LocalDate to, long days, int rowsWritten) {
    }

    /**
     * Recomputes the given local days, or without dates the touched ones: the days of appointments changed
     * since the last aggregation, and yesterday and today (UTC dates widened by one day for every zone).
     */
    public AggregateResult aggregate(Checked<LocalDate> fromDay, Checked<LocalDate> toDay, Clock clock) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        return db.inTransaction(handle -> {
            Access.requireAdmin(handle, "aggregate analytics");
            LocalDate from;
            LocalDate to;
            if (fromDay != null || toDay != null) {
                from = fromDay != null ? fromDay.get() : toDay.get();
                to = toDay != null ? toDay.get() : from;
            } else {
                LocalDate[] touched = handle.createQuery("""
                                SELECT min((a.starts_at AT TIME ZONE u.timezone)::date) AS first_day,
                                       max((a.starts_at AT TIME ZONE u.timezone)::date) AS last_day
                                FROM appointments a JOIN users u ON u.id = a.instructor_id
                                WHERE a.updated_at >= coalesce((SELECT max(computed_at) FROM appointment_analytics), '-infinity')
                                """)
                        .map((rs, ctx) -> new LocalDate[] {rs.getObject("first_day", LocalDate.class), rs.getObject("last_day", LocalDate.class)})
                        .one();
                from = today.minusDays(2);
                to = today.plusDays(1);
                if (touched[0] != null && touched[0].isBefore(from)) {
                    from = touched[0];
                }
                if (touched[1] != null && touched[1].isAfter(to)) {
                    to = touched[1];
                }
            }
            checkRange(from, to);
            int written = handle.createQuery("SELECT recompute_appointment_analytics(:from, :to)")
                    .bind("from", from).bind("to", to).mapTo(Integer.class).one();
            return new AggregateResult(from, to, ChronoUnit.DAYS.between(from, to) + 1, written);
        });
    }

    /** Report rows from appointment_analytics; without dates, the 30 days up to today. */
    public List<ReportRow> report(String instructor, Checked<LocalDate> fromDay, Checked<LocalDate> toDay, String by, Clock clock) {
        ReportGrain grain = ReportGrain.parse(by);
        LocalDate to = toDay != null ? toDay.get() : LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate from = fromDay != null ? fromDay.get() : to.minusDays(29);
        checkRange(from, to);
        return db.inTransaction(handle -> {
            // RLS alone would answer another instructor's report with an empty table; say why instead.
            Access.requireNotStudent(handle, "read analytics reports");
            Long instructorId = instructor == null ? null : Lookups.instructor(handle, instructor).id();
            if (instructorId != null) {
                Access.requireSelfOrAdmin(handle, instructorId, "read the analytics of " + instructor.trim());
            }
            return handle.createQuery("""
                            SELECT to_char(a.day, :format) AS period, u.email AS instructor,
                                   sum(a.booked) AS booked, sum(a.completed) AS completed, sum(a.cancelled) AS cancelled,
                                   sum(a.no_show) AS no_show, sum(a.declined) AS declined,
                                   sum(a.booked_minutes) AS booked_minutes, sum(a.available_minutes) AS available_minutes,
                                   CASE WHEN sum(a.available_minutes) > 0
                                        THEN round(least(1.0, sum(a.booked_minutes)::numeric / sum(a.available_minutes)), 4)
                                        ELSE 0 END AS utilization,
                                   CASE WHEN count(DISTINCT nullif(a.currency, '')) <= 1 THEN sum(a.revenue) END AS revenue,
                                   CASE WHEN count(DISTINCT nullif(a.currency, '')) <= 1 THEN sum(a.fees) END AS fees,
                                   string_agg(DISTINCT nullif(a.currency, ''), ',' ORDER BY nullif(a.currency, '')) AS currency
                            FROM appointment_analytics a JOIN users u ON u.id = a.instructor_id
                            WHERE a.day BETWEEN :from AND :to AND (:instructor::bigint IS NULL OR a.instructor_id = :instructor)
                            GROUP BY 1, 2
                            ORDER BY 1, 2
                            """)
                    .bind("format", grain.sqlFormat()).bind("from", from).bind("to", to).bind("instructor", instructorId)
                    .map((rs, ctx) -> new ReportRow(rs.getString("period"), rs.getString("instructor"), rs.getLong("booked"),
                            rs.getLong("completed"), rs.getLong("cancelled"), rs.getLong("no_show"),
                            rs.getBigDecimal("utilization"), money(rs.getBigDecimal("revenue")), money(rs.getBigDecimal("fees")),
                            rs.getString("currency"), rs.getLong("declined"), rs.getLong("booked_minutes"),
                            rs.getLong("available_minutes")))
                    .list();
        });
    }

    /** One row per instructor the caller may see, for each instructor's own local today. */
    public List<DashboardRow> dashboard(Clock clock) {
        Instant now = clock.instant();
        return db.inTransaction(handle -> {
            Access.requireNotStudent(handle, "read the analytics dashboard");
            return handle.createQuery("""
                        WITH people AS (
                            SELECT u.id, u.email, (CAST(:now AS timestamptz) AT TIME ZONE u.timezone)::date AS today
                            FROM users u WHERE u.role = 'instructor' AND u.active
                        ), counters AS (
                            SELECT m.instructor_id, m.metric, m.value FROM booking_metrics_realtime m
                            JOIN people p ON p.id = m.instructor_id AND m.day = p.today
                        )
                        SELECT p.email AS instructor, p.today AS day,
                               coalesce(sum(c.value) FILTER (WHERE c.metric = 'bookings'), 0) AS bookings,
                               coalesce(sum(c.value) FILTER (WHERE c.metric = 'cancellations'), 0) AS cancellations,
                               coalesce(sum(c.value) FILTER (WHERE c.metric = 'confirmations'), 0) AS confirmations,
                               coalesce(sum(c.value) FILTER (WHERE c.metric = 'completions'), 0) AS completions,
                               coalesce(sum(c.value) FILTER (WHERE c.metric = 'no_shows'), 0) AS no_shows,
                               coalesce(sum(c.value) FILTER (WHERE c.metric = 'reschedules'), 0) AS reschedules,
                               (SELECT count(*) FROM appointments a WHERE a.instructor_id = p.id AND a.status = 'pending'
                                  AND a.starts_at >= CAST(:now AS timestamptz)) AS pending,
                               (SELECT count(*) FROM appointments a WHERE a.instructor_id = p.id AND a.status IN ('pending', 'confirmed')
                                  AND a.starts_at >= CAST(:now AS timestamptz)
                                  AND a.starts_at < CAST(:now AS timestamptz) + interval '24 hours') AS upcoming
                        FROM people p LEFT JOIN counters c ON c.instructor_id = p.id
                        GROUP BY p.id, p.email, p.today
                        ORDER BY p.email
                        """)
                .bind("now", now.toString())
                .map((rs, ctx) -> new DashboardRow(rs.getString("instructor"), rs.getObject("day", LocalDate.class),
                        rs.getLong("bookings"), rs.getLong("cancellations"), rs.getLong("confirmations"), rs.getLong("completions"),
                        rs.getLong("no_shows"), rs.getLong("reschedules"), rs.getLong("pending"), rs.getLong("upcoming")))
                .list();
        });
    }

    private static BigDecimal money(BigDecimal value) {
        return value == null ? null : value.setScale(2, java.math.RoundingMode.HALF_EVEN);
    }

    private static void checkRange(LocalDate from, LocalDate to) {
        if (to.isBefore(from)) {
            throw new InvalidInputException("the range ends on " + to + ", before it starts on " + from
                    + ". Give --from before --to (both days are included)");
        }
        if (ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
            throw new InvalidInputException("the range " + from + " to " + to + " is longer than " + MAX_DAYS
                    + " days. Give a shorter --from/--to");
        }
    }
}
