package org.schedctl.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.schedctl.Main;
import org.schedctl.domain.SchedException;
import org.schedctl.domain.booking.BookingOutcome;
import org.schedctl.service.BookingRefusals.Refusal;

/** The one outcome-to-exception table: every refusal has its message and exit code, and the SQL's codes are all known. */
class BookingRefusalsTest {
    private static final Map<BookingOutcome, Integer> EXIT = new EnumMap<>(Map.of(
            BookingOutcome.UNKNOWN_INSTRUCTOR, Main.NOT_FOUND,
            BookingOutcome.NOT_INSTRUCTOR, Main.USAGE,
            BookingOutcome.UNKNOWN_TYPE, Main.NOT_FOUND,
            BookingOutcome.TYPE_NOT_OFFERED, Main.USAGE,
            BookingOutcome.ARCHIVED, Main.CONFLICT,
            BookingOutcome.UNKNOWN_STUDENT, Main.NOT_FOUND,
            BookingOutcome.SAME_USER, Main.USAGE,
            BookingOutcome.IN_PAST, Main.USAGE,
            BookingOutcome.UNAVAILABLE, Main.CONFLICT,
            BookingOutcome.SLOT_TAKEN, Main.CONFLICT));

    private static Refusal refusal(BookingOutcome outcome) {
        return Refusal.of(outcome).names("ida@example.org", "lesson", "sam@example.org")
                .found("ida@example.org", "student", "lesson")
                .check("book 2027-06-02T10:00:00-04:00", "the time is outside the instructor's availability")
                .time(Instant.parse("2027-05-31T14:00:00Z"), Instant.parse("2027-06-01T12:00:00Z"));
    }

    @Test
    void everyRefusalMapsToItsExitCodeAndMessage() {
        for (BookingOutcome outcome : BookingOutcome.values()) {
            if (!outcome.refusal()) {
                assertThrows(IllegalArgumentException.class, () -> BookingRefusals.exception(refusal(outcome)), outcome + " is no refusal");
                continue;
            }
            SchedException e = BookingRefusals.exception(refusal(outcome));
            assertEquals(EXIT.get(outcome), Main.exitCode(e), outcome + ": " + e.getMessage());
            assertFalse(e.getMessage().contains("null"), outcome + " names every fact: " + e.getMessage());
        }
        assertEquals("user 'ida@example.org' not found. See `schedctl user list`",
                BookingRefusals.exception(refusal(BookingOutcome.UNKNOWN_INSTRUCTOR)).getMessage());
        assertEquals("user 'sam@example.org' not found. See `schedctl user list`",
                BookingRefusals.exception(refusal(BookingOutcome.UNKNOWN_STUDENT)).getMessage());
        assertEquals("appointment type 'lesson' is archived and takes no new bookings. Pick another type",
                BookingRefusals.exception(refusal(BookingOutcome.ARCHIVED)).getMessage());
        assertEquals("cannot book 2027-06-02T10:00:00-04:00: the time is outside the instructor's availability",
                BookingRefusals.exception(refusal(BookingOutcome.UNAVAILABLE)).getMessage());
        assertEquals("the time 2027-05-31T14:00:00Z is in the past (now is 2027-06-01T12:00:00Z). Pick a future time",
                BookingRefusals.exception(refusal(BookingOutcome.IN_PAST)).getMessage());
        assertTrue(BookingRefusals.exception(refusal(BookingOutcome.SLOT_TAKEN)).getMessage().startsWith("the slot is taken"));
    }

    @Test
    void everyOutcomeTheDatabaseReturnsIsKnownAndAnUnknownOneIsAnError() throws IOException {
        Set<String> codes = new TreeSet<>();
        Pattern assignment = Pattern.compile("outcome\\s*:=\\s*'([a-z_]+)'");
        // book_appointment's file (book_series in R__70 answers per occurrence in a vocabulary of its own)
        try (Stream<Path> files = Files.list(Path.of("db/migration"))) {
            for (Path file : files.filter(p -> p.getFileName().toString().equals("R__30_booking.sql")).toList()) {
                Matcher m = assignment.matcher(Files.readString(file));
                while (m.find()) {
                    codes.add(m.group(1));
                }
            }
        }
        assertTrue(codes.contains("booked") && codes.contains("unavailable"), "found book_appointment's outcomes: " + codes);
        for (String code : codes) {
            assertEquals(code, BookingOutcome.of(code).code());
        }
        assertThrows(IllegalStateException.class, () -> BookingOutcome.of("overbooked"));
        assertThrows(IllegalStateException.class, () -> BookingOutcome.of(null));
    }
}
