package org.schedctl.calendar;

import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import net.fortuna.ical4j.data.CalendarBuilder;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.component.VEvent;
import org.junit.jupiter.api.Test;
import org.schedctl.domain.TimeInput.InstantRange;
import org.schedctl.domain.calendar.ExportedAppointment;
import org.schedctl.fuzz.FuzzHarness;

/**
 * Hostile calendars for `import ics` (every input either reads or fails with a one-line input error, in bounded
 * time) and hostile text for `export ics` (whatever the text, the output stays one well-formed event).
 */
class IcsFuzzTest {
    private final FuzzHarness fuzz = FuzzHarness.seeded(0x1C5L, Duration.ofSeconds(5));
    private final int n = FuzzHarness.iterations(200);

    @Test
    void importReadsOrRefusesEveryMutatedCalendar() {
        List<String> seeds = List.of(
                IcsBusyReaderTest.calendar("BEGIN:VEVENT", "UID:w@x", "DTSTAMP:20270101T000000Z",
                        "DTSTART;TZID=America/New_York:20270307T090000", "DTEND;TZID=America/New_York:20270307T100000",
                        "RRULE:FREQ=WEEKLY;BYDAY=SU,WE;UNTIL=20271121T140000Z", "EXDATE;TZID=America/New_York:20270310T090000",
                        "END:VEVENT", "BEGIN:VEVENT", "UID:w@x", "DTSTAMP:20270101T000000Z",
                        "RECURRENCE-ID;TZID=America/New_York:20270314T090000", "DTSTART:20270314T150000Z", "DURATION:PT2H",
                        "END:VEVENT"),
                IcsBusyReaderTest.calendar("BEGIN:VEVENT", "UID:d@x", "DTSTAMP:20270101T000000Z", "DTSTART;VALUE=DATE:20271106",
                        "DTEND;VALUE=DATE:20271108", "RRULE:FREQ=MONTHLY;COUNT=5", "TRANSP:OPAQUE", "END:VEVENT",
                        "BEGIN:VEVENT", "UID:f@x", "DTSTAMP:20270101T000000Z", "DTSTART:20270701T090000", "STATUS:CANCELLED",
                        "END:VEVENT"));
        InstantRange horizon = new InstantRange(Instant.parse("2027-01-01T00:00:00Z"), Instant.parse("2028-01-01T00:00:00Z"));
        fuzz.run("IcsBusyReader.read", n, fuzz.bytes(seeds), bytes -> {
            IcsBusyReader.Result result = new IcsBusyReader(ZoneId.of("America/New_York"), horizon, "fuzz.ics").read(bytes);
            for (IcsBusyReader.BusyEvent event : result.busy()) {
                if (event.busy().isEmpty() || event.busy().size() > IcsBusyReader.MAX_OCCURRENCES_PER_EVENT) {
                    throw new AssertionError("busy event out of bounds: " + event.uid() + " " + event.busy().size());
                }
                for (InstantRange r : event.busy()) {
                    if (!r.end().isAfter(r.start()) || !r.end().isAfter(horizon.start()) || !r.start().isBefore(horizon.end())) {
                        throw new AssertionError("bad busy range " + r);
                    }
                }
            }
        });
    }

    @Test
    void exportKeepsHostileTextInsideItsProperties() {
        fuzz.run("IcsWriter.write", n, random -> fuzz.hostileText(8), text -> {
            Instant start = Instant.parse("2027-03-14T13:00:00Z");
            ExportedAppointment a = new ExportedAppointment("CCCCCCC2", "confirmed", "ada@example.org", "bob@example.org",
                    "t", start, start.plusSeconds(3600), "America/New_York", BigDecimal.TEN, "USD", null, start,
                    text, text, text, text, text, 0);
            String ics = IcsWriter.write(List.of(a), start);
            IcsWriterTest.assertLinesWellFormed(ics);
            try {
                Calendar parsed = new CalendarBuilder().build(new StringReader(ics));
                List<VEvent> events = parsed.getComponents("VEVENT");
                if (events.size() != 1 || !events.get(0).getUid().orElseThrow().getValue().equals("CCCCCCC2@schedctl")) {
                    throw new AssertionError("text escaped its property: " + ics);
                }
            } catch (Exception e) {
                throw new AssertionError("our own output does not parse: " + e + "\n" + new String(ics.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
            }
        });
    }
}
