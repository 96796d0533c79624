package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/** Issue 16: terms and closures; a closure blocks the guard (book) and the lister (slots) for everyone it covers. */
class ClosuresIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static List<String> slots(CliDriver cli, String instructor, String type, String day) {
        List<String> starts = new ArrayList<>();
        cli.run("-o", "json", "--tz", "UTC", "availability", "slots", "--instructor", instructor, "--type", type,
                "--from", day, "--to", day).ok().json().forEach(s -> starts.add(s.get("start").asText()));
        return starts;
    }

    @Test
    void closuresBlockBookingsAndSlotsForEveryoneTheyCover() {
        BookingFixture f = new BookingFixture(db, "clo");
        BookingFixture g = new BookingFixture(db, "clo2");
        String ann = f.student("ann");
        String lesson = f.type("lesson", "--duration", "60m");
        String other = g.type("lesson", "--duration", "60m");
        CliDriver cli = f.cli();
        assertEquals(8, slots(cli, f.instructor, lesson, "2027-06-08").size());

        // school-wide: 2027-06-08 in New York, for both instructors
        JsonNode closure = cli.run("-o", "json", "closure", "add", "--from", "2027-06-08T00:00", "--to", "2027-06-09T00:00",
                "--reason", "Snow day", "--tz", "America/New_York").ok().json();
        assertEquals("Snow day", closure.get("reason").asText());
        assertEquals(List.of(), slots(cli, f.instructor, lesson, "2027-06-08"));
        assertEquals(List.of(), slots(cli, g.instructor, other, "2027-06-08"));
        CliDriver.Result refused = cli.run("book", "--instructor", f.instructor, "--type", lesson, "--student", ann,
                "--at", "2027-06-08T10:00").expect(3);
        assertTrue(refused.stderr().contains("closed"), refused.stderr());
        assertEquals(0, f.count("SELECT count(*) FROM appointments a JOIN users u ON u.id = a.student_id WHERE u.email = '" + ann + "'"));

        // one instructor's closure leaves the other free
        cli.run("closure", "add", "--instructor", f.instructor, "--from", "2027-06-09T09:00", "--to", "2027-06-09T12:00",
                "--reason", "Exam week").ok();
        assertEquals(5, slots(cli, f.instructor, lesson, "2027-06-09").size());
        assertEquals(8, slots(cli, g.instructor, other, "2027-06-09").size());

        // a student may not close the school; removing the closure frees the day again
        cli.run("--as", ann, "closure", "add", "--from", "2027-06-10T00:00", "--to", "2027-06-11T00:00",
                "--reason", "Mine", "--tz", "UTC").expect(6);
        cli.run("closure", "remove", closure.get("id").asText()).ok();
        assertEquals(8, slots(cli, f.instructor, lesson, "2027-06-08").size());
        cli.run("book", "--instructor", f.instructor, "--type", lesson, "--student", ann, "--at", "2027-06-08T10:00").ok();
        cli.run("closure", "remove", "999999").expect(4);
    }

    @Test
    void publicHolidayCalendarBecomesClosuresOnceAndTermsAreListed() {
        BookingFixture f = new BookingFixture(db, "hol");
        String lesson = f.type("lesson", "--duration", "60m");
        CliDriver cli = f.cli();
        String ics = String.join("\r\n", "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//holidays//EN",
                "BEGIN:VEVENT", "UID:independence-2027@holidays", "DTSTAMP:20270101T000000Z",
                "DTSTART;VALUE=DATE:20270705", "DTEND;VALUE=DATE:20270706", "SUMMARY:Independence Day (observed)",
                "TRANSP:TRANSPARENT", "END:VEVENT", "END:VCALENDAR", "");
        JsonNode first = cli.runWithInput(ics.getBytes(StandardCharsets.UTF_8), "-o", "json", "closure", "import", "-",
                "--tz", "America/New_York").ok().json();
        assertEquals(1, first.get("added").asInt(), first.toString());
        JsonNode again = cli.runWithInput(ics.getBytes(StandardCharsets.UTF_8), "-o", "json", "closure", "import", "-",
                "--tz", "America/New_York").ok().json();
        assertEquals(0, again.get("added").asInt(), again.toString());
        JsonNode listed = cli.run("-o", "json", "--tz", "UTC", "closure", "list").ok().json();
        assertEquals("Independence Day (observed)", listed.get(0).get("reason").asText());
        assertEquals("2027-07-05T04:00:00Z", listed.get(0).get("from").asText());
        assertEquals(List.of(), slots(cli, f.instructor, lesson, "2027-07-05"));

        cli.run("term", "add", "Summer 2027", "--from", "2027-06-07", "--to", "2027-08-27").ok();
        cli.run("term", "add", "Summer 2027", "--from", "2027-06-07", "--to", "2027-08-27").expect(3);
        cli.run("term", "add", "Bad", "--from", "2027-06-07", "--to", "2027-06-01").expect(2);
        JsonNode terms = cli.run("-o", "json", "term", "list").ok().json();
        assertEquals("2027-08-27", terms.get(0).get("to").asText());
    }
}
