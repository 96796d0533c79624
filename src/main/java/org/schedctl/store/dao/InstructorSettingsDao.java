package org.schedctl.store.dao;

import java.util.Optional;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.schedctl.domain.InstructorSettings;

@RegisterRowMapper(InstructorSettingsDao.Mapper.class)
public interface InstructorSettingsDao {
    String SELECT = """
            SELECT instructor_id, auto_confirm, buffer_before, buffer_after, min_notice, max_advance, max_daily,
                   max_consecutive,
                   ARRAY(SELECT extract(epoch FROM o.off)::bigint
                         FROM unnest(coalesce(reminder_offsets, app_default_reminder_offsets())) WITH ORDINALITY o(off, n)
                         ORDER BY o.n) AS reminder_offset_seconds,
                   reminder_offsets IS NULL AS reminders_default,
                   channels, meeting_platform, cancel_policy, reschedule_policy,
                   bio, updated_at
            FROM instructor_settings
            """;

    @SqlQuery(SELECT + " WHERE instructor_id = :id")
    Optional<InstructorSettings> find(@Bind("id") long instructorId);

    /** Creates the default settings row of a new instructor (the school's reminders); a no-op when it exists. */
    @SqlUpdate("INSERT INTO instructor_settings (instructor_id) VALUES (:id) ON CONFLICT (instructor_id) DO NOTHING")
    void ensure(@Bind("id") long instructorId);

    @SqlUpdate("""
            UPDATE instructor_settings SET
                auto_confirm = :autoConfirm, buffer_before = :bufferBefore, buffer_after = :bufferAfter,
                min_notice = :minNotice, max_advance = :maxAdvance, max_daily = :maxDaily,
                max_consecutive = :maxConsecutive,
                reminder_offsets = CASE WHEN :keepReminderOffsets THEN reminder_offsets ELSE :reminderOffsets::interval[] END,
                channels = :channels::text[], meeting_platform = :meetingPlatform, cancel_policy = :cancelPolicy,
                reschedule_policy = :reschedulePolicy, bio = :bio
            WHERE instructor_id = :instructorId
            """)
    int update(@BindMethods InstructorSettingsRow row);

    /**
     * Bind-friendly form: arrays as PostgreSQL literals. The stored reminder offsets stay as they are when
     * {@code keepReminderOffsets}; otherwise they become {@code reminderOffsets}, null meaning the school's default.
     */
    record InstructorSettingsRow(long instructorId, boolean autoConfirm, java.time.Duration bufferBefore,
                                 java.time.Duration bufferAfter, java.time.Duration minNotice, java.time.Duration maxAdvance,
                                 Integer maxDaily, Integer maxConsecutive, boolean keepReminderOffsets,
                                 String reminderOffsets, String channels,
                                 String meetingPlatform, String cancelPolicy, String reschedulePolicy, String bio) {
    }

    final class Mapper implements RowMapper<InstructorSettings> {
        @Override
        public InstructorSettings map(ResultSet rs, StatementContext ctx) throws SQLException {
            List<Duration> offsets = new ArrayList<>();
            for (Long seconds : (Long[]) rs.getArray("reminder_offset_seconds").getArray()) {
                offsets.add(Duration.ofSeconds(seconds));
            }
            Array channels = rs.getArray("channels");
            return new InstructorSettings(rs.getLong("instructor_id"), rs.getBoolean("auto_confirm"),
                    column(rs, "buffer_before", ctx), column(rs, "buffer_after", ctx), column(rs, "min_notice", ctx),
                    column(rs, "max_advance", ctx), (Integer) rs.getObject("max_daily"),
                    (Integer) rs.getObject("max_consecutive"), List.copyOf(offsets), rs.getBoolean("reminders_default"),
                    List.of((String[]) channels.getArray()), rs.getString("meeting_platform"), rs.getString("cancel_policy"),
                    rs.getString("reschedule_policy"), rs.getString("bio"),
                    rs.getObject("updated_at", java.time.OffsetDateTime.class).toInstant());
        }

        private static Duration column(ResultSet rs, String name, StatementContext ctx) throws SQLException {
            return ctx.findColumnMapperFor(Duration.class).orElseThrow().map(rs, name, ctx);
        }
    }
}
