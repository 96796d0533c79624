package org.schedctl.domain.availability;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;

/**
 * A validated {@code weekly} row of an availability CSV. {@code instructor} and {@code type} are still
 * the names from the file (resolved against the database later); {@code zone} is null when the file
 * leaves it to the instructor's zone.
 */
public record WeeklyRow(long line, String instructor, DayOfWeek day, LocalTime start, LocalTime end, ZoneId zone,
                        LocalDate effectiveFrom, LocalDate effectiveUntil, String type) {

    public WeeklyRule toRule(ZoneId instructorZone, Long typeId) {
        return new WeeklyRule(day, start, end, zone != null ? zone : instructorZone, effectiveFrom, effectiveUntil, typeId);
    }
}
