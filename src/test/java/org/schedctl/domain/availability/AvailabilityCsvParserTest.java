package org.schedctl.domain.availability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;

class AvailabilityCsvParserTest {
    private static final String FILE = "avail.csv";

    private static AvailabilityCsvResult parse(String content) {
        return parse(content.getBytes(StandardCharsets.UTF_8));
    }

    private static AvailabilityCsvResult parse(byte[] content) {
        return AvailabilityCsvParser.parse(new ByteArrayInputStream(content), FILE);
    }

    private static List<String> messages(AvailabilityCsvResult result) {
        return result.errors().stream().map(CsvError::toString).toList();
    }

    private static void assertSingleError(String content, long line, String fragment) {
        AvailabilityCsvResult result = parse(content);
        assertEquals(1, result.errors().size(), () -> messages(result).toString());
        CsvError error = result.errors().get(0);
        assertEquals(line, error.line(), error.toString());
        String prefix = line > 0 ? FILE + ":" + line + ": " : FILE + ": ";
        assertTrue(error.toString().startsWith(prefix) && error.message().contains(fragment), error.toString());
        assertTrue(!error.message().contains("\n") && error.message().contains(". "), error.toString());
    }

    @Test
    void parsesEveryColumnWithBomCrlfQuotingAndFreeColumnOrder() {
        String content = "\uFEFFkind,instructor,day,start_time,end_time,timezone,effective_from,effective_until,type,"
                + "start_at,end_at,rrule,reason\r\n"
                + "weekly,ana@school.org,MON,09:00,17:00,America/New_York,2027-01-01,2027-12-31,piano-60,,,,\r\n"
                + "weekly,7,sun,13:00,15:30,,,,,,,,\r\n"
                + "\r\n"
                + "unavailable,ana@school.org,,,,Europe/Berlin,,,,2027-06-07T09:00,2027-06-07 12:00,"
                + "FREQ=WEEKLY;COUNT=4,\"dentist, then \"\"lunch\"\"\nand more\"\r\n"
                + "available,ana@school.org,,,,,,,,2027-06-08T09:00-04:00,2027-06-08T14:00Z,,\r\n";
        AvailabilityCsvResult result = parse(content);
        assertEquals(List.of(), messages(result));
        assertEquals(4, result.rows());
        assertEquals(new WeeklyRow(2, "ana@school.org", DayOfWeek.MONDAY, LocalTime.of(9, 0), LocalTime.of(17, 0),
                ZoneId.of("America/New_York"), LocalDate.of(2027, 1, 1), LocalDate.of(2027, 12, 31), "piano-60"), result.weekly().get(0));
        assertEquals(new WeeklyRow(3, "7", DayOfWeek.SUNDAY, LocalTime.of(13, 0), LocalTime.of(15, 30), null, null, null, null),
                result.weekly().get(1));
        BlockRow blackout = result.blocks().get(0);
        assertEquals(5, blackout.line());
        assertEquals(BlockKind.UNAVAILABLE, blackout.kind());
        assertEquals(LocalDateTime.parse("2027-06-07T12:00"), blackout.end().local());
        assertEquals("dentist, then \"lunch\"\nand more", blackout.reason());
        assertEquals(4, blackout.toRule(ZoneId.of("UTC")).occurrences(Instant.parse("2028-01-01T00:00:00Z")).size());
        BlockRow extra = result.blocks().get(1);
        assertEquals(7, extra.line());
        assertEquals(Instant.parse("2027-06-08T13:00:00Z"), extra.start().instant());
        assertEquals(Instant.parse("2027-06-08T14:00:00Z"),
                extra.toRule(ZoneId.of("America/New_York")).end());
    }

    @Test
    void localBlockTimesWithoutZoneResolveInTheInstructorZoneLater() {
        AvailabilityCsvResult result = parse("instructor,kind,start_at,end_at\nana,unavailable,2027-03-14T02:30,2027-03-14T04:00\n");
        assertEquals(List.of(), messages(result));
        ZoneId newYork = ZoneId.of("America/New_York");
        assertThrowsInvalid(() -> result.blocks().get(0).toRule(newYork));
        assertEquals(Instant.parse("2027-03-14T02:30:00Z"), result.blocks().get(0).toRule(ZoneId.of("UTC")).start());
    }

    private static void assertThrowsInvalid(org.junit.jupiter.api.function.Executable executable) {
        org.junit.jupiter.api.Assertions.assertThrows(org.schedctl.domain.InvalidInputException.class, executable);
    }

    @Test
    void everyBadRowIsReportedWithItsLine() {
        String content = "instructor,kind,day,start_time,end_time,timezone,start_at,end_at,rrule\n"
                + "ana,weekly,MON,09:00,17:00,,,,\n"                                   // 2 good
                + "ana,weekly,MON,25:00,26:00,,,,\n"                                   // 3 two bad times
                + "ana,weekly,TUE,17:00,09:00,,,,\n"                                   // 4 end before start
                + "ana,weekly,WED,09:00,10:00,Mars/Olympus,,,\n"                       // 5 bad zone
                + "ana,weekly,FUNDAY,09:00,10:00,,,,\n"                                // 6 bad day
                + "ana,sometimes,,,,,,,\n"                                             // 7 bad kind
                + "ana,unavailable,,,,UTC,2027-06-07T09:00,2027-06-07T10:00,FREQ=WEEKLY\n"      // 8 unbounded
                + "ana,unavailable,,,,UTC,2027-06-07T09:00,2027-06-07T10:00,FREQ=SOMETIMES;COUNT=2\n" // 9 bad freq
                + "ana,available,,,,America/New_York,2027-03-14T02:30,2027-03-14T04:00,\n"      // 10 gap
                + "ana,available,,,,America/New_York,2027-11-07T01:30,2027-11-07T04:00,\n"      // 11 overlap
                + "ana,available,,,,America/New_York,2027-11-07T01:30-04:00,2027-11-07T04:00,\n" // 12 good
                + ",weekly,MON,09:00,10:00,,,,\n"                                      // 13 no instructor
                + "ana,weekly,MON,09:00,10:00,,2027-06-07T09:00,,\n"                   // 14 start_at on weekly
                + "ana,available,MON,,,,2027-06-07T10:00,2027-06-07T09:00,\n"          // 15 day on block + reversed
                + "ana,available,,,,,yesterday,2027-06-07T09:00,\n"                    // 16 bad date-time
                + "ana,weekly,MON,9:00,10:00,,,\n"                                     // 17 field count
                + "ana,weekly,MON,09:00,10:00,,,,\n";                                  // 18 good
        AvailabilityCsvResult result = parse(content);
        List<Long> lines = result.errors().stream().map(CsvError::line).toList();
        assertEquals(List.of(3L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 13L, 14L, 15L, 15L, 16L, 17L), lines, messages(result).toString());
        assertEquals(3, result.weekly().size() + result.blocks().size());
        for (String message : messages(result)) {
            assertTrue(message.matches("avail\\.csv:\\d+: [^\\n]+\\. [^\\n]+"), message);
        }
        List<String> text = messages(result);
        assertTrue(text.get(0).contains("start_time '25:00'"), text.get(0));
        assertTrue(text.get(3).contains("Mars/Olympus"), text.get(3));
        assertTrue(text.get(6).contains("UNTIL") && text.get(6).contains("COUNT"), text.get(6));
        assertTrue(text.get(8).contains("does not exist"), text.get(8));
        assertTrue(text.get(9).contains("ambiguous") && text.get(9).contains("-04:00"), text.get(9));
        assertTrue(text.get(15).contains("fields"), text.get(15));
    }

    @Test
    void headerProblems() {
        assertSingleError("instructor,kind,day,colour\nana,weekly,MON,red\n", 1, "unknown column 'colour'");
        assertSingleError("ana@school.org,weekly,MON,09:00,17:00\n", 1, "no header row");
        assertSingleError("kind,day\nweekly,MON\n", 1, "'instructor'");
        assertSingleError("instructor,kind,kind\nana,weekly,weekly\n", 1, "appears twice");
    }

    @Test
    void emptyFilesAndHeaderOnly() {
        assertSingleError("", 0, "empty");
        assertSingleError("\uFEFF", 0, "empty");
        AvailabilityCsvResult headerOnly = parse("instructor,kind\n");
        assertTrue(headerOnly.ok());
        assertEquals(0, headerOnly.rows());
    }

    @Test
    void invalidUtf8NamesTheFile() {
        byte[] latin1 = "instructor,kind,day,start_time,end_time\nJos\u00e9,weekly,MON,09:00,10:00\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        AvailabilityCsvResult result = parse(latin1);
        assertEquals(1, result.errors().size(), messages(result).toString());
        assertTrue(result.errors().get(0).toString().startsWith(FILE + ":") && result.errors().get(0).message().contains("UTF-8"),
                result.errors().get(0).toString());
    }

    @Test
    void oversizedInputIsRefusedWithBoundedMemory() {
        String longName = "x".repeat(AvailabilityCsvParser.MAX_FIELD_CHARS + 1);
        assertSingleError("instructor,kind,day,start_time,end_time\n" + longName + ",weekly,MON,09:00,10:00\n", 2, "longer than 1000");
        assertSingleError("instructor,kind,start_at,end_at,reason\nana,unavailable,2027-06-07T09:00,2027-06-07T10:00,"
                + "r".repeat(501) + "\n", 2, "longer than 500");
        // An unclosed quote would otherwise swallow the whole rest of the file into one field.
        InputStream endless = new InputStream() {
            private final byte[] head = "instructor,kind\nana,\"".getBytes(StandardCharsets.UTF_8);
            private long served;

            @Override
            public int read() {
                served++;
                if (served > 50_000_000L) {
                    return -1;
                }
                return served <= head.length ? head[(int) served - 1] : 'a';
            }
        };
        AvailabilityCsvResult result = AvailabilityCsvParser.parse(endless, FILE);
        assertEquals(1, result.errors().size(), messages(result).toString());
        assertEquals(2, result.errors().get(0).line());
        assertTrue(result.errors().get(0).message().contains("quote"), result.errors().get(0).toString());
        assertSingleError("instructor,kind\nana,\"weekly\n", 2, "never closed");
    }

    @Test
    void hundredThousandRowsParse() {
        StringBuilder content = new StringBuilder("instructor,kind,day,start_time,end_time,timezone,start_at,end_at,rrule,reason\n");
        String[] days = {"MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"};
        for (int i = 0; i < 100_000; i++) {
            if (i % 10 == 0) {
                content.append("teacher").append(i % 500).append("@school.org,unavailable,,,,Europe/Berlin,2027-06-0")
                        .append(1 + i % 9).append("T09:00,2027-06-0").append(1 + i % 9).append("T10:30,FREQ=WEEKLY;COUNT=5,meeting\n");
            } else {
                content.append("teacher").append(i % 500).append("@school.org,weekly,").append(days[i % 7]).append(',')
                        .append(String.format("%02d:00,%02d:30", 8 + i % 8, 9 + i % 8)).append(",America/New_York,,,,\n");
            }
        }
        AvailabilityCsvResult result = parse(content.toString());
        assertEquals(List.of(), messages(result));
        assertEquals(90_000, result.weekly().size());
        assertEquals(10_000, result.blocks().size());
        assertEquals(99_992, result.blocks().get(result.blocks().size() - 1).line());
    }
}
