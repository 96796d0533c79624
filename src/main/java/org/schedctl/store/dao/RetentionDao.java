package org.schedctl.store.dao;

import java.time.Instant;
import java.time.LocalDate;

import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Deletes what the school no longer needs: the clean-up job's statements. */
public interface RetentionDao {
    @SqlUpdate("""
            DELETE FROM appointment_notifications
             WHERE status IN ('sent', 'cancelled') AND coalesce(sent_at, updated_at) < :cutoff
            """)
    int deleteFinishedNotifications(@Bind("cutoff") Instant cutoff);

    /** Converted sessions stay (their appointment points at them); so does any session an appointment still references. */
    @SqlUpdate("""
            DELETE FROM booking_sessions s
             WHERE s.step <> 'converted' AND s.expires_at < :cutoff
               AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.booking_session_id = s.id)
            """)
    int deleteExpiredSessions(@Bind("cutoff") Instant cutoff);

    @SqlUpdate("DELETE FROM booking_metrics_realtime WHERE day < :cutoff")
    int deleteMetricsBefore(@Bind("cutoff") LocalDate cutoff);

    @SqlUpdate("DELETE FROM appointment_analytics WHERE day < :cutoff")
    int deleteAnalyticsBefore(@Bind("cutoff") LocalDate cutoff);
}
