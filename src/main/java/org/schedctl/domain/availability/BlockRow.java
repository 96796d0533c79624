package org.schedctl.domain.availability;

import java.time.ZoneId;
import java.util.List;

/**
 * A validated {@code available} or {@code unavailable} row of an availability CSV. Local start and end
 * times without a zone in the file are resolved in the instructor's zone by {@link #toRule}.
 */
public record BlockRow(long line, String instructor, BlockKind kind, TimeInput start, TimeInput end, ZoneId zone,
                       RecurrenceRule rrule, String reason, List<TimeInput> exdates) {

    /** The block in {@code zone} if the file gave one, else in the instructor's zone (strict DST rules). */
    public BlockRule toRule(ZoneId instructorZone) {
        ZoneId effective = zone != null ? zone : instructorZone;
        return new BlockRule(start.resolve(effective), end.resolve(effective), effective, rrule,
                exdates.stream().map(x -> x.resolve(effective)).toList());
    }
}
