package org.schedctl.store.dao;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** appointments, appointment_events and the booking functions of V20..V22. */
@RegisterConstructorMapper(AppointmentDao.AppointmentRow.class)
@RegisterConstructorMapper(AppointmentDao.CheckResult.class)
@RegisterConstructorMapper(AppointmentDao.ExpiredHold.class)
@RegisterConstructorMapper(AppointmentDao.EventRow.class)
@RegisterConstructorMapper(AppointmentDao.BookingRules.class)
public interface AppointmentDao {

    /** An appointment with what the lifecycle needs to decide about it: its type's and instructor's rules. */
    record AppointmentRow(long id, String reference, String status, long instructorId, long studentId, long typeId,
                          String instructorEmail, String studentEmail, String typeSlug, Instant startsAt, Instant endsAt,
                          String timezone, BigDecimal price, String currency, BigDecimal fee, boolean feeWaived,
                          Instant createdAt, Long bookingSessionId, Instant holdExpiresAt, String holdStep,
                          Long waitlistId, int rescheduleCount, String notes, Integer rating, String cancelReason,
                          String idempotencyKey, int capacity, boolean requiresConfirmation, boolean autoConfirm,
                          String cancelPolicy, String reschedulePolicy) {
        public boolean confirmationRequired() {
            return requiresConfirmation || !autoConfirm;
        }
    }

    String SELECT_ROW = """
            SELECT a.id, a.reference, a.status, a.instructor_id, a.student_id, a.type_id,
                   i.email AS instructor_email, s.email AS student_email, r.type_slug,
                   a.starts_at, a.ends_at, a.timezone, a.price, a.currency, a.fee, a.fee_waived, a.created_at,
                   a.booking_session_id, b.expires_at AS hold_expires_at, b.step AS hold_step, b.waitlist_id,
                   a.reschedule_count, a.notes, a.rating, a.cancel_reason, a.idempotency_key, r.capacity,
                   r.requires_confirmation, r.auto_confirm, r.cancel_policy, r.reschedule_policy
              FROM appointments a
              JOIN users i ON i.id = a.instructor_id
              JOIN users s ON s.id = a.student_id
              CROSS JOIN LATERAL booking_type_rules(a.type_id) r
              LEFT JOIN booking_sessions b ON b.id = a.booking_session_id
            """;

    /**
     * What {@code book_appointment} (V47) answered: an outcome, the ids and start the request resolved to (once
     * its names are known), the slots its sweep freed, and the appointment (existing or booked), else null.
     */
    record BookOutcome(String outcome, String reason, String message, String userEmail, String userRole, String zone,
                       Long requestInstructorId, Long requestTypeId, Long requestStudentId, Instant requestStart,
                       List<FreedHold> freed, AppointmentRow appointment, String typeSlug) {
    }

    /** A slot the booking's sweep freed (an expired hold of the same instructor). */
    record FreedHold(long typeId, Instant startsAt, Instant endsAt) {
    }

    /**
     * Books in one round trip (V47 book_appointment): names are ids (all digits) or emails/slugs, the time is
     * {@code start}, or {@code local} read in the instructor's zone. Bypasses the SqlObject machinery: this is the
     * hot path of {@code book}, and a hand-written mapper costs a fraction of attach + constructor mapping.
     */
    static BookOutcome book(Handle handle, String instructor, String type, String student, Instant start,
                            LocalDateTime local, String notes, String idempotencyKey, Instant now) {
        return handle.createQuery("""
                        SELECT * FROM book_appointment(:instructor, :type, :student, :start::timestamptz,
                                                       :local::timestamp, :notes, :key, :now::timestamptz)
                        """)
                .bind("instructor", instructor).bind("type", type).bind("student", student)
                .bind("start", start).bind("local", local).bind("notes", notes).bind("key", idempotencyKey)
                .bind("now", now)
                .map(BOOK_OUTCOME).one();
    }

    RowMapper<BookOutcome> BOOK_OUTCOME = (rs, ctx) -> {
        List<FreedHold> freed = new ArrayList<>();
        Array types = rs.getArray("freed_type_ids");
        if (types != null) {
            Long[] typeIds = (Long[]) types.getArray();
            Timestamp[] starts = (Timestamp[]) rs.getArray("freed_starts").getArray();
            Timestamp[] ends = (Timestamp[]) rs.getArray("freed_ends").getArray();
            for (int i = 0; i < typeIds.length; i++) {
                freed.add(new FreedHold(typeIds[i], starts[i].toInstant(), ends[i].toInstant()));
            }
        }
        AppointmentRow row = null;
        long id = rs.getLong("id");
        if (!rs.wasNull()) {
            row = new AppointmentRow(id, rs.getString("reference"), rs.getString("status"), rs.getLong("instructor_id"),
                    rs.getLong("student_id"), rs.getLong("type_id"), rs.getString("instructor_email"),
                    rs.getString("student_email"), rs.getString("type_slug"), instant(rs, "starts_at"),
                    instant(rs, "ends_at"), rs.getString("timezone"), rs.getBigDecimal("price"), rs.getString("currency"),
                    rs.getBigDecimal("fee"), rs.getBoolean("fee_waived"), instant(rs, "created_at"),
                    rs.getObject("booking_session_id", Long.class), instant(rs, "hold_expires_at"), rs.getString("hold_step"),
                    rs.getObject("waitlist_id", Long.class), rs.getInt("reschedule_count"), rs.getString("notes"),
                    rs.getObject("rating", Integer.class), rs.getString("cancel_reason"), rs.getString("idempotency_key"),
                    rs.getInt("capacity"), rs.getBoolean("requires_confirmation"), rs.getBoolean("auto_confirm"),
                    rs.getString("cancel_policy"), rs.getString("reschedule_policy"));
        }
        return new BookOutcome(rs.getString("outcome"), rs.getString("reason"), rs.getString("message"),
                rs.getString("user_email"), rs.getString("user_role"), rs.getString("zone"),
                rs.getObject("request_instructor_id", Long.class), rs.getObject("request_type_id", Long.class),
                rs.getObject("request_student_id", Long.class), instant(rs, "request_start"), freed, row,
                rs.getString("type_slug"));
    };

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    @SqlQuery(SELECT_ROW + " WHERE a.reference = :reference")
    Optional<AppointmentRow> byReference(@Bind("reference") String reference);

    @SqlQuery(SELECT_ROW + " WHERE a.id = :id")
    AppointmentRow byId(@Bind("id") long id);

    @SqlQuery(SELECT_ROW + " WHERE a.idempotency_key = :key")
    Optional<AppointmentRow> byIdempotencyKey(@Bind("key") String key);

    @SqlQuery(SELECT_ROW + " WHERE a.booking_session_id = :holdId")
    Optional<AppointmentRow> byHoldId(@Bind("holdId") long holdId);

    @SqlQuery("SELECT instructor_id FROM appointments WHERE reference = :reference")
    Optional<Long> instructorOf(@Bind("reference") String reference);

    @SqlQuery("SELECT 1 FROM appointments WHERE id = :id FOR UPDATE")
    int lock(@Bind("id") long id);

    @SqlQuery(SELECT_ROW + """
             WHERE (:instructorId::bigint IS NULL OR a.instructor_id = :instructorId)
               AND (:studentId::bigint IS NULL OR a.student_id = :studentId)
               AND (:status::text IS NULL OR a.status = :status)
               AND (:from::timestamptz IS NULL OR a.starts_at >= :from)
               AND (:to::timestamptz IS NULL OR a.starts_at < :to)
             ORDER BY a.starts_at, a.id
             LIMIT 10000
            """)
    List<AppointmentRow> list(@Bind("instructorId") Long instructorId, @Bind("studentId") Long studentId,
                              @Bind("status") String status, @Bind("from") Instant from, @Bind("to") Instant to);

    /** The booking rules of a type and its instructor, with the instructor's defaults where the type says nothing. */
    record BookingRules(String instructorZone, boolean autoConfirm, Duration bufferBefore, Duration bufferAfter) {
    }

    @SqlQuery("""
 SELECT instructor_zone, auto_confirm, buffer_before, buffer_after FROM booking_type_rules(:typeId)""")
    BookingRules rules(@Bind("typeId") long typeId);

    /**
     * A hold cancelled by {@code booking_prepare} because its time ran out. The slot (type and times) is always
     * reported, so the freed time can be offered to the waitlist; the appointment, student and waitlist ids only to
     * an administrator, the instructor, or the hold's own student (null otherwise).
     */
    record ExpiredHold(Long appointmentId, long typeId, Instant startsAt, Instant endsAt, Long studentId, Long waitlistId) {
    }

    @SqlQuery("SELECT * FROM booking_prepare(:instructorId, :now)")
    List<ExpiredHold> prepare(@Bind("instructorId") long instructorId, @Bind("now") Instant now);

    @SqlQuery("""
            SELECT DISTINCT a.instructor_id FROM appointments a JOIN booking_sessions b ON b.id = a.booking_session_id
             WHERE a.status = 'held' AND b.expires_at <= :now
            """)
    List<Long> instructorsWithExpiredHolds(@Bind("now") Instant now);

    record CheckResult(boolean ok, String reason, String message) {
    }

    @SqlQuery("SELECT * FROM check_instructor_availability_comprehensive(:instructorId, :typeId, :start, :end, :exclude, :now)")
    CheckResult check(@Bind("instructorId") long instructorId, @Bind("typeId") long typeId, @Bind("start") Instant start,
                      @Bind("end") Instant end, @Bind("exclude") Long excludeAppointment, @Bind("now") Instant now);

    /** What a new appointment row holds; the reference, blocked range and (single) session key come from the database. */
    record NewAppointment(long instructorId, long studentId, long typeId, String status, Instant startsAt, Instant endsAt,
                          String timezone, Duration bufferBefore, Duration bufferAfter, BigDecimal price, String currency,
                          String notes, String idempotencyKey, Long bookingSessionId, int capacity, Long createdBy,
                          Instant confirmedAt) {
    }

    @SqlQuery("""
            INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone,
                                      buffer_before, buffer_after, session_key, price, currency, notes, idempotency_key,
                                      booking_session_id, created_by, confirmed_at)
            VALUES (:instructorId, :studentId, :typeId, :status, :startsAt, :endsAt, :timezone, :bufferBefore,
                    :bufferAfter, appointment_session_key(:typeId, :capacity, :startsAt), :price, :currency, :notes,
                    :idempotencyKey, :bookingSessionId, :createdBy, :confirmedAt)
            RETURNING id
            """)
    long insert(@BindMethods NewAppointment appointment);

    @SqlQuery("""
            INSERT INTO booking_sessions (student_id, instructor_id, type_id, step, starts_at, ends_at, expires_at, waitlist_id)
            VALUES (:studentId, :instructorId, :typeId, 'held', :start, :end, :expiresAt, :waitlistId)
            RETURNING id
            """)
    long insertHold(@Bind("studentId") long studentId, @Bind("instructorId") long instructorId, @Bind("typeId") long typeId,
                    @Bind("start") Instant start, @Bind("end") Instant end, @Bind("expiresAt") Instant expiresAt,
                    @Bind("waitlistId") Long waitlistId);

    @SqlUpdate("UPDATE booking_sessions SET step = :step WHERE id = :id")
    int setHoldStep(@Bind("id") long holdId, @Bind("step") String step);

    /**
     * Appends the history row of a change and writes its outbox rows in one round trip; {@code kinds} are the
     * notification kinds to enqueue (may be empty).
     */
    @SqlQuery("""
            WITH event AS (
                INSERT INTO appointment_events (appointment_id, at, actor_id, action, from_status, to_status, starts_at,
                                                ends_at, details)
                SELECT a.id, :now, app_current_user_id(), :action, :fromStatus, a.status, a.starts_at, a.ends_at,
                       :details::jsonb
                  FROM appointments a WHERE a.id = :id
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM event)
                 + enqueue_appointment_notification_kinds(:id, :kinds::text[], :now, :note)
            """)
    long record(@Bind("id") long appointmentId, @Bind("now") Instant now, @Bind("action") String action,
                @Bind("fromStatus") String fromStatus, @Bind("details") String detailsJson,
                @Bind("kinds") String[] notificationKinds, @Bind("note") String note);

    /**
     * Cancels what the appointment no longer owes: its pending, failed and leased outbox rows (of one kind, or all
     * when kind is null), the instructor's included when a student acts (cancel_appointment_notifications).
     */
    @SqlQuery("SELECT cancel_appointment_notifications(:id, CASE WHEN :kind::text IS NULL THEN NULL ELSE ARRAY[:kind::text] END)")
    int cancelOwedNotifications(@Bind("id") long appointmentId, @Bind("kind") String kind);

    @SqlUpdate("""
            UPDATE appointments SET status = coalesce(:status, status), starts_at = :start, ends_at = :end,
                   session_key = coalesce(appointment_session_key(type_id, :capacity, :start), 'a:' || id),
                   reschedule_count = reschedule_count + 1, reminders_from = :now WHERE id = :id
            """)
    void setTime(@Bind("id") long id, @Bind("status") String status, @Bind("start") Instant start, @Bind("end") Instant end,
                 @Bind("capacity") int capacity, @Bind("now") Instant now);

    /**
     * Moves an appointment to a new time (a new revision; {@code status} null keeps it). The old time's unsent
     * reminders are owed no more; the new revision owes its own from {@code now} on, written when due
     * (enqueue_due_reminders), offsets sent for the old time included (issue 11).
     */
    default void move(long id, String status, Instant start, Instant end, int capacity, Instant now) {
        setTime(id, status, start, end, capacity, now);
        cancelOwedNotifications(id, "reminder");
    }

    record EventRow(Instant at, String action, String actor, String fromStatus, String toStatus, Instant startsAt,
                    Instant endsAt, String details) {
    }

    @SqlQuery("""
            SELECT e.at, e.action, u.email AS actor, e.from_status, e.to_status, e.starts_at, e.ends_at, e.details::text AS details
              FROM appointment_events e LEFT JOIN users u ON u.id = e.actor_id
             WHERE e.appointment_id = :id ORDER BY e.at, e.id
            """)
    List<EventRow> history(@Bind("id") long appointmentId);
}
