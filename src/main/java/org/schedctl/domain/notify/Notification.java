package org.schedctl.domain.notify;

import java.time.Instant;

/** An outbox row as `notifications list` shows it (JSON keys per CLI.md, plus last_error and appointment). */
public record Notification(long id, String kind, String channel, String recipient, String status, Instant dueAt,
                           Instant sentAt, int attempts, String lastError, String appointment) {
}
