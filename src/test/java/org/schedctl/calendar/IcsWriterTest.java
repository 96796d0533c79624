package org.schedctl.calendar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import net.fortuna.ical4j.data.CalendarBuilder;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.VEvent;
import org.junit.jupiter.api.Test;
import org.schedctl.domain.calendar.ExportedAppointment;

/**
 * Golden files for the ICS export (byte for byte, regenerate with -Dschedctl.updateGolden=true and review the
 * diff), plus properties checked independently of the golden text: our own output parses back with ical4j to the
 * same instants, lines are CRLF and at most 75 octets, and hostile text stays inside its property.
 */
class IcsWriterTest {
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final DateTimeFormatter ICS_LOCAL = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss");
    private static final Instant DTSTAMP = Instant.parse("2027-01-02T03:04:05Z");

    private static ExportedAppointment lesson(String reference, LocalDateTime localStart, String status, String notes, int sequence) {
        Instant start = localStart.atZone(NEW_YORK).toInstant();
        return new ExportedAppointment(reference, status, "ada@example.org", "bob@example.org", "piano-60",
                start, start.plusSeconds(3600), "America/New_York", new BigDecimal("50.00"), "USD", null,
                Instant.parse("2027-01-01T00:00:00Z"), "Ada Lovelace", "Bob Student", "Piano lesson", "Room 4", notes, sequence);
    }

    /** Weekly 09:00 New York lessons across both 2027 DST changes (March 14 and November 7). */
    static List<ExportedAppointment> dstSeries() {
        List<ExportedAppointment> series = new ArrayList<>();
        String[] refs = {"AAAAAAA2", "AAAAAAA3", "AAAAAAA4", "AAAAAAA5", "AAAAAAA6", "AAAAAAA7"};
        LocalDateTime[] starts = {
                LocalDateTime.of(2027, 3, 7, 9, 0), LocalDateTime.of(2027, 3, 14, 9, 0), LocalDateTime.of(2027, 3, 21, 9, 0),
                LocalDateTime.of(2027, 10, 31, 9, 0), LocalDateTime.of(2027, 11, 7, 9, 0), LocalDateTime.of(2027, 11, 14, 9, 0)};
        String[] statuses = {"completed", "confirmed", "cancelled", "pending", "confirmed", "no_show"};
        for (int i = 0; i < refs.length; i++) {
            series.add(lesson(refs[i], starts[i], statuses[i], null, i % 2));
        }
        return series;
    }

    static List<ExportedAppointment> hostile() {
        ExportedAppointment base = lesson("BBBBBBB2", LocalDateTime.of(2027, 5, 3, 14, 30), "confirmed",
                "Bring scales; arpeggios, too\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected \\ backslash "
                        + "and a very long line of Ünïcödé text that must be folded at seventy-five octets — ✓ done", 3);
        return List.of(new ExportedAppointment(base.reference(), base.status(), base.instructor(), base.student(), base.type(),
                base.start(), base.end(), base.timezone(), base.price(), base.currency(), base.fee(), base.createdAt(),
                "Ada \"The Countess\" Lovelace", "Bob; Student, Jr.", "Piano: scales; chords, more", "Room 4;\nBasement",
                base.notes(), base.rescheduleCount()));
    }

    @Test
    void dstSeriesMatchesGoldenFile() throws IOException {
        assertGolden("ics/dst-series.ics", IcsWriter.write(dstSeries(), DTSTAMP));
    }

    @Test
    void escapingMatchesGoldenFile() throws IOException {
        assertGolden("ics/escaping.ics", IcsWriter.write(hostile(), DTSTAMP));
    }

    @Test
    void dstSeriesParsesBackToTheSameInstantsAtNineLocal() throws Exception {
        List<ExportedAppointment> series = dstSeries();
        Calendar parsed = new CalendarBuilder().build(new StringReader(IcsWriter.write(series, DTSTAMP)));
        List<VEvent> events = parsed.getComponents("VEVENT");
        assertEquals(series.size(), events.size());
        assertEquals(1, parsed.getComponents("VTIMEZONE").size());
        for (int i = 0; i < events.size(); i++) {
            VEvent event = events.get(i);
            ExportedAppointment a = series.get(i);
            // Read back with java.time's rules for the TZID, not ical4j's (see IcsWriter): the wall-clock value
            // must be the local time of the stored instant.
            ZoneId zone = ZoneId.of(event.getDateTimeStart().orElseThrow().getParameter("TZID").orElseThrow().getValue());
            LocalDateTime start = LocalDateTime.parse(event.getDateTimeStart().orElseThrow().getValue(), ICS_LOCAL);
            LocalDateTime end = LocalDateTime.parse(event.getDateTimeEnd().orElseThrow().getValue(), ICS_LOCAL);
            assertEquals(a.start(), start.atZone(zone).toInstant());
            assertEquals(a.end(), end.atZone(zone).toInstant());
            assertEquals(9, start.getHour(), "every lesson is at 09:00 New York time");
            assertEquals("America/New_York", event.getDateTimeStart().orElseThrow().getParameter("TZID").orElseThrow().getValue());
            assertEquals(a.reference() + "@schedctl", event.getUid().orElseThrow().getValue());
            assertEquals(String.valueOf(a.rescheduleCount()), event.getProperty(Property.SEQUENCE).orElseThrow().getValue());
            assertEquals("20270102T030405Z", event.getDateTimeStamp().orElseThrow().getValue());
        }
        // 09:00 local is 14:00Z in winter and 13:00Z in summer: the wall-clock time survives both DST changes.
        assertEquals(Instant.parse("2027-03-07T14:00:00Z"), series.get(0).start());
        assertEquals(Instant.parse("2027-03-14T13:00:00Z"), series.get(1).start());
        assertEquals(Instant.parse("2027-11-07T14:00:00Z"), series.get(4).start());
        assertEquals("CONFIRMED", events.get(0).getStatus().orElseThrow().getValue());
        assertEquals("CANCELLED", events.get(2).getStatus().orElseThrow().getValue());
        assertEquals("TENTATIVE", events.get(3).getStatus().orElseThrow().getValue());
        assertEquals("PUBLISH", parsed.getProperty(Property.METHOD).orElseThrow().getValue());
    }

    @Test
    void hostileTextStaysInsideItsProperties() throws Exception {
        String ics = IcsWriter.write(hostile(), DTSTAMP);
        Calendar parsed = new CalendarBuilder().build(new StringReader(ics));
        List<VEvent> events = parsed.getComponents("VEVENT");
        assertEquals(1, events.size(), "a note must not open a second VEVENT");
        VEvent event = events.get(0);
        assertEquals(hostile().get(0).notes().replace("\r\n", "\n"),
                event.getDescription().orElseThrow().getValue().lines().filter(l -> true)
                        .reduce((a, b) -> a + "\n" + b).orElseThrow().replaceFirst("(?s)^.*?Notes: ", ""));
        assertEquals("Piano: scales; chords, more with Ada \"The Countess\" Lovelace", event.getSummary().orElseThrow().getValue());
        assertEquals("Room 4;\nBasement", event.getLocation().orElseThrow().getValue());
        assertEquals(1, event.getProperties(Property.SUMMARY).size());
        assertEquals("Bob; Student, Jr.", event.getProperties(Property.ATTENDEE).get(0).getParameter("CN").orElseThrow().getValue());
        assertLinesWellFormed(ics);
    }

    @Test
    void everyLineEndsInCrlfAndFitsSeventyFiveOctets() {
        assertLinesWellFormed(IcsWriter.write(dstSeries(), DTSTAMP));
    }

    @Test
    void outputIsStableAcrossRuns() {
        assertEquals(IcsWriter.write(dstSeries(), DTSTAMP), IcsWriter.write(dstSeries(), DTSTAMP));
    }

    @Test
    void foldingNeverSplitsACharacter() {
        String line = "DESCRIPTION:" + "é".repeat(100);
        String folded = IcsFolding.fold(line + "\r\n");
        for (String physical : folded.split("\r\n")) {
            assertTrue(physical.getBytes(StandardCharsets.UTF_8).length <= 75, physical);
        }
        assertEquals(line, folded.replace("\r\n ", "").replace("\r\n", ""));
    }

    static void assertLinesWellFormed(String ics) {
        assertTrue(ics.endsWith("\r\n"));
        assertFalse(ics.replace("\r\n", "").contains("\n"), "bare LF");
        assertFalse(ics.replace("\r\n", "").contains("\r"), "bare CR");
        for (String line : ics.split("\r\n")) {
            assertTrue(line.getBytes(StandardCharsets.UTF_8).length <= 75, "over 75 octets: " + line);
        }
    }

    private static void assertGolden(String resource, String actual) throws IOException {
        if (Boolean.getBoolean("schedctl.updateGolden")) {
            Path file = Path.of("src", "test", "resources").resolve(resource);
            Files.createDirectories(file.getParent());
            Files.writeString(file, actual, StandardCharsets.UTF_8);
        }
        try (InputStream in = IcsWriterTest.class.getResourceAsStream("/" + resource)) {
            assertTrue(in != null, "missing golden file " + resource + "; generate with -Dschedctl.updateGolden=true and review it");
            assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), actual);
        }
    }
}
