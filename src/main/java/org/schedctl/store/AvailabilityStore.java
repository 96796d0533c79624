package org.schedctl.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jdbi.v3.core.Handle;
import org.schedctl.domain.availability.WeeklyMerge;

/**
 * The SQL of weekly patterns and time blocks. Bulk paths stage rows with COPY into temporary tables and merge
 * them with a few set-based statements; nothing here writes row by row.
 */
public final class AvailabilityStore {
    public static final String ACTIVE_STATUSES = "('held', 'pending', 'confirmed')";

    private final Handle handle;

    public AvailabilityStore(Handle handle) {
        this.handle = handle;
    }

    public Handle handle() {
        return handle;
    }

    /** An instructor as the availability commands need it. */
    public record InstructorRef(long id, String email, String role, String timezone) {
    }

    /** An appointment type as the availability commands need it. */
    public record TypeRef(long id, long instructorId, String slug, boolean archived) {
    }

    /** Instructors named by id or email (any case), keyed by the name as given. */
    public Map<String, InstructorRef> resolveUsers(Collection<String> idents) {
        Map<String, InstructorRef> found = new HashMap<>();
        if (idents.isEmpty()) {
            return found;
        }
        handle.createQuery("""
                        SELECT n.ident, u.id, u.email, u.role, u.timezone
                        FROM unnest(:idents::text[]) AS n(ident)
                        JOIN users u ON u.id = resolve_name('active_user', n.ident)
                        """)
                .bind("idents", idents.toArray(String[]::new))
                .map((rs, ctx) -> found.put(rs.getString(1),
                        new InstructorRef(rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5))))
                .list();
        return found;
    }

    /** Appointment types named by id or slug, keyed by the name as given. */
    public Map<String, TypeRef> resolveTypes(Collection<String> idents) {
        Map<String, TypeRef> found = new HashMap<>();
        if (idents.isEmpty()) {
            return found;
        }
        handle.createQuery("""
                        SELECT n.ident, t.id, t.instructor_id, t.slug, t.archived_at IS NOT NULL
                        FROM unnest(:idents::text[]) AS n(ident)
                        JOIN appointment_types t ON t.id = resolve_name('type', n.ident)
                        """)
                .bind("idents", idents.toArray(String[]::new))
                .map((rs, ctx) -> found.put(rs.getString(1),
                        new TypeRef(rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getBoolean(5))))
                .list();
        return found;
    }

    // ------------------------------------------------------------------------------------------------
    // Weekly patterns
    // ------------------------------------------------------------------------------------------------

    public void createWeeklyStage() {
        handle.execute("""
                CREATE TEMP TABLE IF NOT EXISTS availability_stage_weekly (
                    line bigint, instructor_id bigint, day_of_week smallint, start_time time, end_time time,
                    timezone text, effective_from date, effective_until date, type_id bigint
                ) ON COMMIT DROP""");
        handle.execute("TRUNCATE availability_stage_weekly");
    }

    public CopyWriter weeklyStageWriter() {
        return new CopyWriter(handle, "availability_stage_weekly",
                "line, instructor_id, day_of_week, start_time, end_time, timezone, effective_from, effective_until, type_id");
    }

    /**
     * Serialises weekly-pattern changes per instructor for the rest of the transaction, so two merges of the same
     * instructor's ranges cannot interleave between reading the stored rules and writing the merged ones.
     */
    public void lockInstructors(long[] instructorIds) {
        long[] sorted = instructorIds.clone();
        java.util.Arrays.sort(sorted);
        handle.createQuery("SELECT count(pg_advisory_xact_lock(3, (id % 2147483647)::int)) FROM unnest(:ids::bigint[]) AS u(id)")
                .bind("ids", sorted).mapTo(Long.class).one();
    }

    /** The stored weekly rules of these instructors, as merge input. */
    public List<WeeklyMerge.Stored> storedRules(long[] instructorIds) {
        return handle.createQuery("""
                        SELECT id, instructor_id, day_of_week, start_time, end_time, timezone, effective_from, effective_until, type_id
                        FROM instructor_availability WHERE instructor_id = ANY(:ids)""")
                .bind("ids", instructorIds)
                .map((rs, ctx) -> new WeeklyMerge.Stored(rs.getLong(1), new WeeklyMerge.Group(rs.getLong(2), DayOfWeek.of(rs.getInt(3)),
                        rs.getString(6), (Long) rs.getObject(9), rs.getObject(7, LocalDate.class), rs.getObject(8, LocalDate.class)),
                        rs.getObject(4, LocalTime.class), rs.getObject(5, LocalTime.class)))
                .list();
    }

    /** What a merge did: rules inserted and deleted, and new ranges that were already covered. */
    public record MergeCounts(long created, long removed, long unchanged) {
    }

    /**
     * Applies a merge plan set-based: one DELETE of the replaced rules, the merged rules COPYed into a staging
     * table and inserted with one INSERT ... SELECT. The caller holds the instructors' lock ({@link #lockInstructors})
     * and planned against the rules stored under it, so an insert never meets an identical rule: a plain INSERT
     * (no ON CONFLICT, whose speculative insertion costs about a fifth of the statement) and should one ever
     * collide, the unique key fails the whole transaction rather than silently dropping a row.
     */
    public MergeCounts apply(WeeklyMerge.Plan plan) {
        long removed = plan.deleteIds().isEmpty() ? 0 : handle.createUpdate("DELETE FROM instructor_availability WHERE id = ANY(:ids)")
                .bind("ids", plan.deleteIds().stream().mapToLong(Long::longValue).toArray()).execute();
        long created = 0;
        if (!plan.inserts().isEmpty()) {
            createWeeklyStage();
            CopyWriter stage = weeklyStageWriter();
            for (WeeklyMerge.Rule rule : plan.inserts()) {
                WeeklyMerge.Group g = rule.group();
                stage.add(0).add(g.instructorId()).add(g.day().getValue()).add(rule.start()).add(rule.end()).add(g.zone())
                        .add(g.effectiveFrom()).add(g.effectiveUntil()).add(g.typeId()).endRow();
            }
            stage.flush();
            created = handle.createUpdate("""
                    INSERT INTO instructor_availability
                        (instructor_id, day_of_week, start_time, end_time, timezone, effective_from, effective_until, type_id)
                    SELECT instructor_id, day_of_week, start_time, end_time, timezone, effective_from, effective_until, type_id
                    FROM availability_stage_weekly""").execute();
        }
        return new MergeCounts(created, removed, plan.unchanged());
    }

    /** A stored weekly rule, as `availability list` and `set` show it. */
    public record WeeklyRuleRow(long id, long instructorId, String instructor, DayOfWeek day, LocalTime startTime,
                                LocalTime endTime, String timezone, LocalDate effectiveFrom, LocalDate effectiveUntil,
                                Long typeId, String type) {
    }

    private static final String WEEKLY_SELECT = """
            SELECT a.id, a.instructor_id, u.email, a.day_of_week, a.start_time, a.end_time, a.timezone,
                   a.effective_from, a.effective_until, a.type_id, t.slug
            FROM instructor_availability a
            JOIN users u ON u.id = a.instructor_id
            LEFT JOIN appointment_types t ON t.id = a.type_id
            """;

    public List<WeeklyRuleRow> weeklyRules(long instructorId) {
        return handle.createQuery(WEEKLY_SELECT + " WHERE a.instructor_id = :id ORDER BY a.day_of_week, a.start_time, a.id")
                .bind("id", instructorId)
                .map((rs, ctx) -> weeklyRow(rs))
                .list();
    }

    private static WeeklyRuleRow weeklyRow(ResultSet rs) throws SQLException {
        return new WeeklyRuleRow(rs.getLong(1), rs.getLong(2), rs.getString(3), DayOfWeek.of(rs.getInt(4)),
                rs.getObject(5, LocalTime.class), rs.getObject(6, LocalTime.class), rs.getString(7),
                rs.getObject(8, LocalDate.class), rs.getObject(9, LocalDate.class), (Long) rs.getObject(10), rs.getString(11));
    }

    // ------------------------------------------------------------------------------------------------
    // Time blocks
    // ------------------------------------------------------------------------------------------------

    public void createBlockStage() {
        handle.execute("""
                CREATE TEMP TABLE IF NOT EXISTS availability_stage_blocks (
                    line bigint, instructor_id bigint, kind text, starts_at timestamptz, ends_at timestamptz,
                    timezone text, local_start timestamp, local_end timestamp, rrule text, reason text,
                    expanded_until timestamptz, exdates timestamptz[] NOT NULL DEFAULT '{}'
                ) ON COMMIT DROP""");
        handle.execute("TRUNCATE availability_stage_blocks");
    }

    public CopyWriter blockStageWriter() {
        return new CopyWriter(handle, "availability_stage_blocks",
                "line, instructor_id, kind, starts_at, ends_at, timezone, local_start, local_end, rrule, reason, expanded_until, exdates");
    }

    /** A block inserted from the stage, with the staged line it came from. */
    public record InsertedBlock(long id, long line) {
    }

    /**
     * Inserts the staged blocks that do not exist yet (same instructor, kind, instants, zone and rule), and returns
     * them with their staged line. Duplicates within the stage count once.
     */
    public List<InsertedBlock> insertStagedBlocks(String source, long actorId) {
        return handle.createQuery("""
                        WITH inserted AS (
                            INSERT INTO time_blocks (instructor_id, kind, starts_at, ends_at, timezone, local_start, local_end,
                                                     rrule, reason, source, expanded_until, created_by, exdates)
                            SELECT DISTINCT ON (instructor_id, kind, starts_at, ends_at, timezone, coalesce(rrule, ''))
                                   instructor_id, kind, starts_at, ends_at, timezone, local_start, local_end, rrule, reason,
                                   :source, expanded_until, :actor, exdates
                            FROM availability_stage_blocks
                            ORDER BY instructor_id, kind, starts_at, ends_at, timezone, coalesce(rrule, ''), line
                            ON CONFLICT DO NOTHING
                            RETURNING id, instructor_id, kind, starts_at, ends_at, timezone, rrule
                        )
                        SELECT i.id, min(s.line)
                        FROM inserted i
                        JOIN availability_stage_blocks s
                          ON s.instructor_id = i.instructor_id AND s.kind = i.kind AND s.starts_at = i.starts_at
                         AND s.ends_at = i.ends_at AND s.timezone = i.timezone AND coalesce(s.rrule, '') = coalesce(i.rrule, '')
                        GROUP BY i.id
                        """)
                .bind("source", source)
                .bind("actor", actorId)
                .map((rs, ctx) -> new InsertedBlock(rs.getLong(1), rs.getLong(2)))
                .list();
    }

    /**
     * Occurrences are COPYed into a temporary table and moved with one INSERT ... SELECT by {@link #insertStagedOccurrences}:
     * COPY FROM is not allowed into a table under row-level security.
     */
    public CopyWriter occurrenceWriter() {
        handle.execute("""
                CREATE TEMP TABLE IF NOT EXISTS availability_stage_occurrences (
                    block_id bigint, instructor_id bigint, kind text, during tstzrange
                ) ON COMMIT DROP""");
        handle.execute("TRUNCATE availability_stage_occurrences");
        return new CopyWriter(handle, "availability_stage_occurrences", "block_id, instructor_id, kind, during");
    }

    /**
     * Moves staged occurrences of blocks this transaction has just inserted: no stored occurrence can share their
     * block id, and one block's occurrences have distinct starts, so a plain INSERT (no ON CONFLICT) suffices.
     */
    public long insertStagedOccurrencesOfNewBlocks() {
        return handle.createUpdate("""
                INSERT INTO time_block_occurrences (block_id, instructor_id, kind, during)
                SELECT block_id, instructor_id, kind, during FROM availability_stage_occurrences""").execute();
    }

    public long insertStagedOccurrences() {
        return handle.createUpdate("""
                INSERT INTO time_block_occurrences (block_id, instructor_id, kind, during)
                SELECT block_id, instructor_id, kind, during FROM availability_stage_occurrences
                ON CONFLICT DO NOTHING""").execute();
    }

    /** A stored time block. */
    public record BlockRowView(long id, long instructorId, String instructor, String kind, Instant start, Instant end,
                               String timezone, LocalDateTime localStart, LocalDateTime localEnd, String rrule,
                               List<Instant> exdates, String reason, String source, Instant expandedUntil) {
    }

    private static final String BLOCK_SELECT = """
            SELECT b.id, b.instructor_id, u.email, b.kind, b.starts_at, b.ends_at, b.timezone, b.local_start, b.local_end,
                   b.rrule, b.exdates, b.reason, b.source, b.expanded_until
            FROM time_blocks b JOIN users u ON u.id = b.instructor_id
            """;

    public List<BlockRowView> blocks(long instructorId) {
        return handle.createQuery(BLOCK_SELECT + " WHERE b.instructor_id = :id ORDER BY b.starts_at, b.id")
                .bind("id", instructorId).map((rs, ctx) -> blockRow(rs)).list();
    }

    public java.util.Optional<BlockRowView> block(long id) {
        return handle.createQuery(BLOCK_SELECT + " WHERE b.id = :id").bind("id", id).map((rs, ctx) -> blockRow(rs)).findOne();
    }

    /** Recurring blocks whose stored occurrences stop before {@code horizon}, locked against a concurrent job. */
    public List<BlockRowView> blocksToExtend(Instant horizon) {
        return handle.createQuery(BLOCK_SELECT + """
                         WHERE b.rrule IS NOT NULL AND (b.expanded_until IS NULL OR b.expanded_until < :horizon)
                        ORDER BY b.id FOR UPDATE OF b SKIP LOCKED""")
                .bind("horizon", OffsetDateTime.ofInstant(horizon, java.time.ZoneOffset.UTC))
                .map((rs, ctx) -> blockRow(rs)).list();
    }

    public void setExpandedUntil(long[] ids, Instant horizon) {
        handle.createUpdate("UPDATE time_blocks SET expanded_until = :horizon WHERE id = ANY(:ids)")
                .bind("horizon", OffsetDateTime.ofInstant(horizon, java.time.ZoneOffset.UTC))
                .bind("ids", ids)
                .execute();
    }

    public int deleteBlock(long id) {
        return handle.createUpdate("DELETE FROM time_blocks WHERE id = :id").bind("id", id).execute();
    }

    private static BlockRowView blockRow(ResultSet rs) throws SQLException {
        java.sql.Array array = rs.getArray(11);
        List<Instant> exdates = new java.util.ArrayList<>();
        if (array != null) {
            try (ResultSet items = array.getResultSet()) {
                while (items.next()) {
                    exdates.add(items.getObject(2, OffsetDateTime.class).toInstant());
                }
            }
        }
        OffsetDateTime expanded = rs.getObject(14, OffsetDateTime.class);
        return new BlockRowView(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                rs.getObject(5, OffsetDateTime.class).toInstant(), rs.getObject(6, OffsetDateTime.class).toInstant(),
                rs.getString(7), rs.getObject(8, LocalDateTime.class), rs.getObject(9, LocalDateTime.class), rs.getString(10),
                List.copyOf(exdates), rs.getString(12), rs.getString(13), expanded == null ? null : expanded.toInstant());
    }

    /** Active appointments of an instructor overlapping [from, to). */
    public long activeBookings(long instructorId, Instant from, Instant to) {
        return handle.createQuery("SELECT count(*) FROM appointments WHERE instructor_id = :id AND status IN " + ACTIVE_STATUSES
                        + " AND tstzrange(starts_at, ends_at, '[)') && tstzrange(:from, :to, '[)')")
                .bind("id", instructorId)
                .bind("from", OffsetDateTime.ofInstant(from, java.time.ZoneOffset.UTC))
                .bind("to", OffsetDateTime.ofInstant(to, java.time.ZoneOffset.UTC))
                .mapTo(Long.class).one();
    }

    /** PostgreSQL's text form of a range [start, end) of instants, for COPY. */
    public static String range(Instant start, Instant end) {
        return "[\"" + start + "\",\"" + end + "\")";
    }

    public static String lower(String text) {
        return text.toLowerCase(Locale.ROOT);
    }
}
