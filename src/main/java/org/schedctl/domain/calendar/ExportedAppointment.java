package org.schedctl.domain.calendar;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One appointment as the exports show it: the appointment JSON shape of CLI.md (reference … created_at) first,
 * then what calendars need besides (names, location, notes, how often it moved).
 */
public record ExportedAppointment(String reference, String status, String instructor, String student, String type,
                                  Instant start, Instant end, String timezone, BigDecimal price, String currency,
                                  BigDecimal fee, Instant createdAt, String instructorName, String studentName,
                                  String typeName, String location, String notes, int rescheduleCount) {
}
