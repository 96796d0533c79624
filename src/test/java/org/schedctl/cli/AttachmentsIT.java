package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.schedctl.cli.FoundationCommandsIT.assertError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/**
 * `schedctl attachments`: files on an appointment, seen by those who see the appointment, removed by their
 * uploader or an administrator, bounded in size, recorded in the audit log without their content.
 */
class AttachmentsIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    static BookingFixture school;
    static String ann;
    static String bob;
    static String annRef;
    static CliDriver asAnn;
    static CliDriver asBob;
    static CliDriver asTeacher;
    static CliDriver asAdmin;

    @BeforeAll
    static void book() {
        school = new BookingFixture(db, "att");
        ann = school.student("ann");
        bob = school.student("bob");
        String lesson = school.type("lesson", "--duration", "30m");
        asAnn = school.cli().withEnv("SCHEDCTL_USER", ann);
        asBob = school.cli().withEnv("SCHEDCTL_USER", bob);
        asTeacher = school.cli().withEnv("SCHEDCTL_USER", school.instructor);
        asAdmin = school.cli();
        annRef = asAnn.run("-o", "json", "book", "--instructor", school.instructor, "--type", lesson, "--student", ann,
                "--at", "2027-06-03T10:00").ok().json().get("reference").asText();
    }

    @Test
    void attachListFetchAndRemoveAsTheAppointmentsPeople() throws Exception {
        byte[] pdf = new byte[70_000];
        for (int i = 0; i < pdf.length; i++) {
            pdf[i] = (byte) (i * 31 + (i >> 8));
        }
        Path file = Files.write(dir.resolve("Homework 1.pdf"), pdf);
        JsonNode added = asAnn.run("-o", "json", "attachments", "add", annRef, file.toString()).ok().json();
        assertEquals("Homework 1.pdf", added.get("file_name").asText());
        assertEquals("application/pdf", added.get("content_type").asText());
        assertEquals(pdf.length, added.get("size_bytes").asLong());
        assertEquals(sha256(pdf), added.get("sha256").asText());
        assertEquals(ann, added.get("uploaded_by").asText());
        assertEquals(annRef, added.get("reference").asText());
        String id = added.get("id").asText();

        // The same bytes again, under another name: one copy per appointment.
        assertError(asAnn.run("attachments", "add", annRef, file.toString(), "--name", "again.pdf"), 3, "already attached");
        assertEquals(1, asTeacher.run("-o", "json", "attachments", "list", annRef).ok().json().size());

        // The instructor of the appointment fetches it byte for byte.
        Path copy = dir.resolve("copy.pdf");
        asTeacher.run("attachments", "get", id, "-f", copy.toString()).ok();
        assertArrayEquals(pdf, Files.readAllBytes(copy));

        // Text from stdin, read back on stdout.
        JsonNode note = asTeacher.runWithInput("bring a calculator\n", "-o", "json", "attachments", "add", annRef, "-",
                "--name", "note.txt").ok().json();
        assertEquals("text/plain", note.get("content_type").asText());
        assertEquals("bring a calculator\n", asAnn.run("attachments", "get", note.get("id").asText()).ok().stdout());

        // Another student does not learn that the appointment or its files exist.
        assertError(asBob.run("attachments", "list", annRef), 4, "no appointment");
        assertError(asBob.run("attachments", "get", id), 4, "no attachment " + id);
        assertError(asBob.run("attachments", "remove", id), 4, "no attachment " + id);
        assertError(asBob.runWithInput("x", "attachments", "add", annRef, "-", "--name", "x.txt"), 4, "no appointment");

        // Removal: the uploader or an administrator, not the other party of the appointment.
        assertError(asTeacher.run("attachments", "remove", id), 6, "only the user who attached");
        asAnn.run("attachments", "remove", id).ok();
        asAdmin.run("attachments", "remove", note.get("id").asText()).ok();
        assertEquals(0, asAdmin.run("-o", "json", "attachments", "list", annRef).ok().json().size());

        // The audit log has the upload and the removal, with the hash and without the content.
        JsonNode audit = asAdmin.run("-o", "json", "audit", "list", "--entity", "appointment_attachments").ok().json();
        boolean sawInsert = false;
        for (JsonNode row : audit) {
            String text = row.toString();
            assertFalse(text.contains("\"content\""), "no content in the audit log: " + text);
            sawInsert |= text.contains(sha256(pdf)) && text.contains("insert");
        }
        assertTrue(sawInsert, "the upload is audited with its hash: " + audit);
    }

    @Test
    void badInputIsRefusedAndNothingIsWritten() throws Exception {
        Path ok = Files.writeString(dir.resolve("ok.txt"), "fine");
        assertError(asAnn.run("attachments", "add", annRef, dir.resolve("missing.txt").toString()), 2, "no file");
        assertError(asAnn.run("attachments", "add", annRef, dir.toString()), 2, "is a directory");
        assertError(asAnn.runWithInput("x", "attachments", "add", annRef, "-"), 2, "--name");
        assertError(asAnn.run("attachments", "add", annRef, ok.toString(), "--name", "../etc/passwd"), 2, "path separator");
        assertError(asAnn.run("attachments", "add", annRef, ok.toString(), "--name", "a\nb.txt"), 2, "control characters");
        assertError(asAnn.run("attachments", "add", annRef, ok.toString(), "--content-type", "pdf"), 2, "not a media type");
        assertError(asAnn.run("attachments", "add", "NOT-A-REF", ok.toString()), 2, "booking reference");
        assertError(asAnn.run("attachments", "add", "ABCD2345", ok.toString()), 4, "no appointment ABCD2345");
        assertError(asAnn.run("attachments", "get", "x1"), 2, "attachment id 'x1' is not a positive whole number");
        byte[] huge = new byte[25 * 1024 * 1024 + 1];
        assertError(asAnn.runWithInput(huge, "attachments", "add", annRef, "-", "--name", "big.bin"), 2, "limited to 25 MiB");
        Path big = Files.write(dir.resolve("big.bin"), huge);
        assertError(asAnn.run("attachments", "add", annRef, big.toString()), 2, "limited to 25 MiB");
        assertEquals(0, asAdmin.run("-o", "json", "attachments", "list", annRef).ok().json().size());
    }

    @Test
    void theDatabaseRefusesAnUploadInSomeoneElsesName() {
        long teacherId = db.database().inTransaction(h -> h.createQuery("SELECT id FROM users WHERE email = :e")
                .bind("e", school.instructor).mapTo(Long.class).one());
        assertThrows(RuntimeException.class, () -> db.as(ann).useTransaction(h -> h.execute("""
                INSERT INTO appointment_attachments (appointment_id, file_name, content_type, size_bytes, sha256, content, uploaded_by)
                SELECT id, 'forged.txt', 'text/plain', 1, repeat('b', 64), 'x'::bytea, ? FROM appointments WHERE reference = ?
                """, teacherId, annRef)));
        assertEquals(0, asAdmin.run("-o", "json", "attachments", "list", annRef).ok().json().size());
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
