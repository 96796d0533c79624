package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.schedctl.cli.FoundationCommandsIT.assertError;

import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/**
 * The booking commands under row-level security, as student, as the appointment's instructor, and as another
 * instructor: each sees and changes exactly what the role allows.
 */
class BookingPermissionIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void studentsAndInstructorsActOnlyOnTheirOwnAppointments() {
        BookingFixture a = new BookingFixture(db, "pa");
        BookingFixture b = new BookingFixture(db, "pb");
        String ann = a.student("ann");
        String bob = a.student("bob");
        String lessonA = a.type("lesson", "--duration", "30m");
        String lessonB = b.type("lesson", "--duration", "30m", "--requires-confirmation");
        CliDriver asAnn = a.cli().withEnv("SCHEDCTL_USER", ann);
        CliDriver asBob = a.cli().withEnv("SCHEDCTL_USER", bob);
        CliDriver asA = a.cli().withEnv("SCHEDCTL_USER", a.instructor);
        CliDriver asB = a.cli().withEnv("SCHEDCTL_USER", b.instructor);

        String annRef = asAnn.run("-o", "json", "book", "--instructor", a.instructor, "--type", lessonA, "--student", ann,
                "--at", "2027-06-03T10:00").ok().json().get("reference").asText();
        String bobRef = asBob.run("-o", "json", "book", "--instructor", b.instructor, "--type", lessonB, "--student", bob,
                "--at", "2027-06-03T10:00").ok().json().get("reference").asText();

        // What a student legitimately does with an instructor keeps working with contact details restricted (V48):
        // the outbox notifies the instructor (its SECURITY DEFINER writer reads the address as the owner), the
        // student's list names the instructor, the instructor now sees their new student's contact row.
        com.fasterxml.jackson.databind.JsonNode outbox = a.cli().run("-o", "json", "notifications", "list").ok().json();
        boolean instructorNotified = false;
        for (com.fasterxml.jackson.databind.JsonNode n : outbox) {
            instructorNotified |= n.get("recipient").asText().equalsIgnoreCase(a.instructor) && n.get("kind").asText().equals("booked");
        }
        org.junit.jupiter.api.Assertions.assertTrue(instructorNotified, "the instructor is notified of a student's booking: " + outbox);
        assertEquals(a.instructor, asAnn.run("-o", "json", "appointments", "show", annRef).ok().json().get("instructor").asText());
        assertEquals(ann, asA.run("-o", "json", "user", "show", ann).ok().json().get("email").asText());
        org.junit.jupiter.api.Assertions.assertTrue(asAnn.run("-o", "json", "user", "show", a.instructor).ok().json().get("created_at").isNull(),
                "a student reads the instructor's directory entry, not their full row");

        // Booking for someone else: the other student is not even visible to a student.
        assertError(asAnn.run("book", "--instructor", a.instructor, "--type", lessonA, "--student", bob, "--at", "2027-06-03T12:00"), 4, "not found");

        // Reading: one's own appointments only; another's reference does not exist for them.
        assertEquals(Set.of(annRef), refs(asAnn.run("-o", "json", "appointments", "list").ok().json()));
        assertEquals(Set.of(annRef), refs(asA.run("-o", "json", "appointments", "list").ok().json()));
        assertEquals(Set.of(bobRef), refs(asB.run("-o", "json", "appointments", "list").ok().json()));
        assertEquals(Set.of(annRef, bobRef), refs(a.cli().run("-o", "json", "appointments", "list").ok().json()));
        assertError(asAnn.run("appointments", "show", bobRef), 4, "");
        assertError(asA.run("appointments", "show", bobRef), 4, "");
        assertError(asB.run("cancel", bobRef.equals(annRef) ? "x" : annRef), 4, "");

        // The instructor's steps are not the student's.
        assertError(asBob.run("confirm", bobRef), 6, "only the instructor");
        asB.run("confirm", bobRef).ok();
        CliDriver bobLater = a.cliAt(java.time.Instant.parse("2027-06-03T15:00:00Z")).withEnv("SCHEDCTL_USER", bob);
        assertError(bobLater.run("complete", bobRef), 6, "only the instructor");
        assertError(bobLater.run("no-show", bobRef), 6, "only the instructor");
        assertError(asAnn.run("cancel", annRef, "--waive-fee"), 6, "fee");
        asAnn.run("cancel", annRef, "--reason", "ill").ok();
    }

    private static Set<String> refs(JsonNode list) {
        Set<String> refs = new TreeSet<>();
        list.forEach(n -> refs.add(n.get("reference").asText()));
        return refs;
    }
}
