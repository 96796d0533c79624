package org.schedctl.store.dao;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.schedctl.domain.notify.Notification;
import org.schedctl.notify.MessageFacts;

/**
 * The outbox. Claiming is {@code FOR UPDATE SKIP LOCKED} plus a lease, so concurrent dispatchers (several
 * daemons, a cron {@code send-due}) never take the same row; a row whose lease ran out (its sender died) is
 * due again. Each claim increments {@code attempts}, and results are recorded only while {@code attempts}
 * still equals the claimed value: a sender whose lease was taken over cannot overwrite the newer outcome.
 */
@RegisterConstructorMapper(Notification.class)
public interface NotificationDao {
    /** A recorded delivery: its channel and how late it went out (seconds after it was due). */
    record Delivered(String channel, double latenessSeconds) {
    }

    String VIEW = """
            SELECT n.id, n.kind, n.channel, n.recipient, n.status, n.due_at, n.sent_at, n.attempts, n.last_error,
                   a.reference AS appointment
            FROM appointment_notifications n LEFT JOIN appointments a ON a.id = n.appointment_id
            """;

    @SqlQuery("""
            WITH due AS (
                SELECT n.id FROM appointment_notifications n
                WHERE n.due_at <= :now
                  AND (n.status IN ('pending', 'failed') OR (n.status = 'sending' AND n.lease_until < :now))
                  -- only what is still owed: nothing about a cancelled, declined or completed appointment but the
                  -- news itself (appointment_notification_owed, R__40)
                  AND appointment_notification_owed(n.kind, (SELECT a.status FROM appointments a WHERE a.id = n.appointment_id))
                ORDER BY n.due_at, n.id
                LIMIT :limit
                FOR UPDATE SKIP LOCKED)
            UPDATE appointment_notifications n
               SET status = 'sending', lease_until = :leaseUntil, attempts = n.attempts + 1
              FROM due
             WHERE n.id = due.id
            RETURNING n.id
            """)
    List<Long> claim(@Bind("now") Instant now, @Bind("leaseUntil") Instant leaseUntil, @Bind("limit") int limit);

    /** Writes the reminder rows that fell due since the last sweep (enqueue_due_reminders, R__40); returns how many. */
    @SqlQuery("SELECT enqueue_due_reminders(:now)")
    int enqueueDueReminders(@Bind("now") Instant now);

    /**
     * What a message needs, from an outbox row {@code n} and the appointment and people as they are now, for
     * {@link org.schedctl.notify.MessageRenderer}: FACTS_COLUMNS, then {@code FROM <rows> n}, then FACTS_JOINS.
     */
    String FACTS_COLUMNS = """
            SELECT n.id, n.idempotency_key, n.kind, n.channel, n.recipient, r.name AS recipient_name,
                   rc.locale AS recipient_locale, r.timezone AS recipient_zone, n.attempts, n.note,
                   extract(epoch FROM n.remind_before)::bigint AS remind_before_seconds,
                   a.reference AS appointment_reference, a.status AS appointment_status, a.starts_at, a.ends_at,
                   a.timezone AS appointment_zone, t.name AS appointment_title, i.name AS instructor_name,
                   i.email AS instructor_email, st.name AS student_name, st.email AS student_email,
                   coalesce(a.reschedule_count, 0) AS revision, a.cancel_reason, a.fee, a.currency,
                   coalesce(a.fee_waived, false) AS fee_waived,
                   (SELECT (e.details ->> 'from_start')::timestamptz FROM appointment_events e
                     WHERE e.appointment_id = a.id AND e.action = 'reschedule'
                     ORDER BY e.at DESC, e.id DESC LIMIT 1) AS previous_start,
                   a.booking_session_id AS hold_id, b.expires_at AS hold_expires_at,
                   n.subject AS composed_subject, n.body AS composed_body
            """;
    String FACTS_JOINS = """
            JOIN users r ON r.id = n.recipient_id
            -- the locale is a contact column: the dispatcher (an administrator) reads it; a preview by someone
            -- who may not falls back to English
            LEFT JOIN user_contacts rc ON rc.id = n.recipient_id
            LEFT JOIN appointments a ON a.id = n.appointment_id
            LEFT JOIN appointment_types t ON t.id = a.type_id
            LEFT JOIN users i ON i.id = a.instructor_id
            LEFT JOIN users st ON st.id = a.student_id
            LEFT JOIN booking_sessions b ON b.id = a.booking_session_id
            """;

    /** The claimed rows, in due order, to be rendered (MessageRenderer) and sent. */
    @SqlQuery(FACTS_COLUMNS + " FROM appointment_notifications n " + FACTS_JOINS + " WHERE n.id = ANY(:ids) ORDER BY n.due_at, n.id")
    @RegisterConstructorMapper(MessageFacts.class)
    List<MessageFacts> messages(@Bind("ids") long[] ids);

    /**
     * What a message of this kind to this person about this appointment would hold if it were sent now (nothing
     * is written): `notifications preview`. A reminder is due {@code remindSeconds} before the start.
     */
    @SqlQuery(FACTS_COLUMNS + """
             FROM (SELECT 0::bigint AS id, 'preview' AS idempotency_key, :kind::text AS kind, :channel::text AS channel,
                          CASE :channel::text WHEN 'email' THEN u.email WHEN 'sms' THEN coalesce(uc.phone, '')
                                              ELSE u.id::text END AS recipient,
                          u.id AS recipient_id, 0 AS attempts, NULL::text AS note,
                          NULL::text AS subject, NULL::text AS body,
                          CASE WHEN :kind::text = 'reminder' THEN :remindSeconds * interval '1 second' END AS remind_before,
                          a.id AS appointment_id
                     FROM appointments a JOIN users u ON u.id = :recipientId
                     LEFT JOIN user_contacts uc ON uc.id = u.id
                    WHERE a.reference = :reference) n
            """ + FACTS_JOINS)
    @RegisterConstructorMapper(MessageFacts.class)
    Optional<MessageFacts> preview(@Bind("reference") String reference, @Bind("recipientId") long recipientId,
                                   @Bind("kind") String kind, @Bind("channel") String channel,
                                   @Bind("remindSeconds") long remindSeconds);

    /**
     * The re-check right before a claimed batch is sent (issue 11): which of these leased rows are still owed. A
     * row whose appointment was cancelled, declined or completed since the claim (the cancel races the send) is
     * dropped and marked cancelled here, so it is never sent.
     */
    @SqlQuery("""
            WITH leased AS (
                SELECT n.id, appointment_notification_owed(n.kind, a.status) AS owed
                  FROM appointment_notifications n LEFT JOIN appointments a ON a.id = n.appointment_id
                 WHERE n.id = ANY(:ids) AND n.status = 'sending'
                   FOR UPDATE OF n),
            dropped AS (
                UPDATE appointment_notifications SET status = 'cancelled', lease_until = NULL
                 WHERE id IN (SELECT id FROM leased WHERE NOT owed))
            SELECT id FROM leased WHERE owed
            """)
    List<Long> stillOwed(@Bind("ids") long[] ids);

    /** The sealed phone number (V68) an SMS among {@code ids} goes to, read when it is sent. */
    record SealedRecipient(long id, long userId, byte[] sealed, String keyId) {
    }

    @SqlQuery("""
            SELECT n.id, n.recipient_id AS user_id, c.phone_sealed AS sealed, c.phone_key_id AS key_id
            FROM appointment_notifications n JOIN user_contacts c ON c.id = n.recipient_id
            WHERE n.id = ANY(:ids) AND n.channel = 'sms' AND c.phone_sealed IS NOT NULL
            """)
    @RegisterConstructorMapper(SealedRecipient.class)
    List<SealedRecipient> sealedRecipients(@Bind("ids") long[] ids);

    /**
     * Records a batch's deliveries in one statement: each row whose claim (attempts) is still current becomes sent at
     * its own time. Returns each recorded row's channel and lateness (sent minus due).
     */
    @SqlQuery("""
            UPDATE appointment_notifications n
               SET status = 'sent', sent_at = r.at, lease_until = NULL, last_error = NULL
              FROM unnest(:ids::bigint[], :attempts::integer[], :at::timestamptz[]) AS r(id, attempts, at)
             WHERE n.id = r.id AND n.status = 'sending' AND n.attempts = r.attempts
            RETURNING n.channel, extract(epoch FROM n.sent_at - n.due_at)::float8 AS lateness_seconds
            """)
    @RegisterConstructorMapper(Delivered.class)
    List<Delivered> markSent(@Bind("ids") long[] ids, @Bind("attempts") int[] attempts, @Bind("at") String[] at);

    /**
     * Records a batch's failures in one statement: each row whose claim is still current becomes {@code failed}, due
     * again at its retry time, or {@code dead}. Returns how many rows were recorded.
     */
    @SqlUpdate("""
            UPDATE appointment_notifications n
               SET status = r.status,
                   due_at = CASE WHEN r.status = 'dead' THEN n.due_at ELSE r.retry_at END,
                   lease_until = NULL, last_error = left(r.error, 2000)
              FROM unnest(:ids::bigint[], :attempts::integer[], :statuses::text[], :retryAt::timestamptz[], :errors::text[])
                   AS r(id, attempts, status, retry_at, error)
             WHERE n.id = r.id AND n.status = 'sending' AND n.attempts = r.attempts
            """)
    int markFailed(@Bind("ids") long[] ids, @Bind("attempts") int[] attempts, @Bind("statuses") String[] statuses,
                   @Bind("retryAt") String[] retryAt, @Bind("errors") String[] errors);

    @SqlQuery(VIEW + " WHERE (:status::text IS NULL OR n.status = :status) ORDER BY n.due_at, n.id")
    List<Notification> list(@Bind("status") String status);

    @SqlQuery(VIEW + " WHERE n.id = :id")
    Optional<Notification> find(@Bind("id") long id);

    @SqlQuery("SELECT status FROM appointment_notifications WHERE id = :id FOR UPDATE")
    Optional<String> lockStatus(@Bind("id") long id);

    @SqlUpdate("""
            UPDATE appointment_notifications
               SET status = 'pending', due_at = :now, attempts = 0, lease_until = NULL
             WHERE id = :id
            """)
    int requeue(@Bind("id") long id, @Bind("now") Instant now);
}
