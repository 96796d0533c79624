package org.schedctl.fuzz;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.schedctl.domain.Durations;
import org.schedctl.domain.Text;
import org.schedctl.domain.TimeInput;
import org.schedctl.domain.Zones;
import org.schedctl.domain.availability.AvailabilityCsvParser;
import org.schedctl.domain.availability.AvailabilityCsvResult;
import org.schedctl.domain.availability.BlockRule;
import org.schedctl.domain.availability.CsvError;
import org.schedctl.domain.availability.RecurrenceRule;
import org.schedctl.domain.booking.CancellationPolicy;
import org.schedctl.domain.booking.ReschedulePolicy;

/**
 * Every parser of untrusted input, fed hostile and mutated input: nothing but InvalidInputException escapes,
 * messages stay one bounded line, and each input is answered quickly. Seeded, so failures replay
 * (-Dschedctl.fuzz.seed=N, -Dschedctl.fuzz.iterations=N for a longer run).
 */
class ParserFuzzTest {
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private final FuzzHarness fuzz = FuzzHarness.seeded(20261123L, Duration.ofMillis(500));
    private final int n = FuzzHarness.iterations(3000);

    @Test
    void durations() {
        fuzz.run("Durations.parse", n, fuzz.strings(List.of("90m", "2h", "1d", "1h30m", "PT1H30M", "45s", "0m")),
                s -> {
                    Duration d = Durations.parse(s);
                    if (d == null) {
                        throw new AssertionError("null duration");
                    }
                    Durations.format(d);
                });
    }

    @Test
    void zones() {
        fuzz.run("Zones.parse", n, fuzz.strings(List.of("America/New_York", "Europe/Berlin", "UTC", "Asia/Kolkata", "Etc/GMT+5")),
                s -> Zones.parse(s));
    }

    @Test
    void instantsDatesAndRanges() {
        List<String> seeds = List.of("2027-03-14T09:00", "2027-03-14T02:30", "2027-11-07T01:30", "2027-11-07T01:30-04:00",
                "2027-03-14T13:00Z", "2027-03-14 09:00", "2027-03-14");
        fuzz.run("TimeInput.parseInstant", n, fuzz.strings(seeds), s -> TimeInput.parseInstant(s, NEW_YORK));
        fuzz.run("TimeInput.parseInstant without zone", n / 3, fuzz.strings(seeds), s -> TimeInput.parseInstant(s, null));
        fuzz.run("TimeInput.parseDate", n, fuzz.strings(seeds), TimeInput::parseDate);
        fuzz.run("TimeInput.dateRange", n, r -> new String[] {fuzz.mutate("2027-03-01"), fuzz.mutate("2027-03-31")},
                pair -> TimeInput.dateRange(pair[0], pair[1], NEW_YORK));
        fuzz.run("availability.TimeInput.parse", n, fuzz.strings(seeds),
                s -> org.schedctl.domain.availability.TimeInput.parse(s).resolve(NEW_YORK));
    }

    @Test
    void recurrenceRulesAndTheirExpansion() {
        List<String> seeds = List.of("FREQ=WEEKLY;BYDAY=MO,WE", "FREQ=DAILY;COUNT=10", "FREQ=MONTHLY;BYMONTHDAY=1;UNTIL=20281231T000000Z",
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "RRULE:FREQ=YEARLY", "FREQ=DAILY;BYHOUR=9,10");
        fuzz.run("RecurrenceRule.parse", n, fuzz.strings(seeds), RecurrenceRule::parse);
        Instant horizon = Instant.parse("2029-06-01T00:00:00Z");
        fuzz.run("BlockRule expansion", n / 3, fuzz.strings(seeds), s -> {
            BlockRule rule = BlockRule.ofLocal(LocalDateTime.parse("2027-03-13T02:30"), LocalDateTime.parse("2027-03-13T04:00"), NEW_YORK, s);
            if (rule.occurrences(horizon).size() > BlockRule.MAX_OCCURRENCES) {
                throw new AssertionError("more occurrences than the limit");
            }
        });
        // issue 16: book --repeat plans a series from a rule, a first local time and an optional last day
        fuzz.run("SeriesPlan.plan", n / 3, fuzz.strings(List.of("weekly", "FREQ=WEEKLY;COUNT=12", "FREQ=DAILY;UNTIL=20270630",
                "fortnightly", "FREQ=WEEKLY;BYDAY=SA;COUNT=3")), s -> {
            var plan = org.schedctl.domain.booking.SeriesPlan.plan(s, LocalDateTime.parse("2027-03-13T02:30"), NEW_YORK,
                    java.time.LocalDate.parse("2027-12-31"));
            if (plan.occurrences().size() > org.schedctl.domain.booking.SeriesPlan.MAX_OCCURRENCES) {
                throw new AssertionError("more occurrences than the cap");
            }
        });
    }

    @Test
    void policiesAndTextFields() {
        fuzz.run("CancellationPolicy.parse", n, fuzz.strings(List.of("free>=24h,50%>=2h,100%", "free", "10EUR>=1h,100%")),
                CancellationPolicy::parse);
        fuzz.run("ReschedulePolicy.parse", n, fuzz.strings(List.of("any", "none", "max=2,notice>=24h")), ReschedulePolicy::parse);
        fuzz.run("Text.email", n, fuzz.strings(List.of("ada@example.org", "a.b+c@sub.example.co.uk")), Text::email);
        fuzz.run("Text.line", n, fuzz.strings(List.of("Ada Lovelace", "Piano Lesson (60')")), s -> Text.line(s, "name", 200));
        fuzz.run("Text.slugify", n, fuzz.strings(List.of("Intro Lesson (60')", "Ünïcode Ñame")), Text::slugify);
        fuzz.run("Text.phone", n, fuzz.strings(List.of("+49 30 1234567", "(555) 123-4567")), Text::phone);
    }

    @Test
    void availabilityCsv() {
        List<String> seeds = List.of(
                "instructor,kind,day,start_time,end_time,timezone,effective_from,effective_until,type\n"
                        + "ana@example.org,weekly,MON,09:00,17:00,America/New_York,2027-01-01,2027-12-31,piano\n"
                        + "ana@example.org,weekly,TUE,09:00,12:00,,,,\n",
                "\ufeffinstructor,kind,start_at,end_at,timezone,rrule,reason\r\n"
                        + "ana@example.org,unavailable,2027-03-14T02:30,2027-03-14T04:00,America/New_York,,\"dentist, \"\"urgent\"\"\"\r\n"
                        + "7,available,2027-03-20T10:00Z,2027-03-20T12:00Z,,FREQ=WEEKLY;COUNT=5,\"line\nbreak\"\r\n");
        fuzz.run("AvailabilityCsvParser.parse", n / 2, fuzz.bytes(seeds), bytes -> {
            AvailabilityCsvResult result = AvailabilityCsvParser.parse(new ByteArrayInputStream(bytes), "fuzz.csv");
            for (CsvError error : result.errors()) {
                if (error.line() < 1 || error.message() == null || error.message().isBlank()
                        || error.message().contains("\n") || error.message().contains("\r")) {
                    throw new AssertionError("bad error report " + error);
                }
            }
            if (!result.ok() && result.errors().isEmpty()) {
                throw new AssertionError("failed without errors");
            }
        });
        // Huge hostile files are refused within bounded time and memory, not read to the end into memory.
        fuzz.run("AvailabilityCsvParser on huge fields", 5, r -> {
            String big = "instructor,kind,reason\nana,unavailable,\"" + "x".repeat(2_000_000 + r.nextInt(1000));
            return big.getBytes(StandardCharsets.UTF_8);
        }, bytes -> {
            AvailabilityCsvResult result = AvailabilityCsvParser.parse(new ByteArrayInputStream(bytes), "huge.csv");
            if (result.ok()) {
                throw new AssertionError("a 2 MB unterminated field was accepted");
            }
        });
    }
}
