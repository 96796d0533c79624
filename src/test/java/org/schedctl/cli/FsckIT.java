package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/**
 * `schedctl fsck`: each check sees a violation planted with raw SQL as the owner (triggers off where the
 * application's own guards would refuse the plant), and --fix repairs what it says it repairs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FsckIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    static BookingFixture school;
    static String ann;
    static String bob;
    static String lesson;
    static CliDriver admin;

    @BeforeAll
    static void school() {
        school = new BookingFixture(db, "fsck");
        ann = school.student("ann");
        bob = school.student("bob");
        lesson = school.type("lesson", "--duration", "30m");
        admin = school.cli();
    }

    static String book(String student, String at) {
        return school.cli().withEnv("SCHEDCTL_USER", student).run("-o", "json", "book", "--instructor", school.instructor, "--type", lesson,
                "--student", student, "--at", at).ok().json().get("reference").asText();
    }

    /** Raw SQL as the owner; with {@code quiet}, the application's triggers stay out of the way. */
    static void sql(boolean quiet, String statement) throws Exception {
        try (Connection c = db.ownerDataSource().getConnection(); Statement st = c.createStatement()) {
            if (quiet) {
                st.execute("SET session_replication_role = replica");
            }
            try {
                st.execute(statement);
            } finally {
                st.execute("RESET session_replication_role");
            }
        }
    }

    static long count(String query) throws Exception {
        try (Connection c = db.ownerDataSource().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static List<JsonNode> violations(CliDriver.Result r, String check) {
        return StreamSupport.stream(r.json().spliterator(), false).filter(v -> v.get("check").asText().equals(check)).toList();
    }

    /** fsck exits 3 and reports the check for a subject containing {@code about}. */
    static JsonNode finds(String check, String about) {
        CliDriver.Result r = admin.run("-o", "json", "fsck");
        assertEquals(3, r.exitCode(), r.toString());
        JsonNode hit = violations(r, check).stream().filter(v -> (v.get("subject").asText() + " " + v.get("problem").asText()).contains(about))
                .findFirst().orElseThrow(() -> new AssertionError("no " + check + " violation about " + about + " in " + r));
        assertFalse(hit.get("fixed").asBoolean());
        assertFalse(hit.get("fix").asText().isBlank());
        return hit;
    }

    /** fsck --fix repairs it, and a second fsck no longer reports it. */
    static void fixes(String check, String about) {
        CliDriver.Result fixed = admin.run("-o", "json", "fsck", "--fix");
        assertTrue(violations(fixed, check).stream().anyMatch(v -> v.get("subject").asText().contains(about) && v.get("fixed").asBoolean()), fixed.toString());
        CliDriver.Result again = admin.run("-o", "json", "fsck");
        assertTrue(violations(again, check).stream().noneMatch(v -> v.get("subject").asText().contains(about)), again.toString());
    }

    @Test
    @Order(1)
    void aCleanSchoolIsExit0() {
        book(ann, "2027-06-03T10:00");
        admin.run("analytics", "aggregate", "--from", "2027-06-01", "--to", "2027-06-10").ok();
        CliDriver.Result r = admin.run("-o", "json", "fsck").ok();
        assertEquals(0, r.json().size(), r.toString());
        assertTrue(r.stderr().contains("11 checks found nothing"), r.toString());
        FoundationCommandsIT.assertError(school.cli().withEnv("SCHEDCTL_USER", ann).run("fsck"), 6, "administrator");
    }

    @Test
    void overlappingActiveBookings() throws Exception {
        String ref = book(ann, "2027-06-07T10:00");
        sql(false, "ALTER TABLE appointments DROP CONSTRAINT appointments_no_overlap");
        sql(true, """
                INSERT INTO appointments (reference, instructor_id, student_id, type_id, status, starts_at, ends_at, timezone, blocked, session_key)
                SELECT 'DUPREF22', instructor_id, student_id, type_id, status, starts_at, ends_at, timezone, blocked, 'a:dup'
                FROM appointments WHERE reference = '%s'""".formatted(ref));
        JsonNode v = finds("overlap", "DUPREF22");
        assertTrue(v.get("fix").asText().startsWith("none"), v.toString());
    }

    @Test
    void groupSessionOverCapacity() throws Exception {
        String group = school.type("group", "--duration", "60m", "--capacity", "2");
        for (String s : List.of(ann, bob)) {
            school.cli().withEnv("SCHEDCTL_USER", s).run("book", "--instructor", school.instructor, "--type", group, "--student", s,
                    "--at", "2027-06-08T14:00").ok();
        }
        sql(true, "UPDATE appointment_types SET capacity = 1 WHERE slug = '" + group + "'");
        JsonNode v = finds("capacity", group);
        assertTrue(v.get("problem").asText().contains("2 active seats for a capacity of 1"), v.toString());
    }

    @Test
    void occurrencesOutOfStepWithTheirRule() throws Exception {
        JsonNode block = admin.run("-o", "json", "availability", "block", school.instructor, "--from", "2027-06-02T12:00", "--to", "2027-06-02T13:00",
                "--rrule", "FREQ=WEEKLY;COUNT=5", "--reason", "lunch").ok().json();
        long id = block.get("id").asLong();
        sql(true, "DELETE FROM time_block_occurrences WHERE block_id = " + id + " AND lower(during) > '2027-06-20'");
        assertEquals(3, count("SELECT count(*) FROM time_block_occurrences WHERE block_id = " + id));
        finds("occurrences", "time block " + id);
        fixes("occurrences", "time block " + id);
        assertEquals(5, count("SELECT count(*) FROM time_block_occurrences WHERE block_id = " + id));
    }

    @Test
    void recurringBlockBehindTheHorizon() throws Exception {
        JsonNode block = admin.run("-o", "json", "availability", "block", school.instructor, "--from", "2027-06-02T07:00", "--to", "2027-06-02T07:30",
                "--rrule", "FREQ=DAILY;UNTIL=20291231", "--reason", "standup").ok().json();
        long id = block.get("id").asLong();
        long full = count("SELECT count(*) FROM time_block_occurrences WHERE block_id = " + id);
        sql(true, "DELETE FROM time_block_occurrences WHERE block_id = " + id + " AND lower(during) >= '2027-07-01'");
        sql(true, "UPDATE time_blocks SET expanded_until = '2027-07-01' WHERE id = " + id);
        finds("horizon", "time block " + id);
        fixes("horizon", "time block " + id);
        assertEquals(full, count("SELECT count(*) FROM time_block_occurrences WHERE block_id = " + id));
    }

    @Test
    void bookingOutsideAvailabilityIsReportedNeverFixed() throws Exception {
        String ref = book(bob, "2027-06-09T10:00");
        // 03:00 in New York: outside the 09:00-17:00 hours.
        sql(true, "UPDATE appointments SET starts_at = '2027-06-09T07:00Z', ends_at = '2027-06-09T07:30Z', "
                + "blocked = tstzrange('2027-06-09T07:00Z', '2027-06-09T07:30Z') WHERE reference = '" + ref + "'");
        JsonNode v = finds("outside_availability", ref);
        assertTrue(v.get("fix").asText().startsWith("none"));
        CliDriver.Result fixed = admin.run("-o", "json", "fsck", "--fix");
        assertEquals(3, fixed.exitCode());
        assertTrue(violations(fixed, "outside_availability").stream().anyMatch(x -> x.get("subject").asText().contains(ref) && !x.get("fixed").asBoolean()));
        assertEquals(1, count("SELECT count(*) FROM appointments WHERE reference = '" + ref + "' AND status IN ('pending', 'confirmed')"));
    }

    @Test
    void remindersStillOwedForACancelledAppointment() throws Exception {
        String ref = book(ann, "2027-06-10T10:00");
        admin.run("cancel", ref).ok();
        sql(true, "UPDATE appointment_notifications n SET status = 'pending' FROM appointments a "
                + "WHERE a.id = n.appointment_id AND a.reference = '" + ref + "' AND n.kind = 'reminder'");
        long owed = count("SELECT count(*) FROM appointment_notifications n JOIN appointments a ON a.id = n.appointment_id "
                + "WHERE a.reference = '" + ref + "' AND n.kind = 'reminder' AND n.status = 'pending'");
        assertTrue(owed > 0);
        finds("outbox_cancelled", ref);
        fixes("outbox_cancelled", "notification");
        assertEquals(0, count("SELECT count(*) FROM appointment_notifications n JOIN appointments a ON a.id = n.appointment_id "
                + "WHERE a.reference = '" + ref + "' AND n.kind = 'reminder' AND n.status = 'pending'"));
    }

    @Test
    void holdPastItsExpiry() throws Exception {
        String ref = school.cli().withEnv("SCHEDCTL_USER", bob).run("-o", "json", "hold", "--instructor", school.instructor, "--type", lesson,
                "--student", bob, "--at", "2027-06-11T10:00").ok().json().get("reference").asText();
        sql(true, "UPDATE booking_sessions b SET expires_at = '2027-06-01T11:00Z' FROM appointments a "
                + "WHERE a.booking_session_id = b.id AND a.reference = '" + ref + "'");
        finds("expired_holds", ref);
        fixes("expired_holds", ref);
        assertEquals(1, count("SELECT count(*) FROM appointments WHERE reference = '" + ref + "' AND status = 'cancelled'"));
    }

    @Test
    void waitlistOfferWithoutAHold() throws Exception {
        sql(true, """
                INSERT INTO appointment_waitlist (student_id, instructor_id, type_id, window_start, window_end, status)
                SELECT s.id, i.id, t.id, '2027-06-12T13:00Z', '2027-06-12T20:00Z', 'offered'
                FROM users s, users i, appointment_types t
                WHERE s.email = '%s' AND i.email = '%s' AND t.slug = '%s'""".formatted(ann, school.instructor, lesson));
        long id = count("SELECT max(id) FROM appointment_waitlist");
        finds("offer_without_hold", "waitlist entry " + id);
        fixes("offer_without_hold", "waitlist entry " + id);
        assertEquals(1, count("SELECT count(*) FROM appointment_waitlist WHERE id = " + id + " AND status = 'waiting'"));
    }

    @Test
    void analyticsOutOfStepWithAppointments() throws Exception {
        book(bob, "2027-06-14T10:00");
        admin.run("analytics", "aggregate", "--from", "2027-06-14", "--to", "2027-06-14").ok();
        sql(true, "UPDATE appointment_analytics SET booked = booked + 5 WHERE day = '2027-06-14'");
        finds("analytics", "2027-06-14");
        fixes("analytics", "2027-06-14");
    }

    @Test
    void attachmentWhoseBytesChanged() throws Exception {
        String ref = book(ann, "2027-06-15T10:00");
        Path file = Files.writeString(dir.resolve("essay.txt"), "my essay, which matters");
        String id = school.cli().withEnv("SCHEDCTL_USER", ann).run("-o", "json", "attachments", "add", ref, file.toString()).ok().json()
                .get("id").asText();
        sql(true, "UPDATE appointment_attachments SET content = set_byte(content, 0, 77) WHERE id = " + id);
        JsonNode v = finds("attachment_checksum", "attachment " + id);
        assertTrue(v.get("fix").asText().startsWith("none"));
    }
}
