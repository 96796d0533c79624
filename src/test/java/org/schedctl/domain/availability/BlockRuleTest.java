package org.schedctl.domain.availability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.TimeZone;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.schedctl.domain.InvalidInputException;

class BlockRuleTest {
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static Interval utc(String from, String to) {
        return new Interval(Instant.parse(from), Instant.parse(to));
    }

    @ParameterizedTest
    @ValueSource(strings = {"FREQ=WEEKLY", "FREQ=DAILY;INTERVAL=2", "FREQ=FORTNIGHTLY;COUNT=3", "garbage", "",
            "FREQ=WEEKLY;COUNT=0", "FREQ=WEEKLY;COUNT=10001", "FREQ=WEEKLY;COUNT=99999999999",
            "FREQ=WEEKLY;COUNT=3;UNTIL=20271231", "FREQ=WEEKLY;COUNT=3;COUNT=4", "FREQ=WEEKLY;BYDAY=XX;COUNT=3",
            "FREQ=WEEKLY;FOO=1;COUNT=3", "FREQ=WEEKLY;UNTIL=2027", "FREQ=WEEKLY;UNTIL=20270230",
            "FREQ=MINUTELY;COUNT=5", "FREQ=WEEKLY;INTERVAL=0;COUNT=3", "FREQ=MONTHLY;BYMONTHDAY=40;COUNT=3",
            "COUNT=3", "FREQ=WEEKLY;;COUNT=3;=", "FREQ=WEEKLY;COUNT"})
    void badRulesAreInputErrorsOnOneLine(String text) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> RecurrenceRule.parse(text));
        assertTrue(!e.getMessage().contains("\n") && e.getMessage().contains(". "), e.getMessage());
    }

    @Test
    void unboundedRuleSaysHowToFixIt() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> RecurrenceRule.parse("FREQ=WEEKLY;BYDAY=MO"));
        assertTrue(e.getMessage().contains("UNTIL") && e.getMessage().contains("COUNT"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"FREQ=WEEKLY;COUNT=3", "rrule:freq=weekly;byday=mo,we;until=20271231T235959Z",
            "FREQ=MONTHLY;BYDAY=1MO;UNTIL=20280101", "FREQ=DAILY;UNTIL=20280101T090000", "FREQ=YEARLY;COUNT=10000"})
    void goodRulesParse(String text) {
        assertTrue(RecurrenceRule.parse(text).text().startsWith("FREQ="));
    }

    @Test
    void weeklyNineOClockBlockStaysLocalAcrossBothTransitions() {
        BlockRule block = BlockRule.ofLocal(LocalDateTime.parse("2027-03-07T09:00"), LocalDateTime.parse("2027-03-07T10:00"),
                NEW_YORK, "FREQ=WEEKLY;COUNT=3");
        assertEquals(List.of(utc("2027-03-07T14:00:00Z", "2027-03-07T15:00:00Z"),
                utc("2027-03-14T13:00:00Z", "2027-03-14T14:00:00Z"),
                utc("2027-03-21T13:00:00Z", "2027-03-21T14:00:00Z")), block.occurrences(Instant.parse("2028-01-01T00:00:00Z")));

        BlockRule autumn = BlockRule.ofLocal(LocalDateTime.parse("2027-10-31T13:00"), LocalDateTime.parse("2027-10-31T14:00"),
                NEW_YORK, "FREQ=WEEKLY;UNTIL=20271107");
        assertEquals(List.of(utc("2027-10-31T17:00:00Z", "2027-10-31T18:00:00Z"),
                utc("2027-11-07T18:00:00Z", "2027-11-07T19:00:00Z")), autumn.occurrences(Instant.parse("2028-01-01T00:00:00Z")));
    }

    @Test
    void gapOccurrenceShiftsForwardAndIsNotDuplicated() {
        // Daily 02:30-03:30: on 2027-03-14 02:30 does not exist and becomes 03:30 EDT.
        BlockRule block = BlockRule.ofLocal(LocalDateTime.parse("2027-03-13T02:30"), LocalDateTime.parse("2027-03-13T03:30"),
                NEW_YORK, "FREQ=DAILY;COUNT=3");
        assertEquals(List.of(utc("2027-03-13T07:30:00Z", "2027-03-13T08:30:00Z"),
                utc("2027-03-14T07:30:00Z", "2027-03-14T08:30:00Z"),
                utc("2027-03-15T06:30:00Z", "2027-03-15T07:30:00Z")), block.occurrences(Instant.parse("2028-01-01T00:00:00Z")));

        // Hourly through the gap: 01:30, 02:30 (-> 03:30) and 03:30 must give 03:30 once.
        BlockRule hourly = BlockRule.ofLocal(LocalDateTime.parse("2027-03-14T01:30"), LocalDateTime.parse("2027-03-14T01:45"),
                NEW_YORK, "FREQ=HOURLY;COUNT=3");
        assertEquals(List.of(utc("2027-03-14T06:30:00Z", "2027-03-14T06:45:00Z"),
                utc("2027-03-14T07:30:00Z", "2027-03-14T07:45:00Z")), hourly.occurrences(Instant.parse("2028-01-01T00:00:00Z")));
    }

    @Test
    void utcUntilIsComparedOnTheInstantLine() {
        // 09:00 New York on 2027-06-21 is 13:00Z; an UNTIL of 12:59:59Z that day excludes it.
        BlockRule block = BlockRule.ofLocal(LocalDateTime.parse("2027-06-07T09:00"), LocalDateTime.parse("2027-06-07T10:00"),
                NEW_YORK, "FREQ=WEEKLY;UNTIL=20270621T125959Z");
        assertEquals(2, block.occurrences(Instant.parse("2028-01-01T00:00:00Z")).size());
        BlockRule inclusive = BlockRule.ofLocal(LocalDateTime.parse("2027-06-07T09:00"), LocalDateTime.parse("2027-06-07T10:00"),
                NEW_YORK, "FREQ=WEEKLY;UNTIL=20270621T130000Z");
        assertEquals(3, inclusive.occurrences(Instant.parse("2028-01-01T00:00:00Z")).size());
    }

    @Test
    void horizonWindowAndExdatesLimitOccurrences() {
        Instant first = Instant.parse("2027-06-07T13:00:00Z");
        BlockRule block = new BlockRule(first, first.plusSeconds(3600), NEW_YORK,
                RecurrenceRule.parse("FREQ=DAILY;COUNT=10"), List.of(Instant.parse("2027-06-09T13:00:00Z")));
        assertEquals(4, block.occurrences(Instant.parse("2027-06-12T00:00:00Z")).size());
        assertEquals(List.of(), block.occurrences(first));
        assertEquals(List.of(utc("2027-06-10T13:00:00Z", "2027-06-10T14:00:00Z"), utc("2027-06-11T13:00:00Z", "2027-06-11T14:00:00Z")),
                block.occurrences(utc("2027-06-09T00:00:00Z", "2027-06-12T00:00:00Z")));
    }

    @Test
    void defaultHorizonIsEighteenMonthsAhead() {
        assertEquals(Instant.parse("2028-12-15T10:00:00Z"), BlockRule.defaultHorizon(Instant.parse("2027-06-15T10:00:00Z")));
    }

    @Test
    void tooManyOccurrencesBeforeTheHorizonIsAnInputError() {
        BlockRule block = BlockRule.ofLocal(LocalDateTime.parse("2027-01-01T00:00"), LocalDateTime.parse("2027-01-01T00:30"),
                NEW_YORK, "FREQ=HOURLY;UNTIL=20301231");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> block.occurrences(Instant.parse("2029-01-01T00:00:00Z")));
        assertTrue(e.getMessage().contains("10000"), e.getMessage());
        // A short horizon stays within the cap.
        assertEquals(48, block.occurrences(Instant.parse("2027-01-03T05:00:00Z")).size());
    }

    @Test
    void localInputInGapOrOverlapIsRejected() {
        assertThrows(InvalidInputException.class, () -> BlockRule.ofLocal(LocalDateTime.parse("2027-03-14T02:30"),
                LocalDateTime.parse("2027-03-14T04:00"), NEW_YORK, null));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> BlockRule.ofLocal(
                LocalDateTime.parse("2027-11-07T01:30"), LocalDateTime.parse("2027-11-07T04:00"), NEW_YORK, null));
        assertTrue(e.getMessage().contains("-04:00") && e.getMessage().contains("-05:00"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> BlockRule.ofLocal(LocalDateTime.parse("2027-06-07T10:00"),
                LocalDateTime.parse("2027-06-07T09:00"), NEW_YORK, null));
    }

    @Test
    void expansionIgnoresTheJvmDefaultZone() {
        BlockRule block = BlockRule.ofLocal(LocalDateTime.parse("2027-03-01T09:00"), LocalDateTime.parse("2027-03-01T10:00"),
                NEW_YORK, "FREQ=DAILY;UNTIL=20271130");
        Instant horizon = Instant.parse("2028-01-01T00:00:00Z");
        TimeZone saved = TimeZone.getDefault();
        List<Interval> expected;
        List<Interval> underKiritimati;
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
            expected = block.occurrences(horizon);
            TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Kiritimati"));
            underKiritimati = block.occurrences(horizon);
        } finally {
            TimeZone.setDefault(saved);
        }
        assertEquals(275, expected.size());
        assertEquals(expected, underKiritimati);
    }
}
