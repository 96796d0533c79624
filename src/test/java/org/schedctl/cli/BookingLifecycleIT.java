package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.schedctl.cli.FoundationCommandsIT.assertError;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver;
import org.schedctl.test.CliDriver.Result;
import org.schedctl.test.TestDatabase;

/** Every lifecycle command end to end through the CLI, against a real PostgreSQL with the real migrations. */
class BookingLifecycleIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static JsonNode ok(CliDriver cli, String... args) {
        List<String> all = new ArrayList<>(List.of("-o", "json"));
        all.addAll(List.of(args));
        return cli.run(all.toArray(String[]::new)).ok().json();
    }

    @Test
    void bookShowRescheduleCancelWithHistoryAndOutbox() {
        BookingFixture f = new BookingFixture(db, "life");
        String ann = f.student("ann");
        String lesson = f.type("lesson", "--duration", "30m", "--price", "40", "--currency", "EUR",
                "--cancel-policy", "free>=24h,50%>=2h,100%");
        CliDriver cli = f.cli();

        JsonNode booked = ok(cli, "book", "--instructor", f.instructor, "--type", lesson, "--student", ann,
                "--at", "2027-06-03T10:00", "--notes", "bring scales");
        for (String key : List.of("reference", "status", "instructor", "student", "type", "start", "end", "timezone",
                "price", "currency", "fee", "created_at")) {
            assertTrue(booked.has(key), "key " + key + " in " + booked);
        }
        String ref = booked.get("reference").asText();
        assertEquals("confirmed", booked.get("status").asText());
        assertEquals("2027-06-03T10:00:00-04:00", booked.get("start").asText());
        assertEquals("2027-06-03T10:30:00-04:00", booked.get("end").asText());
        assertEquals("America/New_York", booked.get("timezone").asText());
        assertEquals(0, booked.get("price").decimalValue().compareTo(new java.math.BigDecimal("40")));
        assertEquals(ann, booked.get("student").asText());

        // outbox: 'booked' to both people on email + in_app, and nothing else: the reminders (24h and 1h before,
        // for both) are owed by the appointment and written when due
        assertEquals(4, f.count("SELECT count(*) FROM appointment_notifications n JOIN appointments a ON a.id = n.appointment_id"
                + " WHERE a.reference = '" + ref + "'"));
        assertEquals(8, f.count("SELECT count(*) FROM appointment_reminder_schedule('-infinity', 'infinity') r JOIN appointments a ON a.id = r.appointment_id WHERE a.reference = '" + ref + "'"));
        assertEquals(1, f.count("SELECT count(*) FROM appointment_reminder_schedule('-infinity', 'infinity') r JOIN appointments a ON a.id = r.appointment_id WHERE a.reference = '" + ref + "' AND r.channel = 'email'"
                + " AND r.recipient = '" + ann + "' AND r.due_at = '2027-06-03T13:00:00Z'"));
        assertTrue(f.count("SELECT count(*) FROM audit_log WHERE entity = 'appointments'") >= 1, "audited");

        // the same slot again: refused, with next free slots as suggestions on the same line
        Result taken = cli.run("book", "--instructor", f.instructor, "--type", lesson, "--student", f.student("bob"),
                "--at", "2027-06-03T10:00");
        assertError(taken, 3, "slot is taken");
        assertTrue(taken.stderr().contains("Next free: 2027-06-03T10:30:00-04:00"), taken.toString());

        JsonNode moved = ok(cli, "reschedule", ref, "--to", "2027-06-04T11:00");
        assertEquals("2027-06-04T11:00:00-04:00", moved.get("start").asText());
        assertEquals(1, moved.get("reschedule_count").asInt());
        assertEquals(1, f.count("SELECT count(*) FROM appointment_reminder_schedule('-infinity', 'infinity') r JOIN appointments a ON a.id = r.appointment_id WHERE a.reference = '" + ref + "' AND r.channel = 'email'"
                + " AND r.recipient = '" + ann + "' AND r.due_at = '2027-06-04T14:00:00Z'"), "reminder moved with the appointment");
        // the old slot is free again
        ok(cli, "book", "--instructor", f.instructor, "--type", lesson, "--student", ann, "--at", "2027-06-03T10:00");

        // cancelled 2027-06-04 08:00 New York: 3 h before 11:00, so the 50% tier applies
        JsonNode cancelled = ok(f.cliAt(Instant.parse("2027-06-04T12:00:00Z")), "cancel", ref, "--reason", "ill");
        assertEquals("cancelled", cancelled.get("status").asText());
        assertEquals("20.00", cancelled.get("fee").decimalValue().toPlainString());
        assertEquals(0, f.count("SELECT count(*) FROM appointment_notifications n JOIN appointments a ON a.id = n.appointment_id"
                + " WHERE a.reference = '" + ref + "' AND kind = 'reminder' AND n.status = 'pending'"), "reminders cancelled");
        assertEquals(0, f.count("SELECT count(*) FROM appointment_reminder_schedule('-infinity', 'infinity') r JOIN appointments a ON a.id = r.appointment_id WHERE a.reference = '" + ref + "'"), "a cancelled appointment owes none");
        assertEquals(4, f.count("SELECT count(*) FROM appointment_notifications n JOIN appointments a ON a.id = n.appointment_id"
                + " WHERE a.reference = '" + ref + "' AND kind = 'cancelled'"));

        JsonNode shown = ok(cli, "appointments", "show", ref);
        JsonNode history = shown.get("history");
        assertEquals(3, history.size(), shown.toString());
        assertEquals("book", history.get(0).get("action").asText());
        assertEquals("reschedule", history.get(1).get("action").asText());
        assertTrue(history.get(1).get("details").asText().contains("2027-06-03T14:00:00Z"), "old time kept: " + history);
        assertEquals("2027-06-04T11:00:00-04:00", history.get(1).get("start").asText());
        assertEquals("cancel", history.get(2).get("action").asText());
        assertEquals("admin@schedctl.local", history.get(2).get("actor").asText());

        assertError(cli.run("confirm", ref), 3, "is cancelled");
        assertError(cli.run("reschedule", ref, "--to", "2027-06-05T10:00"), 3, "is cancelled");
        assertError(cli.run("cancel", ref), 3, "already cancelled");

        JsonNode list = ok(cli, "appointments", "list", "--instructor", f.instructor, "--status", "cancelled");
        assertEquals(1, list.size());
        assertEquals(ref, list.get(0).get("reference").asText());
        assertEquals(2, ok(cli, "appointments", "list", "--student", ann, "--from", "2027-06-03", "--to", "2027-06-04").size());
    }

    @Test
    void pendingConfirmDeclineCompleteNoShow() {
        BookingFixture f = new BookingFixture(db, "pend");
        String cy = f.student("cy");
        String review = f.type("review", "--duration", "1h", "--requires-confirmation");
        String chat = f.type("chat", "--duration", "1h");
        CliDriver cli = f.cli();

        JsonNode pending = ok(cli, "book", "--instructor", f.instructor, "--type", review, "--student", cy, "--at", "2027-06-02T09:00");
        assertEquals("pending", pending.get("status").asText());
        String a = pending.get("reference").asText();
        assertError(cli.run("complete", a), 3, "is pending");
        assertEquals("confirmed", ok(cli, "confirm", a).get("status").asText());
        assertError(cli.run("confirm", a), 3, "already confirmed");
        assertError(cli.run("complete", a), 3, "only once it has started");
        CliDriver later = f.cliAt(Instant.parse("2027-06-02T14:00:00Z"));
        JsonNode done = ok(later, "complete", a, "--notes", "good progress", "--rating", "5");
        assertEquals("completed", done.get("status").asText());
        assertEquals(5, done.get("rating").asInt());
        assertError(later.run("no-show", a), 3, "is completed");

        String b = ok(cli, "book", "--instructor", f.instructor, "--type", review, "--student", cy, "--at", "2027-06-02T11:00")
                .get("reference").asText();
        assertEquals("declined", ok(cli, "decline", b, "--reason", "fully booked").get("status").asText());
        // to the student and the instructor, on email and in_app
        assertEquals(4, f.count("SELECT count(*) FROM appointment_notifications n JOIN appointments a ON a.id = n.appointment_id"
                + " WHERE a.reference = '" + b + "' AND kind = 'declined' AND a.cancel_reason LIKE '%fully booked%'"));
        // the declined time is free again
        ok(cli, "book", "--instructor", f.instructor, "--type", chat, "--student", cy, "--at", "2027-06-02T11:00");

        // instructor who does not auto-confirm: plain types become pending too
        cli.run("instructor", "settings", f.instructor, "--auto-confirm", "false").ok();
        String c = ok(cli, "book", "--instructor", f.instructor, "--type", chat, "--student", cy, "--at", "2027-06-02T13:00")
                .get("reference").asText();
        assertEquals("pending", ok(cli, "appointments", "show", c).get("status").asText());
        cli.run("confirm", c).ok();
        assertEquals("no_show", ok(f.cliAt(Instant.parse("2027-06-02T17:30:00Z")), "no-show", c).get("status").asText());

        // the database itself refuses an illegal transition, whoever writes
        Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> f.sql(
                "UPDATE appointments SET status = 'confirmed' WHERE reference = '" + c + "'"));
        assertTrue(String.valueOf(refused.getMessage()).contains("cannot become confirmed"), refused.toString());
    }

    @Test
    void badInputGivesItsOwnReasonAndWritesNothing() {
        BookingFixture f = new BookingFixture(db, "bad");
        String dee = f.student("dee");
        String lesson = f.type("lesson", "--duration", "30m", "--min-notice", "2h", "--max-advance", "30d");
        f.block("unavailable", "2027-06-05T13:00:00Z", "2027-06-05T15:00:00Z");
        f.block("vacation", "2027-06-10T00:00:00Z", "2027-06-13T00:00:00Z");
        CliDriver cli = f.cli();
        String[] counts = {"appointments", "appointment_events", "appointment_notifications", "booking_sessions", "audit_log"};
        long[] before = new long[counts.length];
        for (int i = 0; i < counts.length; i++) {
            before[i] = f.count("SELECT count(*) FROM " + counts[i]);
        }

        assertError(cli.run("confirm", "ABCD2345"), 4, "no appointment with reference ABCD2345");
        assertError(cli.run("cancel", "ABCD-0000"), 2, "contains '0'");
        assertError(book(f, cli, lesson, dee, "2027-05-31T10:00"), 2, "in the past");
        assertError(book(f, cli, lesson, dee, "2027-06-01T09:30"), 3, "minimum notice");
        assertError(book(f, cli, lesson, dee, "2027-07-15T10:00"), 3, "beyond the booking window");
        assertError(book(f, cli, lesson, dee, "2027-06-02T07:00"), 3, "outside the instructor's availability");
        assertError(book(f, cli, lesson, dee, "2027-06-05T09:30"), 3, "blocked that time");
        assertError(book(f, cli, lesson, dee, "2027-06-11T10:00"), 3, "on vacation");
        assertError(book(f, cli, lesson, dee, "2027-06-02T10:10"), 3, "not on the slot grid");
        assertError(book(f, cli, lesson, dee, "2027-06-02T25:00"), 2, "bad time");
        assertError(cli.run("book", "--instructor", f.instructor, "--type", lesson, "--student", dee, "--at", "2027-06-02T10:00",
                "--tz", "Mars/Olympus"), 2, "time zone");
        assertError(cli.run("hold", "--instructor", f.instructor, "--type", lesson, "--student", dee, "--at", "2027-06-02T10:00",
                "--for", "2d"), 2, "out of range");

        for (int i = 0; i < counts.length; i++) {
            assertEquals(before[i], f.count("SELECT count(*) FROM " + counts[i]), "nothing written to " + counts[i]);
        }
    }

    @Test
    void dstGapTimeIsAnInputError() {
        BookingFixture f = new BookingFixture(db, "dst");
        String eve = f.student("eve");
        String lesson = f.type("lesson", "--duration", "30m", "--max-advance", "400d");
        Result gap = book(f, f.cli(), lesson, eve, "2028-03-12T02:30");
        assertError(gap, 2, "does not exist in America/New_York");
        Result overlap = book(f, f.cli(), lesson, eve, "2027-11-07T01:30");
        assertError(overlap, 2, "happens twice");
    }

    @Test
    void idempotencyKeyReplaysTheSameBookingAndRefusesAnotherRequest() {
        BookingFixture f = new BookingFixture(db, "idem");
        String fay = f.student("fay");
        String lesson = f.type("lesson", "--duration", "30m");
        CliDriver cli = f.cli();
        String[] args = {"-o", "json", "book", "--instructor", f.instructor, "--type", lesson, "--student", fay,
                "--at", "2027-06-02T10:00", "--idempotency-key", "req-42"};
        String first = cli.run(args).ok().json().get("reference").asText();
        String again = cli.run(args).ok().json().get("reference").asText();
        assertEquals(first, again);
        assertEquals(1, f.count("SELECT count(*) FROM appointments WHERE idempotency_key = 'req-42'"));
        assertError(cli.run("book", "--instructor", f.instructor, "--type", lesson, "--student", fay,
                "--at", "2027-06-02T11:00", "--idempotency-key", "req-42"), 3, "idempotency key 'req-42' was already used");
    }

    @Test
    void holdBlocksUntilBookedOrExpired() {
        BookingFixture f = new BookingFixture(db, "hold");
        String gus = f.student("gus");
        String hal = f.student("hal");
        String lesson = f.type("lesson", "--duration", "30m");
        CliDriver cli = f.cli();

        JsonNode hold = ok(cli, "hold", "--instructor", f.instructor, "--type", lesson, "--student", gus,
                "--at", "2027-06-02T10:00", "--for", "5m");
        assertEquals("held", hold.get("status").asText());
        String holdId = hold.get("hold_id").asText();
        assertEquals("2027-06-01T08:05:00-04:00", hold.get("hold_expires_at").asText());
        assertError(book(f, cli, lesson, hal, "2027-06-02T10:00"), 3, "slot is taken");
        JsonNode booked = ok(f.cliAt(BookingFixture.NOW.plusSeconds(240)), "book", "--hold", holdId);
        assertEquals("confirmed", booked.get("status").asText());
        assertEquals(hold.get("reference").asText(), booked.get("reference").asText());
        assertError(f.cliAt(BookingFixture.NOW.plusSeconds(250)).run("book", "--hold", holdId), 3, "is confirmed");

        // a second hold lapses: it blocks nobody after its time, and booking it says so
        String second = ok(cli, "hold", "--instructor", f.instructor, "--type", lesson, "--student", gus,
                "--at", "2027-06-02T11:00").get("hold_id").asText();
        CliDriver afterExpiry = f.cliAt(BookingFixture.NOW.plusSeconds(11 * 60));
        assertError(afterExpiry.run("book", "--hold", second), 3, "hold expired");
        JsonNode other = ok(afterExpiry, "book", "--instructor", f.instructor, "--type", lesson, "--student", hal, "--at", "2027-06-02T11:00");
        assertEquals("confirmed", other.get("status").asText());
        assertEquals(1, f.count("SELECT count(*) FROM appointment_events e JOIN booking_sessions b ON b.id = "
                + second + " JOIN appointments a ON a.booking_session_id = b.id AND a.id = e.appointment_id WHERE e.action = 'expire'"));
        assertError(cli.run("book", "--hold", "999999"), 4, "no hold with id 999999");
    }

    @Test
    void groupSessionSeatsShareTheSlotUpToCapacity() {
        BookingFixture f = new BookingFixture(db, "grp");
        String group = f.type("group", "--duration", "1h", "--capacity", "2");
        String lesson = f.type("lesson", "--duration", "30m");
        CliDriver cli = f.cli();
        String first = ok(cli, "book", "--instructor", f.instructor, "--type", group, "--student", f.student("s1"),
                "--at", "2027-06-02T10:00").get("reference").asText();
        ok(cli, "book", "--instructor", f.instructor, "--type", group, "--student", f.student("s2"), "--at", "2027-06-02T10:00");
        assertError(book(f, cli, group, f.student("s3"), "2027-06-02T10:00"), 3, "group session is full");
        assertError(book(f, cli, lesson, f.student("s4"), "2027-06-02T10:30"), 3, "slot is taken");
        cli.run("cancel", first).ok();
        ok(cli, "book", "--instructor", f.instructor, "--type", group, "--student", f.student("s5"), "--at", "2027-06-02T10:00");
    }

    @Test
    void waitlistOfferExpiresAndPassesOn() {
        BookingFixture f = new BookingFixture(db, "wait");
        String lesson = f.type("lesson", "--duration", "30m");
        String ivy = f.student("ivy");
        String jo = f.student("jo");
        String kim = f.student("kim");
        CliDriver cli = f.cli();
        String ref = ok(cli, "book", "--instructor", f.instructor, "--type", lesson, "--student", ivy, "--at", "2027-06-03T10:00")
                .get("reference").asText();
        long joEntry = ok(cli, "waitlist", "add", "--instructor", f.instructor, "--type", lesson, "--student", jo,
                "--from", "2027-06-03T09:00", "--to", "2027-06-03T12:00").get("id").asLong();
        long kimEntry = ok(f.cliAt(BookingFixture.NOW.plusSeconds(1)), "waitlist", "add", "--instructor", f.instructor,
                "--type", lesson, "--student", kim, "--from", "2027-06-03T10:00", "--to", "2027-06-03T10:30").get("id").asLong();
        assertEquals(2, ok(cli, "waitlist", "list", "--instructor", f.instructor).size());

        cli.run("cancel", ref).ok();
        JsonNode joOffer = entry(cli, joEntry);
        assertEquals("offered", joOffer.get("status").asText());
        assertEquals("2027-06-01T12:30:00Z", Instant.parse(joOffer.get("offer_expires_at").asText()).toString());
        assertEquals("waiting", entry(cli, kimEntry).get("status").asText());
        assertEquals(1, f.count("SELECT count(*) FROM appointment_notifications n JOIN users u ON u.id = n.recipient_id"
                + " WHERE n.kind = 'waitlist_offer' AND u.email = '" + jo + "' AND n.channel = 'email'"));
        // the offered hold blocks others
        assertError(book(f, cli, lesson, ivy, "2027-06-03T10:00"), 3, "slot is taken");

        // the offer lapses: the daemon's hold sweep (an offer is a hold) passes it to the next in line
        var service = org.schedctl.service.Services.create(db.database(), org.schedctl.config.Config.of(java.util.Map.of()),
                java.time.Clock.fixed(BookingFixture.NOW.plusSeconds(31 * 60), java.time.ZoneOffset.UTC)).holds();
        // other tests of this class may leave lapsed holds of their own instructors
        assertTrue(service.expireHolds(BookingFixture.NOW.plusSeconds(31 * 60)) >= 1);
        assertEquals("expired", entry(cli, joEntry).get("status").asText());
        JsonNode kimOffer = entry(cli, kimEntry);
        assertEquals("offered", kimOffer.get("status").asText());
        assertNotEquals(joOffer.get("offered_reference").asText(), kimOffer.get("offered_reference").asText());

        JsonNode booked = ok(f.cliAt(BookingFixture.NOW.plusSeconds(40 * 60)), "book", "--hold", kimOffer.get("hold_id").asText());
        assertEquals("confirmed", booked.get("status").asText());
        assertEquals(kim, booked.get("student").asText());
        assertEquals("booked", entry(cli, kimEntry).get("status").asText());
        ok(cli, "waitlist", "remove", String.valueOf(ok(cli, "waitlist", "add", "--instructor", f.instructor, "--type", lesson,
                "--student", jo, "--from", "2027-06-04T09:00", "--to", "2027-06-04T12:00").get("id").asLong()));
        assertError(cli.run("waitlist", "remove", "424242"), 4, "no waitlist entry");
    }

    @Test
    void studentsAndInstructorsActUnderRowLevelSecurity() {
        BookingFixture f = new BookingFixture(db, "rls");
        CliDriver admin = f.cli();
        admin.run("instructor", "settings", f.instructor, "--auto-confirm", "false", "--buffer", "10m",
                "--cancel-policy", "free>=48h,75%").ok();
        String lesson = f.type("lesson", "--duration", "30m", "--slot-interval", "1h", "--price", "40", "--currency", "EUR");
        String lea = f.student("lea");
        String max = f.student("max");
        CliDriver asLea = admin.withEnv("SCHEDCTL_USER", lea);
        CliDriver asMax = admin.withEnv("SCHEDCTL_USER", max);
        CliDriver asTeacher = admin.withEnv("SCHEDCTL_USER", f.instructor);

        // the student books for herself: the instructor's settings she cannot read still decide (pending, buffers)
        JsonNode booked = ok(asLea, "book", "--instructor", f.instructor, "--type", lesson, "--student", lea, "--at", "2027-06-02T10:00");
        String ref = booked.get("reference").asText();
        assertEquals("pending", booked.get("status").asText());
        assertEquals(1, f.count("SELECT count(*) FROM appointments WHERE reference = '" + ref
                + "' AND blocked = tstzrange('2027-06-02T13:50:00Z', '2027-06-02T14:40:00Z')"));
        long waiting = ok(asMax, "waitlist", "add", "--instructor", f.instructor, "--type", lesson, "--student", max,
                "--from", "2027-06-02T09:00", "--to", "2027-06-02T12:00").get("id").asLong();
        assertError(asMax.run("appointments", "show", ref), 4, "no appointment with reference");
        assertEquals("confirmed", ok(asTeacher, "confirm", ref).get("status").asText());

        // her late cancellation is priced by the instructor's policy, and the slot goes to the next student
        JsonNode cancelled = ok(asLea, "cancel", ref);
        assertEquals("30.00", cancelled.get("fee").decimalValue().toPlainString());
        JsonNode offer = null;
        for (JsonNode e : ok(asMax, "waitlist", "list", "--all")) {
            if (e.get("id").asLong() == waiting) {
                offer = e;
            }
        }
        assertEquals("offered", offer.get("status").asText(), String.valueOf(offer));
        JsonNode maxBooked = ok(asMax, "book", "--hold", offer.get("hold_id").asText());
        assertEquals(max, maxBooked.get("student").asText());
        assertEquals("pending", maxBooked.get("status").asText());
    }

    private static JsonNode entry(CliDriver cli, long id) {
        for (JsonNode e : ok(cli, "waitlist", "list", "--all")) {
            if (e.get("id").asLong() == id) {
                return e;
            }
        }
        throw new AssertionError("no waitlist entry " + id);
    }

    private static Result book(BookingFixture f, CliDriver cli, String type, String student, String at) {
        return cli.run("book", "--instructor", f.instructor, "--type", type, "--student", student, "--at", at);
    }
}
