package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.schedctl.cli.FoundationCommandsIT.assertError;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Base64;
import java.util.zip.ZipFile;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.schedctl.store.ContentCipher;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/**
 * Encryption at rest of attachment contents: sealed with AES-GCM under encryption.key, the key id beside each
 * value; unreadable without the key; re-sealed by `db rotate-key`; a backup holds the ciphertext.
 */
class EncryptionIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    static BookingFixture school;
    static String ann;
    static String lesson;

    @BeforeAll
    static void school() {
        school = new BookingFixture(db, "enc");
        ann = school.student("ann");
        lesson = school.type("lesson", "--duration", "30m");
    }

    static String key() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    static String id(String key) {
        return ContentCipher.keyId(Base64.getDecoder().decode(key));
    }

    static Object[] row(String id) throws Exception {
        try (Connection c = db.ownerDataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT content, content_key_id FROM appointment_attachments WHERE id = " + id)) {
            rs.next();
            return new Object[] {rs.getBytes(1), rs.getString(2)};
        }
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return true;
        }
        return false;
    }

    @Test
    void sealedUnderTheKeyUnreadableWithoutItRotatedAndBackedUpAsCiphertext() throws Exception {
        String first = key();
        String second = key();
        CliDriver withFirst = school.cli().withEnv("SCHEDCTL_ENCRYPTION_KEY", first);
        String ref = withFirst.withEnv("SCHEDCTL_USER", ann).run("-o", "json", "book", "--instructor", school.instructor, "--type", lesson,
                "--student", ann, "--at", "2027-06-03T10:00").ok().json().get("reference").asText();
        byte[] secret = "Medical note: SECRET-MARKER-4711, not for the database's eyes".getBytes(StandardCharsets.UTF_8);
        Path file = Files.write(dir.resolve("note.txt"), secret);
        JsonNode added = withFirst.withEnv("SCHEDCTL_USER", ann).run("-o", "json", "attachments", "add", ref, file.toString()).ok().json();
        String aid = added.get("id").asText();
        assertEquals(secret.length, added.get("size_bytes").asLong());

        Object[] stored = row(aid);
        assertEquals(id(first), stored[1]);
        assertEquals(secret.length + ContentCipher.OVERHEAD, ((byte[]) stored[0]).length);
        assertFalse(contains((byte[]) stored[0], "SECRET-MARKER".getBytes(StandardCharsets.UTF_8)), "stored in clear");

        Path out = dir.resolve("out.txt");
        withFirst.run("attachments", "get", aid, "-f", out.toString()).ok();
        assertArrayEquals(secret, Files.readAllBytes(out));

        // Without the key, or with another one: one line naming the key id and what to set, nothing written.
        Path none = dir.resolve("none.txt");
        assertError(school.cli().run("attachments", "get", aid, "-f", none.toString()), 2, "encrypted under key " + id(first));
        assertError(school.cli().withEnv("SCHEDCTL_ENCRYPTION_KEY", second).run("attachments", "get", aid, "-f", none.toString()), 2,
                "encryption.old_keys");
        assertFalse(Files.exists(none));
        assertError(school.cli().withEnv("SCHEDCTL_ENCRYPTION_KEY", "short").run("attachments", "get", aid), 2, "32 random bytes");

        // A backup holds the ciphertext.
        Path backup = dir.resolve("b.zip");
        school.cli().run("db", "backup", "-f", backup.toString()).ok();
        try (ZipFile zip = new ZipFile(backup.toFile()); InputStream in = zip.getInputStream(zip.getEntry("tables/appointment_attachments.copy"))) {
            byte[] part = in.readAllBytes();
            assertTrue(part.length > 0);
            assertFalse(contains(part, "SECRET-MARKER".getBytes(StandardCharsets.UTF_8)));
            assertFalse(contains(part, "5345435245542d4d41524b4552".getBytes(StandardCharsets.US_ASCII)), "hex of the marker");
        }

        // fsck opens sealed contents with the key, and says when it cannot.
        withFirst.run("fsck").ok();
        assertTrue(school.cli().run("-o", "json", "fsck").json().toString().contains("cannot be checked"));

        // Rotation: a plain attachment from before the key, and the sealed one, end up under the new key.
        byte[] plain = "stored before any key".getBytes(StandardCharsets.UTF_8);
        String plainId = school.cli().withEnv("SCHEDCTL_USER", ann).run("-o", "json", "attachments", "add", ref,
                Files.write(dir.resolve("plain.txt"), plain).toString()).ok().json().get("id").asText();
        assertNull(row(plainId)[1]);
        assertError(school.cli().run("db", "rotate-key"), 2, "no encryption.key");
        assertError(school.cli().withEnv("SCHEDCTL_ENCRYPTION_KEY", second).run("db", "rotate-key"), 2, "encrypted under key " + id(first));
        assertNull(row(plainId)[1], "a rotation that stopped at an unknown key committed only whole batches");
        JsonNode rotated = school.cli().withEnv("SCHEDCTL_ENCRYPTION_KEY", second).withEnv("SCHEDCTL_ENCRYPTION_OLD_KEYS", first)
                .run("-o", "json", "db", "rotate-key", "--batch", "1").ok().json();
        assertEquals(id(second), rotated.get("key_id").asText());
        assertEquals(0, rotated.get("remaining").asLong());
        assertEquals(id(second), row(aid)[1]);
        assertEquals(id(second), row(plainId)[1]);
        CliDriver withSecond = school.cli().withEnv("SCHEDCTL_ENCRYPTION_KEY", second);
        withSecond.run("attachments", "get", aid, "-f", dir.resolve("again.txt").toString()).ok();
        assertArrayEquals(secret, Files.readAllBytes(dir.resolve("again.txt")));
        withSecond.run("attachments", "get", plainId, "-f", dir.resolve("plain-again.txt").toString()).ok();
        assertArrayEquals(plain, Files.readAllBytes(dir.resolve("plain-again.txt")));
        // Resumable and idempotent: a second run has nothing left.
        assertEquals(0, withSecond.run("-o", "json", "db", "rotate-key").ok().json().get("rotated").asLong());

        // Ciphertext altered in the database: get refuses, fsck reports it.
        try (Connection c = db.ownerDataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("SET session_replication_role = replica");
            st.execute("UPDATE appointment_attachments SET content = set_byte(content, 20, get_byte(content, 20) # 1) WHERE id = " + aid);
        }
        assertError(withSecond.run("attachments", "get", aid, "-f", dir.resolve("x.txt").toString()), 3, "does not authenticate");
        assertTrue(withSecond.run("-o", "json", "fsck").json().toString().contains("does not authenticate"));
    }
}
