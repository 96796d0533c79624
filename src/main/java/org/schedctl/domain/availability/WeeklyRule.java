package org.schedctl.domain.availability;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Objects;

import org.schedctl.domain.InvalidInputException;

/**
 * One weekly availability range in local wall-clock time of {@code zone}: every {@code day} from
 * {@code start} to {@code end}, between the optional effective dates (both inclusive), for one
 * appointment type or, when {@code typeId} is null, for every type.
 */
public record WeeklyRule(DayOfWeek day, LocalTime start, LocalTime end, ZoneId zone,
                         LocalDate effectiveFrom, LocalDate effectiveUntil, Long typeId) {

    public WeeklyRule {
        Objects.requireNonNull(day, "day");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(zone, "zone");
        if (!end.isAfter(start)) {
            throw new InvalidInputException("weekly range " + start + "-" + end + " ends before it starts."
                    + " Give an end time after the start time on the same day");
        }
        if (effectiveFrom != null && effectiveUntil != null && effectiveUntil.isBefore(effectiveFrom)) {
            throw new InvalidInputException("effective-until " + effectiveUntil + " is before effective-from "
                    + effectiveFrom + ". Give an end date on or after the start date");
        }
    }

    public WeeklyRule(DayOfWeek day, LocalTime start, LocalTime end, ZoneId zone) {
        this(day, start, end, zone, null, null, null);
    }

    public boolean isEffectiveOn(LocalDate date) {
        return (effectiveFrom == null || !date.isBefore(effectiveFrom))
                && (effectiveUntil == null || !date.isAfter(effectiveUntil));
    }

    /** Rules for every type apply to each type; a typed rule applies to its type only. */
    public boolean appliesTo(Long requestedTypeId) {
        return typeId == null || typeId.equals(requestedTypeId);
    }
}
