package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.schedctl.cli.EncryptionIT.contains;
import static org.schedctl.cli.EncryptionIT.id;
import static org.schedctl.cli.EncryptionIT.key;
import static org.schedctl.cli.FoundationCommandsIT.assertError;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.ZipFile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/**
 * Encryption at rest of contact details (V68): a phone number given under encryption.key is stored sealed (AES-GCM,
 * bound to its user, the key id beside it), never in clear in the table, the audit log or a backup; it is opened
 * for whoever may read it and by the dispatcher when an SMS is sent; `db rotate-key` seals clear numbers and
 * re-seals old ones; fsck opens every one; a restore under a wrong key is refused and writes nothing.
 */
class ContactEncryptionIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();
    /** An empty school to restore into. */
    @RegisterExtension
    static final TestDatabase target = new TestDatabase();

    @TempDir
    static Path dir;

    static final String PHONE = "+49 30 7654321";
    static final byte[] DIGITS = "7654321".getBytes(StandardCharsets.US_ASCII);

    static Object[] phoneRow(String email) throws Exception {
        try (Connection c = db.ownerDataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT phone, phone_sealed, phone_key_id FROM users WHERE email = '" + email + "'")) {
            rs.next();
            return new Object[] {rs.getString(1), rs.getBytes(2), rs.getString(3)};
        }
    }

    static long ownerCount(TestDatabase where, String sql) throws Exception {
        try (Connection c = where.ownerDataSource().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void phoneNumbersAreSealedOpenedSentRotatedCheckedAndBackedUpAsCiphertext() throws Exception {
        BookingFixture school = new BookingFixture(db, "ph");
        String lesson = school.type("lesson", "--duration", "30m");
        String first = key();
        String second = key();
        CliDriver withFirst = school.cli().withEnv("SCHEDCTL_ENCRYPTION_KEY", first);
        String ann = "ph-ann@example.org";
        assertEquals(PHONE, withFirst.run("-o", "json", "user", "add", "--name", "Ann", "--email", ann, "--phone", PHONE)
                .ok().json().get("phone").asText());
        // Without a key, a number is stored in clear as before (rotate-key seals it later).
        String bob = "ph-bob@example.org";
        school.cli().run("user", "add", "--name", "Bob", "--email", bob, "--phone", "+1 212 5550100").ok();

        Object[] stored = phoneRow(ann);
        assertNull(stored[0], "the clear column stays empty");
        assertEquals(id(first), stored[2]);
        assertFalse(contains((byte[]) stored[1], DIGITS), "stored in clear");
        assertEquals("+1 212 5550100", phoneRow(bob)[0]);
        assertEquals(0, ownerCount(db, "SELECT count(*) FROM audit_log WHERE entity = 'users' AND (before::text LIKE '%7654321%' "
                + "OR after::text LIKE '%7654321%' OR before::text LIKE '%5550100%' OR after::text LIKE '%5550100%')"), "phone numbers in the audit log");

        // Read by whoever may see it (the user, an administrator), with the key; without it: one line naming the key.
        assertEquals(PHONE, withFirst.withEnv("SCHEDCTL_USER", ann).run("-o", "json", "user", "show", ann).ok().json().get("phone").asText());
        assertEquals(PHONE, withFirst.run("-o", "json", "user", "list").ok().json().findValues("phone").stream()
                .filter(JsonNode::isTextual).map(JsonNode::asText).filter(PHONE::equals).findFirst().orElse(null));
        assertError(school.cli().run("user", "show", ann), 2, "encrypted under key " + id(first));

        // The dispatcher opens the number when it sends the SMS; the outbox row does not hold it.
        school.cli().run("instructor", "settings", school.instructor, "--channels", "sms").ok();
        String ref = withFirst.withEnv("SCHEDCTL_USER", ann).run("-o", "json", "book", "--instructor", school.instructor, "--type", lesson,
                "--student", ann, "--at", "2027-06-03T10:00").ok().json().get("reference").asText();
        assertEquals(0, ownerCount(db, "SELECT count(*) FROM appointment_notifications WHERE recipient LIKE '%7654321%'"));
        List<String> sms = new CopyOnWriteArrayList<>();
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/sms", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                sms.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        http.start();
        try {
            withFirst.withEnv("SCHEDCTL_SMS_GATEWAY_URL", "http://127.0.0.1:" + http.getAddress().getPort() + "/sms")
                    .withEnv("SCHEDCTL_SMS_GATEWAY_TOKEN", "tok").run("notifications", "send-due").ok();
        } finally {
            http.stop(0);
        }
        ObjectMapper json = new ObjectMapper();
        assertTrue(sms.stream().map(body -> {
            try {
                return json.readTree(body);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).anyMatch(body -> PHONE.equals(body.get("to").asText()) && body.get("body").asText().contains(ref)), sms.toString());

        // A backup holds only ciphertext of the sealed number.
        Path backup = dir.resolve("school.zip");
        school.cli().run("db", "backup", "-f", backup.toString()).ok();
        try (ZipFile zip = new ZipFile(backup.toFile()); InputStream in = zip.getInputStream(zip.getEntry("tables/users.copy"))) {
            byte[] part = in.readAllBytes();
            assertTrue(contains(part, ann.getBytes(StandardCharsets.US_ASCII)));
            assertFalse(contains(part, DIGITS));
        }

        // fsck opens every sealed number; without the key it says it cannot.
        withFirst.run("fsck").ok();
        assertTrue(school.cli().run("-o", "json", "fsck").json().toString().contains("sealed_phone"));

        // Rotation seals the clear number and re-seals the old one under the new key.
        JsonNode rotated = school.cli().withEnv("SCHEDCTL_ENCRYPTION_KEY", second).withEnv("SCHEDCTL_ENCRYPTION_OLD_KEYS", first)
                .run("-o", "json", "db", "rotate-key", "--batch", "1").ok().json();
        assertEquals(0, rotated.get("remaining").asLong());
        assertEquals(id(second), phoneRow(ann)[2]);
        assertNull(phoneRow(bob)[0]);
        assertEquals(id(second), phoneRow(bob)[2]);
        CliDriver withSecond = school.cli().withEnv("SCHEDCTL_ENCRYPTION_KEY", second);
        assertEquals("+1 212 5550100", withSecond.run("-o", "json", "user", "show", bob).ok().json().get("phone").asText());
        withSecond.run("fsck").ok();

        // A sealed number copied onto another user does not open there: fsck reports it.
        try (Connection c = db.ownerDataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("UPDATE users SET phone_sealed = (SELECT phone_sealed FROM users WHERE email = '" + ann + "') WHERE email = '" + bob + "'");
        }
        JsonNode found = withSecond.run("-o", "json", "fsck").expect(3).json();
        assertTrue(found.toString().contains("does not authenticate") && found.toString().contains(bob), found.toString());

        // Restore needs the key: under a wrong one (or none) it is refused, one line, and nothing is written.
        CliDriver into = new CliDriver(target.env(), Clock.fixed(BookingFixture.NOW, ZoneOffset.UTC));
        assertError(into.withEnv("SCHEDCTL_ENCRYPTION_KEY", second).run("db", "restore", backup.toString()), 2,
                "encrypted under key " + id(first));
        assertError(into.run("db", "restore", backup.toString()), 2, "no encryption.key is set");
        assertEquals(0, ownerCount(target, "SELECT count(*) FROM users WHERE NOT is_builtin"));
        into.withEnv("SCHEDCTL_ENCRYPTION_KEY", first).run("db", "restore", backup.toString()).ok();
        assertEquals(PHONE, into.withEnv("SCHEDCTL_ENCRYPTION_KEY", first).run("-o", "json", "user", "show", ann).ok().json().get("phone").asText());
    }
}
