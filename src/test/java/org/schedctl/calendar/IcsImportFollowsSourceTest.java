package org.schedctl.calendar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.schedctl.calendar.IcsBusyReaderTest.calendar;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.schedctl.calendar.IcsBusyReader.BusyEvent;
import org.schedctl.calendar.IcsBusyReader.Result;
import org.schedctl.domain.TimeInput.InstantRange;

/** Issue 13, import: each defect the issue quotes, read as real calendar programs write it. */
class IcsImportFollowsSourceTest {
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final InstantRange HORIZON = new InstantRange(Instant.parse("2027-01-01T00:00:00Z"), Instant.parse("2028-01-01T00:00:00Z"));

    private static Result read(String ics) {
        return new IcsBusyReader(NEW_YORK, HORIZON, "cal.ics").read(ics.getBytes(StandardCharsets.UTF_8));
    }

    private static List<Instant> starts(BusyEvent event) {
        return event.busy().stream().map(InstantRange::start).toList();
    }

    private static BusyEvent event(Result result, String uid) {
        return result.busy().stream().filter(b -> b.uid().equals(uid) && b.recurrenceId().isEmpty()).findFirst()
                .orElseThrow(() -> new AssertionError(uid + " not busy in " + result));
    }

    @Test
    void rdateAndASecondRruleAreHonoured() {
        // As Zimbra writes a series with extra dates: two RRULEs and an RDATE, each adding occurrences.
        Result r = read(calendar("BEGIN:VEVENT", "UID:zimbra-1", "DTSTAMP:20270101T000000Z",
                "DTSTART;TZID=America/New_York:20270301T100000", "DTEND;TZID=America/New_York:20270301T110000",
                "RRULE:FREQ=WEEKLY;COUNT=2", "RRULE:FREQ=WEEKLY;BYDAY=WE;UNTIL=20270311T000000Z",
                "RDATE;TZID=America/New_York:20270320T100000", "END:VEVENT"));
        assertEquals(List.of(Instant.parse("2027-03-01T15:00:00Z"), Instant.parse("2027-03-03T15:00:00Z"),
                Instant.parse("2027-03-08T15:00:00Z"), Instant.parse("2027-03-10T15:00:00Z"),
                Instant.parse("2027-03-20T14:00:00Z")), starts(event(r, "zimbra-1")));
    }

    @Test
    void rdatePeriodsAndDatesAreRead() {
        Result r = read(calendar("BEGIN:VEVENT", "UID:p", "DTSTART:20270401T120000Z", "DURATION:PT1H",
                "RDATE;VALUE=PERIOD:20270402T120000Z/PT30M,20270403T120000Z/20270403T150000Z", "END:VEVENT"));
        List<InstantRange> busy = event(r, "p").busy();
        assertEquals(3, busy.size(), busy.toString());
        assertEquals(Instant.parse("2027-04-02T12:30:00Z"), busy.get(1).end());
        assertEquals(Instant.parse("2027-04-03T15:00:00Z"), busy.get(2).end());
    }

    @Test
    void anUnreadableOptionalPropertyIsSkippedWithAWarningNotTheFile() {
        // Google/Thunderbird export: CREATED in year 0; Google's birthday calendar: a date with a Z.
        Result r = read(calendar("BEGIN:VEVENT", "UID:g-1", "CREATED:00001231T000000Z", "DTSTAMP:20270101T000000Z",
                "DTSTART:20270501T120000Z", "DTEND:20270501T130000Z", "END:VEVENT",
                "BEGIN:VEVENT", "UID:bday", "DTSTART;VALUE=DATE:20270510", "RRULE:FREQ=YEARLY",
                "RDATE:20131210Z", "END:VEVENT"));
        assertEquals(2, r.busy().size(), r.toString());
        assertEquals(2, r.warnings().size(), r.warnings().toString());
        assertTrue(r.warnings().get(0).startsWith("cal.ics:6: warning: skipped CREATED"), r.warnings().toString());
        assertTrue(r.warnings().get(1).startsWith("cal.ics:15: warning: skipped RDATE value '20131210Z'"), r.warnings().toString());
    }

    @Test
    void ianaTzidsResolveWithoutTheirOwnVtimezoneBesideOthersAndWindowsNamesMapThroughCldr() {
        // Exchange 2010: one custom VTIMEZONE, events that name IANA zones without one, and a Windows zone name.
        Result r = read(calendar("BEGIN:VTIMEZONE", "TZID:Custom Zone", "BEGIN:STANDARD", "DTSTART:16010101T000000",
                "TZOFFSETFROM:+0300", "TZOFFSETTO:+0300", "END:STANDARD", "END:VTIMEZONE",
                "BEGIN:VEVENT", "UID:x-1", "DTSTART;TZID=America/Chicago:20270601T090000",
                "DTEND;TZID=America/Chicago:20270601T100000", "END:VEVENT",
                "BEGIN:VEVENT", "UID:x-2", "DTSTART;TZID=W. Europe Standard Time:20270601T090000",
                "DTEND;TZID=W. Europe Standard Time:20270601T100000", "END:VEVENT",
                "BEGIN:VEVENT", "UID:x-3", "DTSTART;TZID=Custom Zone:20270601T090000",
                "DTEND;TZID=Custom Zone:20270601T100000", "END:VEVENT"));
        assertEquals(List.of(Instant.parse("2027-06-01T14:00:00Z")), starts(event(r, "x-1")));
        assertEquals(List.of(Instant.parse("2027-06-01T07:00:00Z")), starts(event(r, "x-2")));
        assertEquals(List.of(Instant.parse("2027-06-01T06:00:00Z")), starts(event(r, "x-3")));
    }

    @Test
    void anAllDayOverrideWrittenWithATzidReplacesItsDayOnly() {
        // Exchange writes an all-day override's RECURRENCE-ID as midnight in its own zone (Berlin here), while
        // the instructor is in New York: the override moves the 8th to the 9th, and the 8th is free.
        Result r = read(calendar("BEGIN:VEVENT", "UID:allday", "DTSTART;VALUE=DATE:20270301", "DTEND;VALUE=DATE:20270302",
                "RRULE:FREQ=WEEKLY;COUNT=3", "END:VEVENT",
                "BEGIN:VEVENT", "UID:allday", "RECURRENCE-ID;TZID=Europe/Berlin:20270308T000000",
                "DTSTART;VALUE=DATE:20270309", "DTEND;VALUE=DATE:20270310", "END:VEVENT"));
        assertEquals(List.of(Instant.parse("2027-03-01T05:00:00Z"), Instant.parse("2027-03-15T04:00:00Z")),
                starts(event(r, "allday")));
        BusyEvent override = r.busy().stream().filter(b -> !b.recurrenceId().isEmpty()).findFirst().orElseThrow();
        assertEquals(List.of(Instant.parse("2027-03-09T05:00:00Z")), starts(override));
    }

    @Test
    void aUtcUntilIsComparedAsAnInstantSoTheFallBackHourIsKept() {
        // UNTIL 06:00Z is 01:00 EST, after the 01:30 EDT (05:30Z) occurrence of 7 November.
        Result r = read(calendar("BEGIN:VEVENT", "UID:until", "DTSTART;TZID=America/New_York:20271105T013000",
                "DTEND;TZID=America/New_York:20271105T020000", "RRULE:FREQ=DAILY;UNTIL=20271107T060000Z", "END:VEVENT"));
        assertEquals(List.of(Instant.parse("2027-11-05T05:30:00Z"), Instant.parse("2027-11-06T05:30:00Z"),
                Instant.parse("2027-11-07T05:30:00Z")), starts(event(r, "until")));
    }
}
