package org.schedctl.domain.booking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.schedctl.domain.InvalidInputException;

class SeriesPlanTest {
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    @Test
    void weeklyKeepsTheLocalTimeAcrossDstAndWritesTheCountForm() {
        SeriesPlan.Plan plan = SeriesPlan.plan("weekly", LocalDateTime.parse("2027-10-31T10:00"), NEW_YORK, LocalDate.parse("2027-11-14"));
        assertEquals(List.of(Instant.parse("2027-10-31T14:00:00Z"), Instant.parse("2027-11-07T15:00:00Z"), Instant.parse("2027-11-14T15:00:00Z")),
                plan.occurrences().stream().map(SeriesPlan.Occurrence::start).toList());
        assertEquals("FREQ=WEEKLY;COUNT=3", plan.rule());
        assertFalse(plan.occurrences().get(1).shifted());
    }

    @Test
    void aGapOccurrenceMovesForwardByTheGapAndSaysSo() {
        SeriesPlan.Plan plan = SeriesPlan.plan("FREQ=WEEKLY;COUNT=2", LocalDateTime.parse("2028-03-05T02:30"), NEW_YORK, null);
        SeriesPlan.Occurrence gap = plan.occurrences().get(1);
        assertEquals(Instant.parse("2028-03-12T07:30:00Z"), gap.start());
        assertTrue(gap.shifted());
        assertTrue(gap.shiftNote(NEW_YORK).contains("02:30 does not exist on 2028-03-12"), gap.shiftNote(NEW_YORK));
    }

    @Test
    void badRulesAreRefused() {
        LocalDateTime at = LocalDateTime.parse("2027-06-02T10:00"); // a Wednesday
        assertTrue(assertThrows(InvalidInputException.class, () -> SeriesPlan.plan("FREQ=WEEKLY", at, NEW_YORK, null))
                .getMessage().contains("never ends"));
        assertTrue(assertThrows(InvalidInputException.class, () -> SeriesPlan.plan("FREQ=DAILY;COUNT=201", at, NEW_YORK, null))
                .getMessage().contains("more than 200"));
        assertTrue(assertThrows(InvalidInputException.class, () -> SeriesPlan.plan("FREQ=WEEKLY;BYDAY=MO;COUNT=2", at, NEW_YORK, null))
                .getMessage().contains("does not include"));
        assertThrows(InvalidInputException.class, () -> SeriesPlan.plan("FREQ=SOMETIMES;COUNT=2", at, NEW_YORK, null));
        assertEquals(200, SeriesPlan.plan("FREQ=DAILY;COUNT=200", at, NEW_YORK, null).occurrences().size());
        // an UNTIL in the rule and --until together: the earlier wins
        assertEquals(2, SeriesPlan.plan("FREQ=WEEKLY;UNTIL=20270630", at, NEW_YORK, LocalDate.parse("2027-06-09")).occurrences().size());
    }
}
