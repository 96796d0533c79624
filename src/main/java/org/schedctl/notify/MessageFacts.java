package org.schedctl.notify;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * What one outbox row owes, read when it is sent (or previewed): the row's own few columns and the appointment and
 * people as they are now. {@link MessageRenderer} turns it into the text a person receives. The appointment fields
 * are null for rows without an appointment.
 *
 * @param remindBeforeSeconds for a reminder, how long before the start it was due (null otherwise)
 * @param revision            the appointment's reschedule count: the SEQUENCE of its invitations
 * @param previousStart       where the appointment started before its latest move (null when never moved)
 * @param holdId              the hold a waitlist offer asks the student to book, and when it runs out
 * @param composedSubject     for a row about no single appointment, the text its writer composed (a parents'
 *                            evening timetable), sent as written; null otherwise
 */
public record MessageFacts(long id, String idempotencyKey, String kind, String channel, String recipient,
                           String recipientName, String recipientLocale, String recipientZone, int attempts,
                           String note, Long remindBeforeSeconds,
                           String appointmentReference, String appointmentStatus, Instant startsAt, Instant endsAt,
                           String appointmentZone, String appointmentTitle, String instructorName,
                           String instructorEmail, String studentName, String studentEmail, int revision,
                           String cancelReason, BigDecimal fee, String currency, boolean feeWaived,
                           Instant previousStart, Long holdId, Instant holdExpiresAt, String composedSubject,
                           String composedBody) {
}
