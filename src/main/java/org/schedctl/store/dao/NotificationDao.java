package org.schedctl.store.dao;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.schedctl.domain.notify.Notification;
import org.schedctl.notify.OutboundMessage;

/**
 * The outbox. Claiming is {@code FOR UPDATE SKIP LOCKED} plus a lease, so concurrent dispatchers (several
 * daemons, a cron {@code send-due}) never take the same row; a row whose lease ran out (its sender died) is
 * due again. Each claim increments {@code attempts}, and results are recorded only while {@code attempts}
 * still equals the claimed value: a sender whose lease was taken over cannot overwrite the newer outcome.
 */
@RegisterConstructorMapper(Notification.class)
@RegisterConstructorMapper(OutboundMessage.class)
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
                SELECT id FROM appointment_notifications
                WHERE due_at <= :now
                  AND (status IN ('pending', 'failed') OR (status = 'sending' AND lease_until < :now))
                ORDER BY due_at, id
                LIMIT :limit
                FOR UPDATE SKIP LOCKED)
            UPDATE appointment_notifications n
               SET status = 'sending', lease_until = :leaseUntil, attempts = n.attempts + 1
              FROM due
             WHERE n.id = due.id
            RETURNING n.id
            """)
    List<Long> claim(@Bind("now") Instant now, @Bind("leaseUntil") Instant leaseUntil, @Bind("limit") int limit);

    @SqlQuery("""
            SELECT n.id, n.idempotency_key, n.kind, n.channel, n.recipient, r.name AS recipient_name, n.subject, n.body,
                   n.attempts, a.reference AS appointment_reference, a.starts_at, a.ends_at, t.name AS appointment_title,
                   i.name AS instructor_name, i.email AS instructor_email
            FROM appointment_notifications n
            JOIN users r ON r.id = n.recipient_id
            LEFT JOIN appointments a ON a.id = n.appointment_id
            LEFT JOIN appointment_types t ON t.id = a.type_id
            LEFT JOIN users i ON i.id = a.instructor_id
            WHERE n.id = ANY(:ids)
            ORDER BY n.due_at, n.id
            """)
    List<OutboundMessage> messages(@Bind("ids") long[] ids);

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
