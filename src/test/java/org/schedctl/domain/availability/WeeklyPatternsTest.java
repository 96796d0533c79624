package org.schedctl.domain.availability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.schedctl.domain.InvalidInputException;

class WeeklyPatternsTest {
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static Interval utc(String from, String to) {
        return new Interval(Instant.parse(from), Instant.parse(to));
    }

    @Test
    void nineToFiveStaysLocalAcrossSpringForward() {
        // 2027-03-14 is the Sunday clocks spring forward; Saturday before is EST, Monday after is EDT.
        WeeklyRule sat = new WeeklyRule(DayOfWeek.SATURDAY, LocalTime.of(9, 0), LocalTime.of(17, 0), NEW_YORK);
        WeeklyRule mon = new WeeklyRule(DayOfWeek.MONDAY, LocalTime.of(9, 0), LocalTime.of(17, 0), NEW_YORK);
        IntervalSet windows = WeeklyPatterns.expand(List.of(sat, mon), utc("2027-03-13T00:00:00Z", "2027-03-16T00:00:00Z"));
        assertEquals(List.of(utc("2027-03-13T14:00:00Z", "2027-03-13T22:00:00Z"),
                utc("2027-03-15T13:00:00Z", "2027-03-15T21:00:00Z")), windows.intervals());
    }

    @Test
    void nineToFiveStaysLocalAcrossFallBack() {
        WeeklyRule sat = new WeeklyRule(DayOfWeek.SATURDAY, LocalTime.of(9, 0), LocalTime.of(17, 0), NEW_YORK);
        WeeklyRule mon = new WeeklyRule(DayOfWeek.MONDAY, LocalTime.of(9, 0), LocalTime.of(17, 0), NEW_YORK);
        IntervalSet windows = WeeklyPatterns.expand(List.of(sat, mon), utc("2027-11-06T00:00:00Z", "2027-11-09T00:00:00Z"));
        assertEquals(List.of(utc("2027-11-06T13:00:00Z", "2027-11-06T21:00:00Z"),
                utc("2027-11-08T14:00:00Z", "2027-11-08T22:00:00Z")), windows.intervals());
    }

    @Test
    void thirteenOClockStartOnTheTransitionSundays() {
        WeeklyRule sunday = new WeeklyRule(DayOfWeek.SUNDAY, LocalTime.of(13, 0), LocalTime.of(15, 0), NEW_YORK);
        assertEquals(List.of(utc("2027-03-07T18:00:00Z", "2027-03-07T20:00:00Z"),
                        utc("2027-03-14T17:00:00Z", "2027-03-14T19:00:00Z")),
                WeeklyPatterns.expand(List.of(sunday), utc("2027-03-06T00:00:00Z", "2027-03-15T00:00:00Z")).intervals());
        assertEquals(List.of(utc("2027-10-31T17:00:00Z", "2027-10-31T19:00:00Z"),
                        utc("2027-11-07T18:00:00Z", "2027-11-07T20:00:00Z")),
                WeeklyPatterns.expand(List.of(sunday), utc("2027-10-30T00:00:00Z", "2027-11-08T00:00:00Z")).intervals());
    }

    @Test
    void rangeAcrossSpringGapLosesTheMissingHour() {
        // 01:00-04:00 local on 2027-03-14 is only two real hours: 02:00-03:00 does not exist.
        WeeklyRule night = new WeeklyRule(DayOfWeek.SUNDAY, LocalTime.of(1, 0), LocalTime.of(4, 0), NEW_YORK);
        assertEquals(List.of(utc("2027-03-14T06:00:00Z", "2027-03-14T08:00:00Z")),
                WeeklyPatterns.expand(List.of(night), utc("2027-03-14T00:00:00Z", "2027-03-15T00:00:00Z")).intervals());
    }

    @Test
    void rangeAcrossFallOverlapCoversTheRepeatedHourOnce() {
        // 00:00-03:00 local on 2027-11-07 is four real hours: 01:00-02:00 happens twice.
        WeeklyRule night = new WeeklyRule(DayOfWeek.SUNDAY, LocalTime.of(0, 0), LocalTime.of(3, 0), NEW_YORK);
        assertEquals(List.of(utc("2027-11-07T04:00:00Z", "2027-11-07T08:00:00Z")),
                WeeklyPatterns.expand(List.of(night), utc("2027-11-07T00:00:00Z", "2027-11-08T00:00:00Z")).intervals());
        // A window that starts and ends inside the repeated hour: earliest start, latest end.
        WeeklyRule inside = new WeeklyRule(DayOfWeek.SUNDAY, LocalTime.of(1, 15), LocalTime.of(1, 45), NEW_YORK);
        assertEquals(List.of(utc("2027-11-07T05:15:00Z", "2027-11-07T06:45:00Z")),
                WeeklyPatterns.expand(List.of(inside), utc("2027-11-07T00:00:00Z", "2027-11-08T00:00:00Z")).intervals());
    }

    @Test
    void windowWhollyInsideTheGapIsEmpty() {
        WeeklyRule gap = new WeeklyRule(DayOfWeek.SUNDAY, LocalTime.of(2, 0), LocalTime.of(3, 0), NEW_YORK);
        assertEquals(IntervalSet.empty(),
                WeeklyPatterns.expand(List.of(gap), utc("2027-03-14T00:00:00Z", "2027-03-15T00:00:00Z")));
    }

    @Test
    void overlappingRangesMergeAndRangeClips() {
        WeeklyRule morning = new WeeklyRule(DayOfWeek.MONDAY, LocalTime.of(9, 0), LocalTime.of(12, 0), NEW_YORK);
        WeeklyRule midday = new WeeklyRule(DayOfWeek.MONDAY, LocalTime.of(11, 0), LocalTime.of(14, 0), NEW_YORK);
        WeeklyRule again = new WeeklyRule(DayOfWeek.MONDAY, LocalTime.of(9, 0), LocalTime.of(12, 0), NEW_YORK);
        assertEquals(List.of(utc("2027-06-07T13:00:00Z", "2027-06-07T18:00:00Z")),
                WeeklyPatterns.expand(List.of(morning, midday, again),
                        utc("2027-06-07T00:00:00Z", "2027-06-08T00:00:00Z")).intervals());
        assertEquals(List.of(utc("2027-06-07T15:00:00Z", "2027-06-07T16:00:00Z")),
                WeeklyPatterns.expand(List.of(morning, midday),
                        utc("2027-06-07T15:00:00Z", "2027-06-07T16:00:00Z")).intervals());
    }

    @Test
    void effectiveDatesAreInclusive() {
        WeeklyRule rule = new WeeklyRule(DayOfWeek.MONDAY, LocalTime.of(9, 0), LocalTime.of(10, 0), NEW_YORK,
                LocalDate.of(2027, 6, 14), LocalDate.of(2027, 6, 21), null);
        IntervalSet windows = WeeklyPatterns.expand(List.of(rule), utc("2027-06-01T00:00:00Z", "2027-07-01T00:00:00Z"));
        assertEquals(List.of(utc("2027-06-14T13:00:00Z", "2027-06-14T14:00:00Z"),
                utc("2027-06-21T13:00:00Z", "2027-06-21T14:00:00Z")), windows.intervals());
    }

    @Test
    void oddOffsetZones() {
        WeeklyRule kolkata = new WeeklyRule(DayOfWeek.MONDAY, LocalTime.of(9, 0), LocalTime.of(10, 0), ZoneId.of("Asia/Kolkata"));
        WeeklyRule kathmandu = new WeeklyRule(DayOfWeek.MONDAY, LocalTime.of(9, 0), LocalTime.of(10, 0), ZoneId.of("Asia/Kathmandu"));
        Interval week = utc("2027-06-06T00:00:00Z", "2027-06-09T00:00:00Z");
        assertEquals(List.of(utc("2027-06-07T03:30:00Z", "2027-06-07T04:30:00Z")),
                WeeklyPatterns.expand(List.of(kolkata), week).intervals());
        assertEquals(List.of(utc("2027-06-07T03:15:00Z", "2027-06-07T04:15:00Z")),
                WeeklyPatterns.expand(List.of(kathmandu), week).intervals());
    }

    @Test
    void lordHoweHalfHourDst() {
        // Lord Howe: +10:30 standard, +11:00 in summer; clocks go 02:00 -> 02:30 on 2027-10-03
        // and 02:00 -> 01:30 on 2027-04-04.
        ZoneId lordHowe = ZoneId.of("Australia/Lord_Howe");
        WeeklyRule spring = new WeeklyRule(DayOfWeek.SUNDAY, LocalTime.of(1, 0), LocalTime.of(4, 0), lordHowe);
        assertEquals(List.of(utc("2027-10-02T14:30:00Z", "2027-10-02T17:00:00Z")),
                WeeklyPatterns.expand(List.of(spring), utc("2027-10-02T00:00:00Z", "2027-10-03T12:00:00Z")).intervals());
        assertEquals(List.of(utc("2027-04-03T14:00:00Z", "2027-04-03T17:30:00Z")),
                WeeklyPatterns.expand(List.of(spring), utc("2027-04-03T00:00:00Z", "2027-04-04T12:00:00Z")).intervals());
    }

    @Test
    void endMustFollowStart() {
        assertThrows(InvalidInputException.class,
                () -> new WeeklyRule(DayOfWeek.MONDAY, LocalTime.of(10, 0), LocalTime.of(9, 0), NEW_YORK));
        assertThrows(InvalidInputException.class,
                () -> new WeeklyRule(DayOfWeek.MONDAY, LocalTime.of(10, 0), LocalTime.of(10, 0), NEW_YORK));
    }
}
