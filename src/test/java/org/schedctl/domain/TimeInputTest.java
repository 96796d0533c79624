package org.schedctl.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TimeInputTest {
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    @ParameterizedTest(name = "''{0}'' in {1} is {2}")
    @CsvSource(delimiter = '|', value = {
            // America/New_York: EST (-05:00) until 2027-03-14 02:00, then EDT (-04:00)
            "2027-03-14T09:00           | America/New_York    | 2027-03-14T13:00:00Z",
            "2027-03-14 09:00           | America/New_York    | 2027-03-14T13:00:00Z",
            "2027-03-14t09:00:30        | America/New_York    | 2027-03-14T13:00:30Z",
            "2027-03-14T01:59           | America/New_York    | 2027-03-14T06:59:00Z",
            "2027-03-14T03:00           | America/New_York    | 2027-03-14T07:00:00Z",
            // an offset makes the instant exact, whatever the zone says, even inside a gap or an overlap
            "2027-03-14T09:00:00-04:00  | America/New_York    | 2027-03-14T13:00:00Z",
            "2027-03-14T09:00-04:00     | Asia/Tokyo          | 2027-03-14T13:00:00Z",
            "2027-03-14T02:30-05:00     | America/New_York    | 2027-03-14T07:30:00Z",
            "2027-11-07T01:30-04:00     | America/New_York    | 2027-11-07T05:30:00Z",
            "2027-11-07T01:30-05:00     | America/New_York    | 2027-11-07T06:30:00Z",
            "2027-11-07 01:30-0500      | America/New_York    | 2027-11-07T06:30:00Z",
            "2027-11-07T01:30+05       | America/New_York    | 2027-11-06T20:30:00Z",
            "2027-03-14T13:00Z          | America/New_York    | 2027-03-14T13:00:00Z",
            "2027-03-14T13:00z          | Australia/Lord_Howe | 2027-03-14T13:00:00Z",
            // the hour after the New York overlap is unambiguous again
            "2027-11-07T02:00           | America/New_York    | 2027-11-07T07:00:00Z",
            // Europe/London: GMT to BST on 2027-03-28 at 01:00
            "2027-03-28T00:59           | Europe/London       | 2027-03-28T00:59:00Z",
            "2027-03-28T02:00           | Europe/London       | 2027-03-28T01:00:00Z",
            "2027-10-31T01:30+01:00     | Europe/London       | 2027-10-31T00:30:00Z",
            // Australia/Lord_Howe: half-hour shifts (+10:30 / +11:00)
            "2027-10-03T02:30           | Australia/Lord_Howe | 2027-10-02T15:30:00Z",
            "2027-04-04T02:00           | Australia/Lord_Howe | 2027-04-03T15:30:00Z",
            "2027-04-04T01:29           | Australia/Lord_Howe | 2027-04-03T14:29:00Z",
    })
    void parsesInstants(String text, String zone, String expected) {
        assertEquals(Instant.parse(expected), TimeInput.parseInstant(text, ZoneId.of(zone)));
    }

    @ParameterizedTest(name = "''{0}'' in {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "2027-03-14T02:30 | America/New_York    | 2027-03-14T02:30 does not exist in America/New_York (clocks skip 02:00->03:00). Pick another time",
            "2027-03-14T02:00 | America/New_York    | 2027-03-14T02:00 does not exist in America/New_York (clocks skip 02:00->03:00). Pick another time",
            "2027-03-28T01:30 | Europe/London       | 2027-03-28T01:30 does not exist in Europe/London (clocks skip 01:00->02:00). Pick another time",
            "2027-10-03T02:15 | Australia/Lord_Howe | 2027-10-03T02:15 does not exist in Australia/Lord_Howe (clocks skip 02:00->02:30). Pick another time",
            "2027-11-07T01:30 | America/New_York    | 2027-11-07T01:30 happens twice in America/New_York. Add an offset: 2027-11-07T01:30-04:00 or 2027-11-07T01:30-05:00",
            "2027-11-07 01:00 | America/New_York    | 2027-11-07T01:00 happens twice in America/New_York. Add an offset: 2027-11-07T01:00-04:00 or 2027-11-07T01:00-05:00",
            "2027-10-31T01:30 | Europe/London       | 2027-10-31T01:30 happens twice in Europe/London. Add an offset: 2027-10-31T01:30+01:00 or 2027-10-31T01:30Z",
            "2027-04-04T01:45 | Australia/Lord_Howe | 2027-04-04T01:45 happens twice in Australia/Lord_Howe. Add an offset: 2027-04-04T01:45+11:00 or 2027-04-04T01:45+10:30",
            "2027-03-14       | America/New_York    | '2027-03-14' is a date without a time. Add the time, e.g. 2027-03-14T09:00",
            "tomorrow 9am     | America/New_York    | bad time 'tomorrow 9am'. Use a local time like 2027-03-14T09:00 (read in America/New_York) or ISO-8601 with an offset like 2027-03-14T09:00-04:00 or 2027-03-14T13:00Z",
            "2027-02-30T09:00 | America/New_York    | bad time '2027-02-30T09:00'",
            "2027-03-14T24:00 | America/New_York    | bad time '2027-03-14T24:00'",
            "2027-03-14T09:00 America/New_York | UTC | bad time",
            "''               | UTC                 | missing time",
    })
    void refusesTimes(String text, String zone, String message) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> TimeInput.parseInstant(text, ZoneId.of(zone)));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void aLocalTimeWithoutAnyZoneAsksForOne() {
        assertEquals(Instant.parse("2027-03-14T13:00:00Z"), TimeInput.parseInstant("2027-03-14T13:00Z", null));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> TimeInput.parseInstant("2027-03-14T09:00", null));
        assertEquals("'2027-03-14T09:00' has no offset and no time zone applies. Add an offset (e.g. 2027-03-14T09:00Z) or give --tz",
                e.getMessage());
    }

    @Test
    void theJvmDefaultZoneChangesNothing() {
        TimeZone original = TimeZone.getDefault();
        try {
            for (String jvmZone : new String[] {"Pacific/Kiritimati", "America/Los_Angeles", "UTC"}) {
                TimeZone.setDefault(TimeZone.getTimeZone(jvmZone));
                assertEquals(Instant.parse("2027-03-14T13:00:00Z"), TimeInput.parseInstant("2027-03-14 09:00", NEW_YORK), jvmZone);
                assertEquals(Instant.parse("2027-03-14T13:00:00Z"), TimeInput.parseInstant("2027-03-14T09:00-04:00", null), jvmZone);
                assertThrows(InvalidInputException.class, () -> TimeInput.parseInstant("2027-11-07T01:30", NEW_YORK), jvmZone);
                TimeInput.InstantRange day = TimeInput.dateRange("2027-03-14", "2027-03-14", NEW_YORK);
                assertEquals(Instant.parse("2027-03-14T05:00:00Z"), day.start(), jvmZone);
            }
        } finally {
            TimeZone.setDefault(original);
        }
    }

    @Test
    void dates() {
        assertEquals(LocalDate.of(2027, 3, 14), TimeInput.parseDate(" 2027-03-14 "));
        for (String bad : new String[] {"2027-02-30", "14/03/2027", "2027-3-14", "2027-03-14T09:00", ""}) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> TimeInput.parseDate(bad), bad);
            assertTrue(e.getMessage().endsWith("Give it as YYYY-MM-DD, e.g. 2027-03-14"), e.getMessage());
        }
    }

    @Test
    void dateRangesCoverWholeLocalDaysIncludingDstDays() {
        TimeInput.InstantRange spring = TimeInput.dateRange("2027-03-14", "2027-03-14", NEW_YORK);
        assertEquals(Instant.parse("2027-03-14T05:00:00Z"), spring.start());
        assertEquals(Instant.parse("2027-03-15T04:00:00Z"), spring.end());
        assertEquals(Duration.ofHours(23), Duration.between(spring.start(), spring.end()));

        TimeInput.InstantRange autumn = TimeInput.dateRange("2027-11-07", "2027-11-07", NEW_YORK);
        assertEquals(Duration.ofHours(25), Duration.between(autumn.start(), autumn.end()));

        TimeInput.InstantRange week = TimeInput.dateRange("2027-03-08", "2027-03-14", NEW_YORK);
        assertEquals(Instant.parse("2027-03-08T05:00:00Z"), week.start());
        assertEquals(Duration.ofDays(7).minusHours(1), Duration.between(week.start(), week.end()));
        assertTrue(week.contains(Instant.parse("2027-03-15T03:59:59Z")));
        assertTrue(!week.contains(week.end()));

        // In Santiago, 2027-09-05 has no midnight: the day starts at 01:00 local
        TimeInput.InstantRange noMidnight = TimeInput.dateRange("2027-09-05", "2027-09-05", ZoneId.of("America/Santiago"));
        assertEquals(Instant.parse("2027-09-05T04:00:00Z"), noMidnight.start());

        InvalidInputException e = assertThrows(InvalidInputException.class, () -> TimeInput.dateRange("2027-03-14", "2027-03-01", NEW_YORK));
        assertEquals("the range ends on 2027-03-01, before it starts on 2027-03-14. Give --from before --to (both days are included)",
                e.getMessage());
    }
}
