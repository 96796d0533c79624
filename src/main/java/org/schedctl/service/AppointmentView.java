package org.schedctl.service;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An appointment as the lifecycle commands print it (the JSON keys of CLI.md first). {@code holdId} and
 * {@code holdExpiresAt} describe a live hold; {@code history} is filled by {@code appointments show} only.
 */
public record AppointmentView(String reference, String status, String instructor, String student, String type,
                              Instant start, Instant end, String timezone, BigDecimal price, String currency,
                              BigDecimal fee, Instant createdAt,
                              @JsonInclude(JsonInclude.Include.NON_NULL) Long holdId,
                              @JsonInclude(JsonInclude.Include.NON_NULL) Instant holdExpiresAt,
                              int rescheduleCount, Boolean feeWaived, String notes, Integer rating, String cancelReason,
                              @JsonInclude(JsonInclude.Include.NON_NULL) List<HistoryEntry> history) {

    /** One state change or move, with actor and time. */
    public record HistoryEntry(Instant at, String action, String actor, String fromStatus, String toStatus,
                               Instant start, Instant end, String details) {
    }

    public AppointmentView withHistory(List<HistoryEntry> entries) {
        return new AppointmentView(reference, status, instructor, student, type, start, end, timezone, price, currency,
                fee, createdAt, holdId, holdExpiresAt, rescheduleCount, feeWaived, notes, rating, cancelReason, entries);
    }
}
