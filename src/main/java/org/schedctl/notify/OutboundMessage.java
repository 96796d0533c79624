package org.schedctl.notify;

import java.time.Instant;

/**
 * One claimed outbox row, with what a channel needs to deliver it. The appointment fields are null for
 * messages not tied to an appointment (a waitlist offer may have none yet).
 */
public record OutboundMessage(long id, String idempotencyKey, String kind, String channel, String recipient,
                              String recipientName, String subject, String body, int attempts,
                              String appointmentReference, Instant startsAt, Instant endsAt, String appointmentTitle,
                              String instructorName, String instructorEmail) {

    /** The same message to another address (an SMS whose sealed phone number was opened when it is sent). */
    public OutboundMessage withRecipient(String address) {
        return new OutboundMessage(id, idempotencyKey, kind, channel, address, recipientName, subject, body, attempts,
                appointmentReference, startsAt, endsAt, appointmentTitle, instructorName, instructorEmail);
    }

    /** A subject for rows written without one. */
    public String subjectOrDefault() {
        if (subject != null && !subject.isBlank()) {
            return subject;
        }
        String what = kind.replace('_', ' ');
        return appointmentReference == null ? "Appointment " + what : "Appointment " + appointmentReference + ": " + what;
    }

    public String bodyOrEmpty() {
        return body == null ? "" : body;
    }
}
