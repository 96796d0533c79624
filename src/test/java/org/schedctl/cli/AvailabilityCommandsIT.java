package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.service.AvailabilityService;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/** The time rules of issue 3, end to end through the CLI against a real PostgreSQL. */
class AvailabilityCommandsIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static CliDriver cli(String now) {
        return db.cli().withClock(Clock.fixed(Instant.parse(now), ZoneOffset.UTC));
    }

    /** An instructor in {@code zone} with a type of {@code duration} bookable up to 400 days ahead. */
    private static void instructor(String email, String zone, String type, String duration) {
        CliDriver cli = db.cli();
        cli.run("user", "add", "--name", email, "--email", email, "--role", "instructor", "--tz", zone).ok();
        cli.run("type", "add", "--instructor", email, "--name", type, "--slug", type, "--duration", duration,
                "--max-advance", "400d").ok();
    }

    private static List<String> slotStarts(CliDriver cli, String email, String type, String from, String to) {
        JsonNode slots = cli.run("-o", "json", "availability", "slots", "--instructor", email, "--type", type,
                "--from", from, "--to", to).ok().json();
        List<String> starts = new ArrayList<>();
        for (JsonNode slot : slots) {
            assertEquals(email, slot.get("instructor").asText());
            assertEquals(type, slot.get("type").asText());
            starts.add(slot.get("start").asText());
        }
        return starts;
    }

    private static Instant utc(String isoWithOffset) {
        return OffsetDateTime.parse(isoWithOffset).toInstant();
    }

    @Test
    void weeklyNineToFiveStaysLocalAcrossBothDstChangesInNewYork() {
        instructor("ny@example.org", "America/New_York", "ny-lesson", "1h");
        for (String day : List.of("SAT", "SUN", "MON")) {
            db.cli().run("availability", "set", "ny@example.org", "--day", day, "--from", "09:00", "--to", "17:00").ok();
        }
        List<String> march = slotStarts(cli("2027-03-01T00:00:00Z"), "ny@example.org", "ny-lesson", "2027-03-13", "2027-03-15");
        assertEquals(24, march.size(), march.toString());
        assertEquals("2027-03-13T09:00:00-05:00", march.get(0));
        assertEquals("2027-03-13T16:00:00-05:00", march.get(7));
        assertEquals("2027-03-14T09:00:00-04:00", march.get(8));
        assertEquals("2027-03-15T16:00:00-04:00", march.get(23));
        assertEquals(Instant.parse("2027-03-13T14:00:00Z"), utc(march.get(0)));
        assertEquals(Instant.parse("2027-03-14T13:00:00Z"), utc(march.get(8)), "one hour earlier in UTC after spring forward");

        List<String> november = slotStarts(cli("2027-10-20T00:00:00Z"), "ny@example.org", "ny-lesson", "2027-11-06", "2027-11-08");
        assertEquals(24, november.size(), november.toString());
        assertEquals("2027-11-06T09:00:00-04:00", november.get(0));
        assertEquals("2027-11-07T09:00:00-05:00", november.get(8));
        assertEquals(Instant.parse("2027-11-06T13:00:00Z"), utc(november.get(0)));
        assertEquals(Instant.parse("2027-11-07T14:00:00Z"), utc(november.get(8)), "one hour later in UTC after fall back");
    }

    @Test
    void aThirteenHundredStartAlsoStaysLocal() {
        instructor("thirteen@example.org", "America/New_York", "afternoon", "1h");
        for (String day : List.of("SAT", "SUN")) {
            db.cli().run("availability", "set", "thirteen@example.org", "--day", day, "--from", "13:00", "--to", "15:00").ok();
        }
        List<String> march = slotStarts(cli("2027-03-01T00:00:00Z"), "thirteen@example.org", "afternoon", "2027-03-13", "2027-03-14");
        assertEquals(List.of("2027-03-13T13:00:00-05:00", "2027-03-13T14:00:00-05:00",
                "2027-03-14T13:00:00-04:00", "2027-03-14T14:00:00-04:00"), march);
        assertEquals(Instant.parse("2027-03-13T18:00:00Z"), utc(march.get(0)));
        assertEquals(Instant.parse("2027-03-14T17:00:00Z"), utc(march.get(2)));
        List<String> november = slotStarts(cli("2027-10-20T00:00:00Z"), "thirteen@example.org", "afternoon", "2027-11-06", "2027-11-07");
        assertEquals(List.of("2027-11-06T13:00:00-04:00", "2027-11-06T14:00:00-04:00",
                "2027-11-07T13:00:00-05:00", "2027-11-07T14:00:00-05:00"), november);
    }

    @Test
    void aRangeOverTheSpringGapNeverStartsAtANonExistentTime() {
        instructor("gap@example.org", "America/New_York", "gap-half", "30m");
        db.cli().run("availability", "set", "gap@example.org", "--day", "SUN", "--from", "01:30", "--to", "03:30").ok();
        List<String> starts = slotStarts(cli("2027-03-01T00:00:00Z"), "gap@example.org", "gap-half", "2027-03-14", "2027-03-14");
        // 01:30 EST to 03:30 EDT is one real hour: 01:30 and 03:00; 02:xx does not exist that night.
        assertEquals(List.of("2027-03-14T01:30:00-05:00", "2027-03-14T03:00:00-04:00"), starts);
        for (String start : starts) {
            assertFalse(start.substring(11).startsWith("02:"), start);
        }
    }

    @Test
    void aRangeInTheRepeatedHourYieldsEachRealInstantOnce() {
        instructor("overlap@example.org", "America/New_York", "overlap-half", "30m");
        db.cli().run("availability", "set", "overlap@example.org", "--day", "SUN", "--from", "00:30", "--to", "02:30").ok();
        List<String> starts = slotStarts(cli("2027-10-20T00:00:00Z"), "overlap@example.org", "overlap-half", "2027-11-07", "2027-11-07");
        assertEquals(List.of("2027-11-07T00:30:00-04:00", "2027-11-07T01:00:00-04:00", "2027-11-07T01:30:00-04:00",
                "2027-11-07T01:00:00-05:00", "2027-11-07T01:30:00-05:00", "2027-11-07T02:00:00-05:00"), starts);
        List<Instant> instants = starts.stream().map(AvailabilityCommandsIT::utc).toList();
        assertEquals(instants.size(), new HashSet<>(instants).size(), "each instant once");
        for (int i = 1; i < instants.size(); i++) {
            assertEquals(1800, instants.get(i).getEpochSecond() - instants.get(i - 1).getEpochSecond(), "30 real minutes apart");
        }
    }

    @Test
    void halfAndQuarterHourZonesAndLordHowesHalfHourDst() {
        instructor("kolkata@example.org", "Asia/Kolkata", "kol", "1h");
        instructor("kathmandu@example.org", "Asia/Kathmandu", "ktm", "1h");
        instructor("lordhowe@example.org", "Australia/Lord_Howe", "lhi", "1h");
        db.cli().run("availability", "set", "kolkata@example.org", "--day", "MON", "--from", "09:00", "--to", "10:00").ok();
        db.cli().run("availability", "set", "kathmandu@example.org", "--day", "MON", "--from", "09:00", "--to", "10:00").ok();
        db.cli().run("availability", "set", "lordhowe@example.org", "--day", "SUN", "--from", "09:00", "--to", "10:00").ok();
        CliDriver cli = cli("2027-03-01T00:00:00Z");
        assertEquals(List.of("2027-03-15T09:00:00+05:30"), slotStarts(cli, "kolkata@example.org", "kol", "2027-03-15", "2027-03-15"));
        assertEquals(List.of("2027-03-15T09:00:00+05:45"), slotStarts(cli, "kathmandu@example.org", "ktm", "2027-03-15", "2027-03-15"));
        // Lord Howe leaves its half-hour summer time on 2027-04-04 at 02:00 (+11:00 -> +10:30).
        List<String> lordHowe = slotStarts(cli, "lordhowe@example.org", "lhi", "2027-03-28", "2027-04-04");
        assertEquals(List.of("2027-03-28T09:00:00+11:00", "2027-04-04T09:00:00+10:30"), lordHowe);
        assertEquals(Instant.parse("2027-03-27T22:00:00Z"), utc(lordHowe.get(0)));
        assertEquals(Instant.parse("2027-04-03T22:30:00Z"), utc(lordHowe.get(1)));
        // Shown in another zone on request, same instants.
        JsonNode utcView = cli.run("-o", "json", "--tz", "UTC", "availability", "slots", "--instructor", "kolkata@example.org",
                "--type", "kol", "--from", "2027-03-15", "--to", "2027-03-15").ok().json();
        assertEquals("2027-03-15T03:30:00Z", utcView.get(0).get("start").asText());
    }

    @Test
    void blocksRecurringBlackoutsVacationAndUnblock() {
        instructor("blocky@example.org", "Europe/Berlin", "blocky-lesson", "1h");
        CliDriver cli = cli("2027-03-01T00:00:00Z");
        for (String day : List.of("MON", "TUE", "WED", "THU", "FRI")) {
            cli.run("availability", "set", "blocky@example.org", "--day", day, "--from", "09:00", "--to", "12:00").ok();
        }
        // Every Monday 10:00-11:00 local is blocked, also after Berlin's DST change on 2027-03-28.
        JsonNode block = cli.run("-o", "json", "availability", "block", "blocky@example.org", "--from", "2027-03-22T10:00",
                "--to", "2027-03-22T11:00", "--rrule", "FREQ=WEEKLY;COUNT=3", "--reason", "staff meeting").ok().json();
        assertEquals(3, block.get("occurrences").asInt());
        List<String> mondays = slotStarts(cli, "blocky@example.org", "blocky-lesson", "2027-03-29", "2027-03-29");
        assertEquals(List.of("2027-03-29T09:00:00+02:00", "2027-03-29T11:00:00+02:00"), mondays);
        // Extra time on a Saturday.
        cli.run("availability", "block", "blocky@example.org", "--from", "2027-03-27T14:00", "--to", "2027-03-27T16:00",
                "--available").ok();
        assertEquals(List.of("2027-03-27T14:00:00+01:00", "2027-03-27T15:00:00+01:00"),
                slotStarts(cli, "blocky@example.org", "blocky-lesson", "2027-03-27", "2027-03-27"));
        // A vacation over whole local days removes every slot of those days.
        cli.run("instructor", "vacation", "blocky@example.org", "--from", "2027-03-30", "--until", "2027-03-31").ok();
        assertTrue(slotStarts(cli, "blocky@example.org", "blocky-lesson", "2027-03-30", "2027-03-31").isEmpty());
        assertEquals(3, slotStarts(cli, "blocky@example.org", "blocky-lesson", "2027-04-01", "2027-04-01").size());
        // A gap time given as input is an error, not a silent shift.
        FoundationCommandsIT.assertError(cli.run("availability", "block", "blocky@example.org", "--from", "2027-03-28T02:30",
                "--to", "2027-03-28T04:00"), 2, "does not exist");
        FoundationCommandsIT.assertError(cli.run("availability", "block", "blocky@example.org", "--from", "2027-03-28T10:00",
                "--to", "2027-03-28T11:00", "--rrule", "FREQ=SOMETIMES"), 2, "RRULE");
        // Unblocking the meeting frees Monday 10:00 again.
        cli.run("availability", "unblock", block.get("id").asText()).ok();
        assertEquals(3, slotStarts(cli, "blocky@example.org", "blocky-lesson", "2027-03-29", "2027-03-29").size());
        FoundationCommandsIT.assertError(cli.run("availability", "unblock", block.get("id").asText()), 4, "not found");
    }

    @Test
    void setMergesOverlappingAndAdjacentRangesAndListShowsThem() {
        instructor("merge@example.org", "Europe/Paris", "merge-lesson", "1h");
        CliDriver cli = db.cli();
        cli.run("availability", "set", "merge@example.org", "--day", "TUE", "--from", "09:00", "--to", "11:00").ok();
        cli.run("availability", "set", "merge@example.org", "--day", "TUE", "--from", "11:00", "--to", "12:00").ok();
        JsonNode merged = cli.run("-o", "json", "availability", "set", "merge@example.org", "--day", "TUE", "--from", "10:00",
                "--to", "10:30").ok().json();
        assertEquals("09:00", merged.get("start_time").asText());
        assertEquals("12:00", merged.get("end_time").asText());
        cli.run("availability", "set", "merge@example.org", "--day", "TUE", "--from", "14:00", "--to", "15:00").ok();
        JsonNode list = cli.run("-o", "json", "availability", "list", "merge@example.org").ok().json();
        assertEquals(2, list.size(), list.toString());
        assertEquals("Europe/Paris", list.get(0).get("timezone").asText());
        FoundationCommandsIT.assertError(cli.run("availability", "set", "merge@example.org", "--day", "TUE", "--from", "25:00",
                "--to", "26:00"), 2, "HH:MM");
        FoundationCommandsIT.assertError(cli.run("availability", "set", "merge@example.org", "--day", "TUE", "--from", "12:00",
                "--to", "11:00"), 2, "ends before it starts");
        FoundationCommandsIT.assertError(cli.run("availability", "set", "merge@example.org", "--day", "XYZ", "--from", "10:00",
                "--to", "11:00"), 2, "bad day");
    }

    @Test
    void extendHorizonAddsOccurrencesAsTimePasses() {
        instructor("horizon@example.org", "UTC", "horizon-lesson", "1h");
        db.cli().withClock(Clock.fixed(Instant.parse("2027-01-01T00:00:00Z"), ZoneOffset.UTC))
                .run("availability", "block", "horizon@example.org", "--from", "2027-01-04T10:00", "--to", "2027-01-04T11:00",
                        "--rrule", "FREQ=WEEKLY;UNTIL=20291231T000000Z").ok();
        long before = count("time_block_occurrences");
        AvailabilityService service = new AvailabilityService(db.database());
        assertEquals(1, service.extendHorizon(Instant.parse("2027-07-01T00:00:00Z")));
        long after = count("time_block_occurrences");
        assertTrue(after - before >= 25 && after - before <= 27, "about six months of weekly occurrences: " + (after - before));
        assertEquals(0, service.extendHorizon(Instant.parse("2027-07-01T00:00:00Z")), "nothing left to extend");
        assertEquals(after, count("time_block_occurrences"));
    }

    private static long count(String table) {
        return db.database().inTransaction(h -> h.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one());
    }

    @Test
    void vacationKeepsOrCancelsTheBookingsInside() {
        instructor("busy@example.org", "America/New_York", "busy-lesson", "1h");
        db.cli().run("user", "add", "--name", "Sam", "--email", "sam@example.org").ok();
        db.database().useTransaction(h -> h.execute("""
                INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone)
                SELECT (SELECT id FROM users WHERE email = 'busy@example.org'), (SELECT id FROM users WHERE email = 'sam@example.org'),
                       (SELECT id FROM appointment_types WHERE slug = 'busy-lesson'), 'confirmed',
                       '2027-07-05 10:00-04', '2027-07-05 11:00-04', 'America/New_York'"""));
        long blocks = count("time_blocks");
        FoundationCommandsIT.assertError(db.cli().run("instructor", "vacation", "busy@example.org", "--from", "2027-07-01",
                "--until", "2027-07-10", "--cancel-bookings"), 2, "Add --yes");
        assertEquals(blocks, count("time_blocks"), "nothing written without confirmation");
        var result = db.cli().run("-o", "json", "instructor", "vacation", "busy@example.org", "--from", "2027-07-01", "--until", "2027-07-10").ok();
        assertEquals(1, result.json().get("active_bookings").asInt());
        assertEquals("2027-07-01T00:00:00-04:00", result.json().get("start").asText());
        assertEquals("2027-07-11T00:00:00-04:00", result.json().get("end").asText());
        assertTrue(result.stderr().contains("1 active booking(s) remain"), result.toString());

        var cancelling = db.cli().run("-o", "json", "--yes", "instructor", "vacation", "busy@example.org", "--from", "2027-07-04",
                "--until", "2027-07-06", "--cancel-bookings").ok().json();
        assertEquals(1, cancelling.get("cancelled_bookings").asInt(), cancelling.toString());
        assertEquals("cancelled", db.database().inTransaction(h -> h.createQuery(
                "SELECT status FROM appointments WHERE starts_at = '2027-07-05 10:00-04'").mapTo(String.class).one()));
    }

    @Test
    void underRowLevelSecurityAStudentSeesTheSameSlotsAndCannotChangeAvailability() {
        instructor("rls@example.org", "UTC", "rls-lesson", "1h");
        db.cli().run("user", "add", "--name", "Rita", "--email", "rita@example.org").ok();
        CliDriver cli = cli("2027-03-01T00:00:00Z");
        cli.run("availability", "set", "rls@example.org", "--day", "MON", "--from", "09:00", "--to", "12:00").ok();
        db.cli().run("user", "add", "--name", "Sam", "--email", "sam-rls@example.org").ok();
        db.database().useTransaction(h -> h.execute("""
                INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone)
                SELECT (SELECT id FROM users WHERE email = 'rls@example.org'), (SELECT id FROM users WHERE email = 'sam-rls@example.org'),
                       (SELECT id FROM appointment_types WHERE slug = 'rls-lesson'), 'confirmed',
                       '2027-03-08 10:00Z', '2027-03-08 11:00Z', 'UTC'"""));
        List<String> asAdmin = slotStarts(cli, "rls@example.org", "rls-lesson", "2027-03-08", "2027-03-08");
        assertEquals(List.of("2027-03-08T09:00:00Z", "2027-03-08T11:00:00Z"), asAdmin);
        JsonNode asStudent = cli.run("--as", "rita@example.org", "-o", "json", "availability", "slots", "--instructor", "rls@example.org",
                "--type", "rls-lesson", "--from", "2027-03-08", "--to", "2027-03-08").ok().json();
        assertEquals(2, asStudent.size(), "Sam's booking, invisible to Rita, still takes 10:00: " + asStudent);
        assertEquals("2027-03-08T11:00:00Z", asStudent.get(1).get("start").asText());
        long rules = count("instructor_availability");
        var refused = cli.run("--as", "rita@example.org", "availability", "set", "rls@example.org", "--day", "TUE", "--from", "09:00",
                "--to", "10:00");
        assertEquals(6, refused.exitCode(), refused.toString());
        assertEquals(rules, count("instructor_availability"));
    }
}
