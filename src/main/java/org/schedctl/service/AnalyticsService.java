package org.schedctl.service;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.Checked;
import org.schedctl.domain.analytics.ComparisonRow;
import org.schedctl.domain.analytics.DashboardRow;
import org.schedctl.domain.analytics.InstructorRow;
import org.schedctl.domain.analytics.ReportGrain;
import org.schedctl.domain.analytics.ReportRow;
import org.schedctl.domain.analytics.Utilization;
import org.schedctl.store.Database;

/**
 * Batch analytics (one idempotent SQL statement recomputes appointment_analytics, see
 * analytics_recompute in R__65_analytics.sql), reports read from it, and the real-time dashboard.
 */
public final class AnalyticsService {
    static final int MAX_DAYS = 3660;

    private final Database db;

    public AnalyticsService(Database db) {
        this.db = db;
    }

    /**
     * What one run did: the local days it covered (first to last), how many (instructor, day) pairs it
     * recomputed (null for a full range: every instructor's days), and how many rows changed.
     */
    public record AggregateResult(LocalDate from, LocalDate to, long days, Integer pairs, int rowsWritten) {
    }

    /**
     * Recomputes the given local days of every instructor, or without dates the dirty set: exactly the
     * (instructor, day) pairs whose appointments, time blocks or patterns changed since the last run (kept by
     * triggers, drained in this transaction), plus every instructor's recent days (UTC today -2 .. +1, which
     * holds each zone's yesterday and today), so a cron run also fills days without appointments.
     */
    public AggregateResult aggregate(Checked<LocalDate> fromDay, Checked<LocalDate> toDay, Clock clock) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate from;
        LocalDate to;
        boolean dirty = fromDay == null && toDay == null;
        if (!dirty) {
            from = fromDay != null ? fromDay.get() : toDay.get();
            to = toDay != null ? toDay.get() : from;
        } else {
            from = today.minusDays(2);
            to = today.plusDays(1);
        }
        checkRange(from, to);
        return db.inTransaction(handle -> {
            Access.requireAdmin(handle, "aggregate analytics");
            return handle.createQuery("SELECT rows_written, pairs, first_day, last_day FROM analytics_recompute(:from, :to, :dirty)")
                    .bind("from", from).bind("to", to).bind("dirty", dirty)
                    .map((rs, ctx) -> {
                        LocalDate first = rs.getObject("first_day", LocalDate.class);
                        LocalDate last = rs.getObject("last_day", LocalDate.class);
                        int pairs = rs.getInt("pairs");
                        Integer pairCount = rs.wasNull() ? null : pairs;
                        return new AggregateResult(first, last, ChronoUnit.DAYS.between(first, last) + 1, pairCount,
                                rs.getInt("rows_written"));
                    })
                    .one();
        });
    }

    /** Report rows from appointment_analytics; without dates, the 30 days up to today. */
    public List<ReportRow> report(String instructor, Checked<LocalDate> fromDay, Checked<LocalDate> toDay, String by, Clock clock) {
        ReportGrain grain = ReportGrain.parse(by);
        LocalDate[] range = reportRange(fromDay, toDay, clock);
        LocalDate from = range[0];
        LocalDate to = range[1];
        return db.inTransaction(handle -> {
            // RLS alone would answer another instructor's report with an empty table; say why instead.
            Access.requireNotStudent(handle, "read analytics reports");
            Long instructorId = instructor == null ? null : Lookups.instructor(handle, instructor).id();
            if (instructorId != null) {
                Access.requireSelfOrAdmin(handle, instructorId, "read the analytics of " + instructor.trim());
            }
            // A year of a large school is ~600k daily rows: hash them in memory rather than on disk.
            handle.execute("SET LOCAL work_mem = '64MB'");
            // Two hash aggregations instead of DISTINCT aggregates: per (period, instructor, currency), then per
            // (period, instructor); the period label is written once per output row, not once per day.
            return handle.createQuery("""
                            WITH per_currency AS (
                                SELECT date_trunc(:unit, a.day::timestamp)::date AS start, a.instructor_id,
                                       nullif(a.currency, '') AS currency,
                                       sum(a.booked) AS booked, sum(a.completed) AS completed, sum(a.cancelled) AS cancelled,
                                       sum(a.no_show) AS no_show, sum(a.declined) AS declined,
                                       sum(a.booked_minutes) AS booked_minutes, sum(a.available_minutes) AS available_minutes,
                                       sum(a.revenue) AS revenue, sum(a.fees) AS fees
                                FROM appointment_analytics a
                                WHERE a.day BETWEEN :from AND :to AND (:instructor::bigint IS NULL OR a.instructor_id = :instructor)
                                GROUP BY 1, 2, 3
                            )
                            SELECT to_char(p.start, :format) AS period, u.email AS instructor,
                                   sum(p.booked) AS booked, sum(p.completed) AS completed, sum(p.cancelled) AS cancelled,
                                   sum(p.no_show) AS no_show, sum(p.declined) AS declined,
                                   sum(p.booked_minutes) AS booked_minutes, sum(p.available_minutes) AS available_minutes,
                                   CASE WHEN count(p.currency) <= 1 THEN sum(p.revenue) END AS revenue,
                                   CASE WHEN count(p.currency) <= 1 THEN sum(p.fees) END AS fees,
                                   string_agg(p.currency, ',' ORDER BY p.currency) AS currency
                            FROM per_currency p JOIN users u ON u.id = p.instructor_id
                            GROUP BY p.start, u.email
                            ORDER BY p.start, u.email
                            """)
                    .bind("unit", grain.name()).bind("format", grain.sqlFormat()).bind("from", from).bind("to", to)
                    .bind("instructor", instructorId)
                    .map((rs, ctx) -> new ReportRow(rs.getString("period"), rs.getString("instructor"), rs.getLong("booked"),
                            rs.getLong("completed"), rs.getLong("cancelled"), rs.getLong("no_show"),
                            Utilization.of(rs.getLong("booked_minutes"), rs.getLong("available_minutes")),
                            money(rs.getBigDecimal("revenue")), money(rs.getBigDecimal("fees")),
                            rs.getString("currency"), rs.getLong("declined"), rs.getLong("booked_minutes"),
                            rs.getLong("available_minutes")))
                    .list();
        });
    }

    /**
     * This range against the previous one of the same length (ending the day before it starts), per instructor
     * and for all of them together ("(all)", last), from appointment_analytics.
     */
    public List<ComparisonRow> compare(String instructor, Checked<LocalDate> fromDay, Checked<LocalDate> toDay, Clock clock) {
        LocalDate[] range = reportRange(fromDay, toDay, clock);
        long days = ChronoUnit.DAYS.between(range[0], range[1]) + 1;
        LocalDate prevFrom = range[0].minusDays(days);
        LocalDate prevTo = range[0].minusDays(1);
        return db.inTransaction(handle -> {
            Access.requireNotStudent(handle, "read analytics reports");
            Long instructorId = instructor == null ? null : Lookups.instructor(handle, instructor).id();
            if (instructorId != null) {
                Access.requireSelfOrAdmin(handle, instructorId, "read the analytics of " + instructor.trim());
            }
            return handle.createQuery("""
                            WITH r AS (
                                SELECT a.instructor_id, a.day >= :from AS now, nullif(a.currency, '') AS currency,
                                       a.booked, a.completed, a.cancelled, a.no_show, a.booked_minutes, a.available_minutes,
                                       a.revenue
                                FROM appointment_analytics a
                                WHERE a.day BETWEEN :prevFrom AND :to AND (:instructor::bigint IS NULL OR a.instructor_id = :instructor)
                            )
                            SELECT coalesce(u.email, '(all)') AS instructor,
                                   sum(booked) FILTER (WHERE now) AS booked, sum(booked) FILTER (WHERE NOT now) AS p_booked,
                                   sum(completed) FILTER (WHERE now) AS completed, sum(completed) FILTER (WHERE NOT now) AS p_completed,
                                   sum(cancelled) FILTER (WHERE now) AS cancelled, sum(cancelled) FILTER (WHERE NOT now) AS p_cancelled,
                                   sum(no_show) FILTER (WHERE now) AS no_show, sum(no_show) FILTER (WHERE NOT now) AS p_no_show,
                                   sum(booked_minutes) FILTER (WHERE now) AS bm, sum(booked_minutes) FILTER (WHERE NOT now) AS p_bm,
                                   sum(available_minutes) FILTER (WHERE now) AS am, sum(available_minutes) FILTER (WHERE NOT now) AS p_am,
                                   CASE WHEN count(DISTINCT currency) <= 1 THEN coalesce(sum(revenue) FILTER (WHERE now), 0) END AS revenue,
                                   CASE WHEN count(DISTINCT currency) <= 1 THEN coalesce(sum(revenue) FILTER (WHERE NOT now), 0) END AS p_revenue,
                                   string_agg(DISTINCT currency, ',') AS currency
                            FROM r LEFT JOIN users u ON u.id = r.instructor_id
                            GROUP BY GROUPING SETS ((u.email), ())
                            ORDER BY u.email NULLS LAST
                            """)
                    .bind("from", range[0]).bind("to", range[1]).bind("prevFrom", prevFrom).bind("instructor", instructorId)
                    .map((rs, ctx) -> {
                        long booked = rs.getLong("booked");
                        long prev = rs.getLong("p_booked");
                        return new ComparisonRow(rs.getString("instructor"), range[0] + ".." + range[1], prevFrom + ".." + prevTo,
                                booked, prev, prev == 0 ? null : rate(booked - prev, prev), rs.getLong("completed"),
                                rs.getLong("p_completed"), rate(rs.getLong("cancelled"), booked), rate(rs.getLong("p_cancelled"), prev),
                                rate(rs.getLong("no_show"), booked), rate(rs.getLong("p_no_show"), prev),
                                Utilization.of(rs.getLong("bm"), rs.getLong("am")), Utilization.of(rs.getLong("p_bm"), rs.getLong("p_am")),
                                money(rs.getBigDecimal("revenue")), money(rs.getBigDecimal("p_revenue")), rs.getString("currency"));
                    })
                    .list();
        });
    }

    /** The keys `analytics instructors --sort` accepts; metrics sort best first, the name A to Z. */
    public static final List<String> INSTRUCTOR_SORTS = List.of("instructor", "booked", "completion", "no-show", "rating",
            "confirm", "lead", "utilization", "revenue");

    /**
     * Per-instructor performance over the local days from..to (default: the 30 days up to today): counts and rates
     * from the appointments, utilization from appointment_analytics (so `analytics aggregate` first).
     */
    public List<InstructorRow> instructors(Checked<LocalDate> fromDay, Checked<LocalDate> toDay, String sort, Clock clock) {
        String key = sort == null ? "instructor" : sort.trim().toLowerCase(java.util.Locale.ROOT);
        if (!INSTRUCTOR_SORTS.contains(key)) {
            throw new InvalidInputException("unknown sort key '" + sort + "'. Use --sort " + String.join(", ", INSTRUCTOR_SORTS));
        }
        LocalDate[] range = reportRange(fromDay, toDay, clock);
        List<InstructorRow> rows = db.inTransaction(handle -> {
            Access.requireNotStudent(handle, "read instructor analytics");
            return handle.createQuery("""
                            WITH appts AS (
                                SELECT a.instructor_id, a.status, a.rating, a.price, a.currency, a.created_at, a.confirmed_at, a.starts_at
                                FROM appointments a JOIN users u ON u.id = a.instructor_id
                                WHERE a.status <> 'held'
                                  AND a.starts_at >= (:from::date - 1)::timestamp AT TIME ZONE 'UTC'
                                  AND a.starts_at < (:to::date + 2)::timestamp AT TIME ZONE 'UTC'
                                  AND (a.starts_at AT TIME ZONE u.timezone)::date BETWEEN :from AND :to
                            ), per AS (
                                SELECT instructor_id, count(*) AS booked,
                                       count(*) FILTER (WHERE status = 'completed') AS completed,
                                       count(*) FILTER (WHERE status = 'no_show') AS no_show,
                                       count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
                                       round(avg(rating) FILTER (WHERE status = 'completed'), 2) AS avg_rating,
                                       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM confirmed_at - created_at))
                                              FILTER (WHERE confirmed_at IS NOT NULL))::numeric / 60, 1) AS confirm_minutes,
                                       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM starts_at - created_at)))::numeric / 3600, 1) AS lead_hours,
                                       CASE WHEN count(DISTINCT currency) <= 1 THEN coalesce(sum(price) FILTER (WHERE status = 'completed'), 0) END AS revenue,
                                       string_agg(DISTINCT currency, ',') AS currency
                                FROM appts GROUP BY instructor_id
                            ), minutes AS (
                                SELECT instructor_id, sum(booked_minutes) AS booked_minutes, sum(available_minutes) AS available_minutes
                                FROM appointment_analytics WHERE day BETWEEN :from AND :to GROUP BY instructor_id
                            )
                            SELECT u.email, coalesce(p.booked, 0) AS booked, coalesce(p.completed, 0) AS completed,
                                   coalesce(p.no_show, 0) AS no_show, coalesce(p.cancelled, 0) AS cancelled, p.avg_rating,
                                   p.confirm_minutes, p.lead_hours, coalesce(p.revenue, CASE WHEN p.instructor_id IS NULL THEN 0 END) AS revenue,
                                   p.currency, coalesce(m.booked_minutes, 0) AS booked_minutes, coalesce(m.available_minutes, 0) AS available_minutes
                            FROM users u
                            LEFT JOIN per p ON p.instructor_id = u.id
                            LEFT JOIN minutes m ON m.instructor_id = u.id
                            WHERE u.role = 'instructor' AND (u.active OR p.instructor_id IS NOT NULL)
                              AND ((SELECT app_is_admin()) OR u.id = (SELECT app_current_user_id()))
                            ORDER BY u.email
                            """)
                    .bind("from", range[0]).bind("to", range[1])
                    .map((rs, ctx) -> {
                        long booked = rs.getLong("booked");
                        return new InstructorRow(rs.getString("email"), booked, rs.getLong("completed"), rs.getLong("no_show"),
                                rs.getLong("cancelled"), rate(rs.getLong("completed"), booked), rate(rs.getLong("no_show"), booked),
                                rs.getBigDecimal("avg_rating"), rs.getBigDecimal("confirm_minutes"), rs.getBigDecimal("lead_hours"),
                                Utilization.of(rs.getLong("booked_minutes"), rs.getLong("available_minutes")),
                                money(rs.getBigDecimal("revenue")), rs.getString("currency"));
                    })
                    .list();
        });
        java.util.Comparator<InstructorRow> byName = java.util.Comparator.comparing(InstructorRow::instructor);
        java.util.Comparator<InstructorRow> order = switch (key) {
            case "booked" -> java.util.Comparator.comparingLong(InstructorRow::booked).reversed();
            case "completion" -> desc(InstructorRow::completionRate);
            case "no-show" -> asc(InstructorRow::noShowRate);
            case "rating" -> desc(InstructorRow::avgRating);
            case "confirm" -> asc(InstructorRow::medianConfirmMinutes);
            case "lead" -> desc(InstructorRow::medianLeadHours);
            case "utilization" -> desc(InstructorRow::utilization);
            case "revenue" -> desc(InstructorRow::revenue);
            default -> byName;
        };
        return rows.stream().sorted(order.thenComparing(byName)).toList();
    }

    private static java.util.Comparator<InstructorRow> desc(java.util.function.Function<InstructorRow, BigDecimal> f) {
        return java.util.Comparator.comparing(f, java.util.Comparator.nullsLast(java.util.Comparator.<BigDecimal>reverseOrder()));
    }

    private static java.util.Comparator<InstructorRow> asc(java.util.function.Function<InstructorRow, BigDecimal> f) {
        return java.util.Comparator.comparing(f, java.util.Comparator.nullsLast(java.util.Comparator.<BigDecimal>naturalOrder()));
    }

    private static BigDecimal rate(long part, long whole) {
        return whole == 0 ? null : BigDecimal.valueOf(part).divide(BigDecimal.valueOf(whole), 4, java.math.RoundingMode.HALF_UP);
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

    /** The days a report covers: the given ones, or the 30 days up to today (UTC). */
    public static LocalDate[] reportRange(Checked<LocalDate> fromDay, Checked<LocalDate> toDay, Clock clock) {
        LocalDate to = toDay != null ? toDay.get() : LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate from = fromDay != null ? fromDay.get() : to.minusDays(29);
        checkRange(from, to);
        return new LocalDate[] {from, to};
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
