package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/** Issue 13, time input: the global --tz (before the command) reads local times in every command that takes one. */
class CalendarTimeIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static JsonNode london(CliDriver cli, String... args) {
        List<String> all = new ArrayList<>(List.of("--tz", "Europe/London", "-o", "json"));
        all.addAll(List.of(args));
        return cli.run(all.toArray(String[]::new)).ok().json();
    }

    private static String instant(JsonNode node, String field) {
        return OffsetDateTime.parse(node.get(field).asText()).toInstant().toString();
    }

    @Test
    void globalTzReadsLocalTimesInBookHoldRescheduleWaitlistAndList() {
        BookingFixture f = new BookingFixture(db, "gtz");
        String ann = f.student("ann");
        String bob = f.student("bob");
        String lesson = f.type("lesson", "--duration", "30m");
        CliDriver cli = f.cli();

        // 15:00 in London is 10:00 in New York (the instructor's zone): read in London, not New York.
        JsonNode booked = london(cli, "book", "--instructor", f.instructor, "--type", lesson, "--student", ann,
                "--at", "2027-06-03T15:00");
        assertEquals("2027-06-03T14:00:00Z", instant(booked, "start"));
        String ref = booked.get("reference").asText();

        JsonNode moved = london(cli, "reschedule", ref, "--to", "2027-06-04T16:00");
        assertEquals("2027-06-04T15:00:00Z", instant(moved, "start"));

        JsonNode held = london(cli, "hold", "--instructor", f.instructor, "--type", lesson, "--student", bob,
                "--at", "2027-06-03T17:00");
        assertEquals("2027-06-03T16:00:00Z", instant(held, "start"));

        JsonNode waiting = london(cli, "waitlist", "add", "--instructor", f.instructor, "--type", lesson, "--student", bob,
                "--from", "2027-06-05T14:00", "--to", "2027-06-05T18:00");
        assertEquals("2027-06-05T13:00:00Z", instant(waiting, "from"), waiting.toString());

        // The list's days are read in --tz: 2027-06-05 in Tokyo starts at 15:00Z, the moved booking's start;
        // in New York the booking is on 2027-06-04.
        List<String> all = new ArrayList<>(List.of("--tz", "Asia/Tokyo", "-o", "json", "appointments", "list",
                "--instructor", f.instructor, "--from", "2027-06-05", "--to", "2027-06-05"));
        JsonNode listed = cli.run(all.toArray(String[]::new)).ok().json();
        List<String> refs = new ArrayList<>();
        listed.forEach(a -> refs.add(a.get("reference").asText()));
        assertEquals(true, refs.contains(ref), listed.toString());
    }
}
