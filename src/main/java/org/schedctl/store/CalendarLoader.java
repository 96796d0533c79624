package org.schedctl.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jdbi.v3.core.Handle;
import org.schedctl.domain.availability.BusyBooking;
import org.schedctl.domain.availability.InstructorCalendar;
import org.schedctl.domain.availability.Interval;
import org.schedctl.domain.availability.IntervalSet;
import org.schedctl.domain.availability.SlotPolicy;
import org.schedctl.domain.availability.WeeklyRule;

/**
 * Loads everything slot computation needs for many instructors in five set-based queries (instructors with
 * settings, types, weekly rules, block occurrences, active bookings), whatever the number of instructors.
 * Settings and bookings of other users are read through SECURITY DEFINER functions (V12), so a student sees
 * the same slots as an administrator under row-level security.
 * The ranges match those of get_available_slots_comprehensive so the Java and SQL answers agree.
 */
public final class CalendarLoader {
    /** Bookings this far either side of the range are loaded, for per-day counts and back-to-back chains. */
    public static final Duration BOOKING_MARGIN = Duration.ofHours(192);
    /** Block occurrences this far either side are loaded, so a free window's true start is seen. */
    public static final Duration OCCURRENCE_MARGIN = Duration.ofDays(40);
    private static final Duration DEFAULT_MAX_ADVANCE = Duration.ofDays(90);

    private CalendarLoader() {
    }

    /** An appointment type with the policy fields slots need (null fields fall back to the instructor). */
    public record TypeRow(long id, long instructorId, String slug, Duration duration, Duration bufferBefore,
                          Duration bufferAfter, Duration minNotice, Duration maxAdvance, Duration slotInterval) {
    }

    /** One instructor's calendar with the settings and types that shape slots. */
    public record Loaded(long id, String email, ZoneId zone, Duration bufferBefore, Duration bufferAfter,
                         Duration minNotice, Duration maxAdvance, int maxDaily, int maxConsecutive, List<TypeRow> types,
                         InstructorCalendar calendar) {

        /** The slot policy of {@code type}: its own buffers and windows, else this instructor's. */
        public SlotPolicy policy(TypeRow type) {
            return new SlotPolicy(type.duration(), or(type.bufferBefore(), bufferBefore), or(type.bufferAfter(), bufferAfter),
                    type.slotInterval(), or(type.minNotice(), minNotice), or(type.maxAdvance(), maxAdvance), maxDaily,
                    maxConsecutive);
        }

        private static Duration or(Duration first, Duration second) {
            return first != null ? first : second;
        }
    }

    public static Map<Long, Loaded> load(Handle handle, long[] instructorIds, Instant from, Instant to, Instant now) {
        Map<Long, Builder> builders = new LinkedHashMap<>();
        handle.createQuery("""
                        SELECT instructor_id, email, timezone, buffer_before_ms, buffer_after_ms, min_notice_ms,
                               max_advance_ms, max_daily, max_consecutive
                        FROM availability_instructor_policies(:ids)
                        """)
                .bind("ids", instructorIds)
                .map((rs, ctx) -> {
                    Builder b = new Builder(rs.getLong(1), rs.getString(2), ZoneId.of(rs.getString(3)),
                            millis(rs, 4, Duration.ZERO), millis(rs, 5, Duration.ZERO), millis(rs, 6, Duration.ZERO),
                            millis(rs, 7, DEFAULT_MAX_ADVANCE), rs.getInt(8), rs.getInt(9));
                    return builders.put(b.id, b);
                }).list();
        handle.createQuery("""
                        SELECT id, instructor_id, slug, availability_ms(duration), availability_ms(buffer_before),
                               availability_ms(buffer_after), availability_ms(min_notice), availability_ms(max_advance),
                               availability_ms(slot_interval)
                        FROM appointment_types WHERE instructor_id = ANY(:ids) AND archived_at IS NULL ORDER BY id
                        """)
                .bind("ids", instructorIds)
                .map((rs, ctx) -> {
                    TypeRow type = new TypeRow(rs.getLong(1), rs.getLong(2), rs.getString(3), millis(rs, 4, null),
                            millis(rs, 5, null), millis(rs, 6, null), millis(rs, 7, null), millis(rs, 8, null), millis(rs, 9, null));
                    Builder owner = builders.get(type.instructorId());
                    if (owner != null) {
                        owner.types.add(type);
                    }
                    return type;
                }).list();
        handle.createQuery("""
                        SELECT instructor_id, day_of_week, start_time, end_time, timezone, effective_from, effective_until, type_id
                        FROM instructor_availability WHERE instructor_id = ANY(:ids)
                        """)
                .bind("ids", instructorIds)
                .map((rs, ctx) -> {
                    WeeklyRule rule = new WeeklyRule(DayOfWeek.of(rs.getInt(2)), rs.getObject(3, LocalTime.class),
                            rs.getObject(4, LocalTime.class), zone(rs.getString(5)), rs.getObject(6, LocalDate.class),
                            rs.getObject(7, LocalDate.class), (Long) rs.getObject(8));
                    Builder owner = builders.get(rs.getLong(1));
                    if (owner != null) {
                        owner.rules.add(rule);
                    }
                    return rule;
                }).list();
        handle.createQuery("""
                        SELECT instructor_id, kind, lower(during), upper(during) FROM time_block_occurrences
                        WHERE instructor_id = ANY(:ids) AND during && tstzrange(:from, :to, '[)')
                        """)
                .bind("ids", instructorIds)
                .bind("from", utc(from.minus(OCCURRENCE_MARGIN)))
                .bind("to", utc(to.plus(OCCURRENCE_MARGIN)))
                .map((rs, ctx) -> {
                    Builder b = builders.get(rs.getLong(1));
                    Interval during = new Interval(instant(rs, 3), instant(rs, 4));
                    if (b == null) {
                        return during;
                    }
                    switch (rs.getString(2)) {
                        case "available" -> b.available.add(during);
                        case "unavailable" -> b.unavailable.add(during);
                        default -> b.vacation.add(during);
                    }
                    return during;
                }).list();
        handle.createQuery("SELECT instructor_id, starts_at, ends_at, blocked_from, blocked_to FROM availability_busy(:ids, :from, :to, :now)")
                .bind("now", utc(now))
                .bind("ids", instructorIds)
                .bind("from", utc(from.minus(BOOKING_MARGIN)))
                .bind("to", utc(to.plus(BOOKING_MARGIN)))
                .map((rs, ctx) -> {
                    BusyBooking booking = new BusyBooking(new Interval(instant(rs, 2), instant(rs, 3)),
                            new Interval(instant(rs, 4), instant(rs, 5)));
                    Builder owner = builders.get(rs.getLong(1));
                    if (owner != null) {
                        owner.bookings.add(booking);
                    }
                    return booking;
                }).list();
        Map<Long, Loaded> loaded = new LinkedHashMap<>();
        builders.forEach((id, b) -> loaded.put(id, b.build()));
        return loaded;
    }

    private static final Map<String, ZoneId> ZONES = new java.util.concurrent.ConcurrentHashMap<>();

    private static ZoneId zone(String id) {
        return ZONES.computeIfAbsent(id, ZoneId::of);
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    private static Duration millis(ResultSet rs, int column, Duration whenNull) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? whenNull : Duration.ofMillis(value);
    }

    private static final class Builder {
        final long id;
        final String email;
        final ZoneId zone;
        final Duration bufferBefore;
        final Duration bufferAfter;
        final Duration minNotice;
        final Duration maxAdvance;
        final int maxDaily;
        final int maxConsecutive;
        final List<TypeRow> types = new ArrayList<>();
        final List<WeeklyRule> rules = new ArrayList<>();
        final List<Interval> available = new ArrayList<>();
        final List<Interval> unavailable = new ArrayList<>();
        final List<Interval> vacation = new ArrayList<>();
        final List<BusyBooking> bookings = new ArrayList<>();

        Builder(long id, String email, ZoneId zone, Duration bufferBefore, Duration bufferAfter, Duration minNotice,
                Duration maxAdvance, int maxDaily, int maxConsecutive) {
            this.id = id;
            this.email = email;
            this.zone = zone;
            this.bufferBefore = bufferBefore;
            this.bufferAfter = bufferAfter;
            this.minNotice = minNotice;
            this.maxAdvance = maxAdvance;
            this.maxDaily = maxDaily;
            this.maxConsecutive = maxConsecutive;
        }

        Loaded build() {
            return new Loaded(id, email, zone, bufferBefore, bufferAfter, minNotice, maxAdvance, maxDaily, maxConsecutive,
                    List.copyOf(types), new InstructorCalendar(zone, rules, IntervalSet.of(available),
                    IntervalSet.of(unavailable), IntervalSet.of(vacation), bookings));
        }
    }
}
