package org.schedctl.store.dao;

import java.time.Instant;
import java.util.List;

import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.schedctl.domain.calendar.ExportedAppointment;

/** Appointments joined with the people and type they name, for `export`. Holds are not bookings: never exported. */
@RegisterConstructorMapper(ExportedAppointment.class)
public interface AppointmentExportDao {
    @SqlQuery("""
            SELECT a.reference, a.status, i.email AS instructor, s.email AS student, t.slug AS type,
                   a.starts_at AS start, a.ends_at AS "end", a.timezone, a.price, a.currency,
                   CASE WHEN a.status = 'cancelled' AND NOT a.fee_waived THEN a.fee END AS fee, a.created_at,
                   i.name AS instructor_name, s.name AS student_name, t.name AS type_name,
                   coalesce(a.meeting_url, t.location) AS location, a.notes, a.reschedule_count
            FROM appointments a
            JOIN users i ON i.id = a.instructor_id
            JOIN users s ON s.id = a.student_id
            JOIN appointment_types t ON t.id = a.type_id
            WHERE a.status <> 'held'
              AND (:instructorId::bigint IS NULL OR a.instructor_id = :instructorId)
              AND (:studentId::bigint IS NULL OR a.student_id = :studentId)
              AND (:reference::text IS NULL OR a.reference = :reference)
              AND (:from::timestamptz IS NULL OR a.ends_at > :from)
              AND (:to::timestamptz IS NULL OR a.starts_at < :to)
            ORDER BY a.starts_at, a.reference
            LIMIT :limit
            """)
    List<ExportedAppointment> find(@Bind("instructorId") Long instructorId, @Bind("studentId") Long studentId,
                                   @Bind("reference") String reference, @Bind("from") Instant from,
                                   @Bind("to") Instant to, @Bind("limit") int limit);
}
