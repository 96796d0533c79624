package org.schedctl.calendar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.schedctl.calendar.IcsBusyReader.BusyEvent;
import org.schedctl.calendar.IcsBusyReader.Result;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.TimeInput.InstantRange;

class IcsBusyReaderTest {
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final InstantRange HORIZON = new InstantRange(Instant.parse("2027-01-01T00:00:00Z"), Instant.parse("2028-01-01T00:00:00Z"));

    static String calendar(String... eventLines) {
        return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + String.join("\r\n", eventLines) + "\r\nEND:VCALENDAR\r\n";
    }

    private static Result read(String ics) {
        return new IcsBusyReader(NEW_YORK, HORIZON, "cal.ics").read(ics.getBytes(StandardCharsets.UTF_8));
    }

    private static BusyEvent only(Result result) {
        assertEquals(1, result.busy().size(), result.toString());
        return result.busy().get(0);
    }

    private static InstantRange range(String from, String to) {
        return new InstantRange(Instant.parse(from), Instant.parse(to));
    }

    @Test
    void weeklyRuleStaysAtLocalNineAcrossBothDstChanges() {
        BusyEvent e = only(read(calendar("BEGIN:VEVENT", "UID:weekly-1", "DTSTAMP:20270101T000000Z",
                "DTSTART;TZID=America/New_York:20270307T090000", "DTEND;TZID=America/New_York:20270307T100000",
                "RRULE:FREQ=WEEKLY;COUNT=3", "END:VEVENT")));
        assertEquals(List.of(
                range("2027-03-07T14:00:00Z", "2027-03-07T15:00:00Z"), // EST
                range("2027-03-14T13:00:00Z", "2027-03-14T14:00:00Z"), // EDT from that morning
                range("2027-03-21T13:00:00Z", "2027-03-21T14:00:00Z")), e.busy());
    }

    @Test
    void untilInUtcAndExdateAcrossTheAutumnChange() {
        BusyEvent e = only(read(calendar("BEGIN:VEVENT", "UID:weekly-2", "DTSTAMP:20270101T000000Z",
                "DTSTART;TZID=America/New_York:20271031T090000", "DTEND;TZID=America/New_York:20271031T100000",
                "RRULE:FREQ=WEEKLY;UNTIL=20271121T140000Z", "EXDATE;TZID=America/New_York:20271107T090000", "END:VEVENT")));
        assertEquals(List.of(
                range("2027-10-31T13:00:00Z", "2027-10-31T14:00:00Z"), // EDT
                range("2027-11-14T14:00:00Z", "2027-11-14T15:00:00Z"), // EST
                range("2027-11-21T14:00:00Z", "2027-11-21T15:00:00Z")), // exactly at UNTIL: included
                e.busy());
    }

    @Test
    void allDayEventsAreWholeLocalDaysEvenOnTheShortDay() {
        BusyEvent e = only(read(calendar("BEGIN:VEVENT", "UID:day", "DTSTAMP:20270101T000000Z",
                "DTSTART;VALUE=DATE:20270314", "DTEND;VALUE=DATE:20270316", "END:VEVENT")));
        // 2027-03-14 has 23 hours in New York: 05:00Z to 04:00Z two days later is 47 hours.
        assertEquals(List.of(range("2027-03-14T05:00:00Z", "2027-03-16T04:00:00Z")), e.busy());
    }

    @Test
    void allDayWithoutEndIsOneDayAndRecursByDate() {
        BusyEvent e = only(read(calendar("BEGIN:VEVENT", "UID:days", "DTSTAMP:20270101T000000Z",
                "DTSTART;VALUE=DATE:20271106", "RRULE:FREQ=DAILY;COUNT=2", "END:VEVENT")));
        assertEquals(List.of(range("2027-11-06T04:00:00Z", "2027-11-07T04:00:00Z"),
                range("2027-11-07T04:00:00Z", "2027-11-08T05:00:00Z")), e.busy()); // the 25-hour day
    }

    @Test
    void floatingTimesAreReadInTheInstructorsZone() {
        BusyEvent e = only(read(calendar("BEGIN:VEVENT", "UID:float", "DTSTAMP:20270101T000000Z",
                "DTSTART:20270701T090000", "DURATION:PT90M", "END:VEVENT")));
        assertEquals(List.of(range("2027-07-01T13:00:00Z", "2027-07-01T14:30:00Z")), e.busy());
    }

    @Test
    void transparentAndCancelledEventsAreFree() {
        Result result = read(calendar(
                "BEGIN:VEVENT", "UID:free", "DTSTAMP:20270101T000000Z", "DTSTART:20270701T090000Z", "DTEND:20270701T100000Z",
                "TRANSP:TRANSPARENT", "END:VEVENT",
                "BEGIN:VEVENT", "UID:gone", "DTSTAMP:20270101T000000Z", "DTSTART:20270701T090000Z", "DTEND:20270701T100000Z",
                "STATUS:CANCELLED", "END:VEVENT",
                "BEGIN:VEVENT", "UID:busy", "DTSTAMP:20270101T000000Z", "DTSTART:20270701T110000Z", "DTEND:20270701T120000Z",
                "END:VEVENT"));
        assertEquals("busy", only(result).uid());
        assertTrue(result.freedKeys().contains(IcsBusyReader.key("free", "")));
        assertTrue(result.freedKeys().contains(IcsBusyReader.key("gone", "")));
        assertEquals(3, result.eventsRead());
    }

    @Test
    void anOverrideReplacesTheOccurrenceItNames() {
        Result result = read(calendar(
                "BEGIN:VEVENT", "UID:s", "DTSTAMP:20270101T000000Z", "DTSTART;TZID=America/New_York:20270105T100000",
                "DTEND;TZID=America/New_York:20270105T110000", "RRULE:FREQ=DAILY;COUNT=3", "END:VEVENT",
                "BEGIN:VEVENT", "UID:s", "DTSTAMP:20270101T000000Z", "RECURRENCE-ID;TZID=America/New_York:20270106T100000",
                "DTSTART;TZID=America/New_York:20270106T150000", "DTEND;TZID=America/New_York:20270106T160000", "END:VEVENT"));
        assertEquals(2, result.busy().size());
        BusyEvent master = result.busy().stream().filter(b -> b.recurrenceId().isEmpty()).findFirst().orElseThrow();
        BusyEvent moved = result.busy().stream().filter(b -> !b.recurrenceId().isEmpty()).findFirst().orElseThrow();
        assertEquals(List.of(range("2027-01-05T15:00:00Z", "2027-01-05T16:00:00Z"),
                range("2027-01-07T15:00:00Z", "2027-01-07T16:00:00Z")), master.busy());
        assertEquals(List.of(range("2027-01-06T20:00:00Z", "2027-01-06T21:00:00Z")), moved.busy());
    }

    @Test
    void onlyTheHorizonIsExpanded() {
        BusyEvent e = only(read(calendar("BEGIN:VEVENT", "UID:forever", "DTSTAMP:20270101T000000Z",
                "DTSTART;TZID=America/New_York:20200106T090000", "DTEND;TZID=America/New_York:20200106T100000",
                "RRULE:FREQ=WEEKLY;BYDAY=MO", "END:VEVENT")));
        assertEquals(52, e.busy().size()); // the Mondays of 2027
        assertTrue(e.busy().stream().allMatch(r -> r.start().isAfter(HORIZON.start()) && r.end().isBefore(HORIZON.end())));
    }

    @Test
    void fingerprintIsStableAndChangesWithTheTimes() {
        String a = calendar("BEGIN:VEVENT", "UID:x", "DTSTAMP:20270101T000000Z", "DTSTART:20270701T090000Z", "DTEND:20270701T100000Z", "END:VEVENT");
        String b = a.replace("DTEND:20270701T100000Z", "DTEND:20270701T103000Z");
        assertEquals(only(read(a)).fingerprint(), only(read(a)).fingerprint());
        assertFalse(only(read(a)).fingerprint().equals(only(read(b)).fingerprint()));
    }

    @Test
    void malformedAndHostileFilesAreOneLineInputErrors() {
        assertOneLine(assertThrows(InvalidInputException.class, () -> read("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\n")));
        assertOneLine(assertThrows(InvalidInputException.class, () -> read("this is not a calendar")));
        assertOneLine(assertThrows(InvalidInputException.class, () -> read(calendar("BEGIN:VEVENT", "UID:r", "DTSTAMP:20270101T000000Z",
                "DTSTART:20270701T090000Z", "DTEND:20270701T100000Z", "RRULE:FREQ=SOMETIMES", "END:VEVENT"))));
        InvalidInputException tooOften = assertThrows(InvalidInputException.class, () -> read(calendar("BEGIN:VEVENT", "UID:r",
                "DTSTAMP:20270101T000000Z", "DTSTART:20270701T090000Z", "DTEND:20270701T090100Z", "RRULE:FREQ=MINUTELY", "END:VEVENT")));
        assertOneLine(tooOften);
        InvalidInputException many = assertThrows(InvalidInputException.class, () -> read(calendar("BEGIN:VEVENT", "UID:r",
                "DTSTAMP:20270101T000000Z", "DTSTART:20270101T000000Z", "DTEND:20270101T003000Z", "RRULE:FREQ=HOURLY", "END:VEVENT")));
        assertTrue(many.getMessage().contains("more than " + IcsBusyReader.MAX_OCCURRENCES_PER_EVENT), many.getMessage());
        byte[] huge = new byte[IcsBusyReader.MAX_BYTES + 1];
        InvalidInputException big = assertThrows(InvalidInputException.class,
                () -> new IcsBusyReader(NEW_YORK, HORIZON, "cal.ics").read(huge));
        assertTrue(big.getMessage().contains("larger than 20 MB"), big.getMessage());
    }

    private static void assertOneLine(InvalidInputException e) {
        assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r"), e.getMessage());
        assertTrue(e.getMessage().startsWith("cal.ics"), e.getMessage());
    }

    @Test
    void anUnknownTzidWithoutVtimezoneIsAnInputError() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> read(calendar("BEGIN:VEVENT", "UID:mars",
                "DTSTAMP:20270101T000000Z", "DTSTART;TZID=Mars/Olympus:20270801T100000", "DTEND;TZID=Mars/Olympus:20270801T110000",
                "END:VEVENT")));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("Mars/Olympus"), e.getMessage());
    }

    @Test
    void tooManyEventsAreRefusedBeforeParsingEvenWhenFolded() {
        StringBuilder ics = new StringBuilder("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n");
        for (int i = 0; i <= IcsBusyReader.MAX_EVENTS; i++) {
            ics.append(i % 2 == 0 ? "BEGIN:VEVENT\r\nEND:VEVENT\r\n" : "BEGIN:VEV\r\n ENT\r\nEND:VEVENT\r\n");
        }
        ics.append("END:VCALENDAR\r\n");
        long started = System.nanoTime();
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> read(ics.toString()));
        assertTrue(e.getMessage().contains("more than " + IcsBusyReader.MAX_EVENTS + " events"), e.getMessage());
        assertTrue(System.nanoTime() - started < 5_000_000_000L, "refused without parsing");

        StringBuilder lines = new StringBuilder("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n");
        lines.append("X-A:1\r\n".repeat(IcsBusyReader.MAX_CONTENT_LINES));
        e = assertThrows(InvalidInputException.class, () -> read(lines.toString()));
        assertTrue(e.getMessage().contains("more than " + IcsBusyReader.MAX_CONTENT_LINES + " lines"), e.getMessage());
    }

    @Test
    void oldSeedsOfFastRulesAreExpandedQuicklyOrRefused() {
        for (String rule : List.of("FREQ=HOURLY;BYHOUR=9", "FREQ=DAILY", "FREQ=HOURLY;INTERVAL=7;BYDAY=MO")) {
            String ics = calendar("BEGIN:VEVENT", "UID:old", "DTSTAMP:20270101T000000Z", "DTSTART:19000101T090000Z",
                    "DTEND:19000101T093000Z", "RRULE:" + rule, "END:VEVENT");
            long started = System.nanoTime();
            try {
                Result result = read(ics);
                assertTrue(result.busy().get(0).busy().stream().allMatch(r -> r.start().isAfter(HORIZON.start())), rule);
            } catch (InvalidInputException e) {
                assertOneLine(e);
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(millis < 10_000, rule + " took " + millis + " ms");
        }
    }

    @Test
    void expansionStopsAtItsTimeBudget() {
        String old = String.join("\r\n", "BEGIN:VEVENT", "UID:%d", "DTSTAMP:20270101T000000Z", "DTSTART:19000101T090000Z",
                "DTEND:19000101T093000Z", "RRULE:FREQ=HOURLY;BYHOUR=9", "END:VEVENT");
        String ics = calendar(String.format(old, 1), String.format(old, 2), String.format(old, 3));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new IcsBusyReader(NEW_YORK, HORIZON, "cal.ics", java.time.Duration.ofMillis(1))
                        .read(ics.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("to expand"), e.getMessage());
    }
}
