package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.schedctl.cli.FoundationCommandsIT.assertError;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/**
 * `db backup` and `db restore`: a consistent, checksummed file; a restore that is checked before it writes and
 * is one transaction; the restored school works (books, exports, sends) like the original.
 */
class BackupRestoreIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    static BookingFixture school;
    static String ann;
    static String lesson;
    static Path backup;
    static final List<String> extraDatabases = new ArrayList<>();

    @BeforeAll
    static void school() throws Exception {
        school = new BookingFixture(db, "bak");
        ann = school.student("ann");
        lesson = school.type("lesson", "--duration", "30m");
        CliDriver asAnn = school.cli().withEnv("SCHEDCTL_USER", ann);
        String ref = asAnn.run("-o", "json", "book", "--instructor", school.instructor, "--type", lesson, "--student", ann,
                "--at", "2027-06-03T10:00", "--notes", "tab\there, newline\nthere, backslash \\ and ünïcödé").ok().json().get("reference").asText();
        asAnn.run("book", "--instructor", school.instructor, "--type", lesson, "--student", ann, "--at", "2027-06-04T10:00").ok();
        byte[] pdf = new byte[50_000];
        for (int i = 0; i < pdf.length; i++) {
            pdf[i] = (byte) (i * 7 + (i >> 9));
        }
        asAnn.run("attachments", "add", ref, Files.write(dir.resolve("notes.pdf"), pdf).toString()).ok();
        school.cli().run("cancel", ref, "--reason", "ill").ok();
        backup = dir.resolve("school.zip");
        JsonNode made = school.cli().run("-o", "json", "db", "backup", "-f", backup.toString()).ok().json();
        assertEquals(backup.toString(), made.get("file").asText());
        assertTrue(made.get("rows").asLong() > 10, made.toString());
    }

    @AfterAll
    static void dropExtra() throws Exception {
        try (Connection c = admin(); Statement st = c.createStatement()) {
            for (String name : extraDatabases) {
                st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    static Connection admin() throws Exception {
        TestDatabase.Server s = TestDatabase.server();
        Properties p = new Properties();
        if (s.user() != null) p.setProperty("user", s.user());
        if (s.password() != null) p.setProperty("password", s.password());
        return DriverManager.getConnection(s.adminUrl(), p);
    }

    /** A new, empty database on the same server: what a fresh home or a new --db gives. */
    static String emptyDatabase() throws Exception {
        String name = "t_restore_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16).toLowerCase(Locale.ROOT);
        try (Connection c = admin(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        extraDatabases.add(name);
        return db.url().replace(dbName(db.url()), name);
    }

    static String dbName(String url) {
        String rest = url.substring(url.indexOf('/', "jdbc:postgresql://".length()) + 1);
        int q = rest.indexOf('?');
        return q < 0 ? rest : rest.substring(0, q);
    }

    static CliDriver cliFor(String url) {
        Map<String, String> env = new HashMap<>(db.env());
        env.put("SCHEDCTL_DB_URL", url);
        return new CliDriver(env, Clock.fixed(BookingFixture.NOW, ZoneOffset.UTC));
    }

    static Connection owner(String url) throws Exception {
        TestDatabase.Server s = TestDatabase.server();
        Properties p = new Properties();
        if (s.user() != null) p.setProperty("user", s.user());
        if (s.password() != null) p.setProperty("password", s.password());
        return DriverManager.getConnection(url, p);
    }

    /** Every table's bytes as COPY prints them, by name (the restored database's own Flyway history aside). */
    static Map<String, String> tableDigests(String url) throws Exception {
        Map<String, String> digests = new TreeMap<>();
        try (Connection c = owner(url); Statement st = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' "
                    + "AND relname <> 'flyway_schema_history' AND relname NOT LIKE 'qrtz\\_%'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            var copy = c.unwrap(PGConnection.class).getCopyAPI();
            for (String t : tables) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                copy.copyOut("COPY public." + t + " TO STDOUT", out);
                digests.put(t, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(out.toByteArray())) + " " + out.size());
            }
        }
        return digests;
    }

    static long count(String url, String sql) throws Exception {
        try (Connection c = owner(url); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void roundTripIsByteIdenticalAndTheRestoredSchoolBooksExportsAndSends() throws Exception {
        String fresh = emptyDatabase();
        CliDriver restored = cliFor(fresh);
        JsonNode result = restored.run("-o", "json", "db", "restore", backup.toString()).ok().json();
        assertFalse(result.get("replaced").asBoolean());
        Map<String, String> original = tableDigests(db.url());
        assertTrue(original.containsKey("appointments") && original.containsKey("appointment_attachments") && original.containsKey("audit_log"));
        assertEquals(original, tableDigests(fresh));

        // It books: ids continue from where the original's sequences were, under the runtime role and RLS.
        CliDriver asAnn = restored.withEnv("SCHEDCTL_USER", ann);
        String newRef = asAnn.run("-o", "json", "book", "--instructor", school.instructor, "--type", lesson, "--student", ann,
                "--at", "2027-06-05T10:00").ok().json().get("reference").asText();
        // The taken slot stays taken.
        assertError(asAnn.run("book", "--instructor", school.instructor, "--type", lesson, "--student", ann, "--at", "2027-06-04T10:00"), 3, "taken");
        // It exports.
        String ics = restored.run("export", "ics", "--instructor", school.instructor).ok().stdout();
        assertTrue(ics.contains("BEGIN:VCALENDAR") && ics.contains(newRef), ics);
        // It sends: the outbox rows owed before the backup, and the new booking's, are dispatched.
        long owed = count(fresh, "SELECT count(*) FROM appointment_notifications WHERE status = 'pending' AND due_at <= '" + BookingFixture.NOW + "'");
        assertTrue(owed > 0);
        JsonNode sent = restored.run("-o", "json", "notifications", "send-due").ok().json();
        assertEquals(owed, sent.get("claimed").asLong(), sent.toString());
        assertTrue(sent.get("sent").asLong() > 0, sent.toString());
        // The attachment comes back byte for byte.
        Path copy = dir.resolve("back.pdf");
        String id = restored.run("-o", "json", "attachments", "list", firstRef(fresh)).ok().json().get(0).get("id").asText();
        restored.run("attachments", "get", id, "-f", copy.toString()).ok();
        assertArrayEquals(Files.readAllBytes(dir.resolve("notes.pdf")), Files.readAllBytes(copy));
    }

    static String firstRef(String url) throws Exception {
        try (Connection c = owner(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT a.reference FROM appointments a JOIN appointment_attachments f ON f.appointment_id = a.id")) {
            rs.next();
            return rs.getString(1);
        }
    }

    static boolean migrated(String url) throws Exception {
        return count(url, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'") > 0;
    }

    @Test
    void aDamagedTruncatedOrForeignFileIsRefusedBeforeAnythingIsWritten() throws Exception {
        String fresh = emptyDatabase();
        CliDriver cli = cliFor(fresh);
        byte[] bytes = Files.readAllBytes(backup);

        Path truncated = Files.write(dir.resolve("truncated.zip"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertError(cli.run("db", "restore", truncated.toString()), 2, "damaged");

        // One table's bytes changed, and its zip checksum with them: only the manifest's SHA-256 can tell.
        Path tampered = rewrite(backup, dir.resolve("tampered.zip"), (name, data) -> name.equals("tables/appointments.copy")
                ? new String(data, StandardCharsets.UTF_8).replace("ill", "flu").getBytes(StandardCharsets.UTF_8) : data, null);
        assertError(cli.run("db", "restore", tampered.toString()), 2, "checksum of tables/appointments.copy does not match");

        Path missing = rewrite(backup, dir.resolve("missing.zip"), (name, data) -> name.equals("tables/users.copy") ? null : data, null);
        assertError(cli.run("db", "restore", missing.toString()), 2, "tables/users.copy is missing");

        Path newer = rewrite(backup, dir.resolve("newer.zip"), (name, data) -> data, m -> m.put("schema_version", 9999));
        assertError(cli.run("db", "restore", newer.toString()), 2, "newer schedctl");

        Path notZip = Files.writeString(dir.resolve("not.zip"), "hello");
        assertError(cli.run("db", "restore", notZip.toString()), 2, "damaged");
        assertError(cli.run("db", "restore", dir.resolve("nowhere.zip").toString()), 4, "no backup file");

        assertFalse(migrated(fresh), "a refused restore wrote nothing");
    }

    @Test
    void aSchoolIsNotOverwrittenWithoutReplaceAndAFailedReplaceLeavesItAsItWas() throws Exception {
        String fresh = emptyDatabase();
        CliDriver cli = cliFor(fresh);
        cli.run("db", "restore", backup.toString()).ok();
        Map<String, String> before = tableDigests(fresh);

        assertError(cli.run("db", "restore", backup.toString()), 3, "already holds a school");
        assertError(cli.run("db", "restore", "--replace", backup.toString()), 2, "--yes");
        assertEquals(before, tableDigests(fresh));

        // A file whose checksums are right but whose rows break a rule (an appointment of a user it lacks): the
        // load fails at the last step, after every table was truncated and copied, and rolls all of it back.
        Path orphaned = rewrite(backup, dir.resolve("orphaned.zip"), (name, data) -> name.equals("tables/users.copy")
                ? new String(data, StandardCharsets.UTF_8).lines().filter(l -> !l.contains("-ann@")).map(l -> l + "\n")
                        .reduce("", String::concat).getBytes(StandardCharsets.UTF_8) : data, null);
        fixChecksums(orphaned);
        var failed = cli.run("--yes", "db", "restore", "--replace", orphaned.toString());
        assertTrue(failed.exitCode() != 0, failed.toString());
        assertEquals(before, tableDigests(fresh));

        // With --replace --yes a good file replaces the school (here with itself, after a change).
        cli.withEnv("SCHEDCTL_USER", ann).run("book", "--instructor", school.instructor, "--type", lesson, "--student", ann,
                "--at", "2027-06-06T10:00").ok();
        JsonNode replaced = cli.run("-o", "json", "--yes", "db", "restore", "--replace", backup.toString()).ok().json();
        assertTrue(replaced.get("replaced").asBoolean());
        assertEquals(before, tableDigests(fresh));
    }

    @Test
    void aBackupThatCannotBeWrittenSaysWhyAndLeavesNoFile() throws Exception {
        assertError(school.cli().run("db", "backup", "-f", dir.resolve("no/such/dir/x.zip").toString()), 2, "does not exist");
        assertError(school.cli().run("db", "backup", "-f", dir.toString()), 2, "is a directory");
        Path readOnly = Files.createDirectory(dir.resolve("ro"));
        readOnly.toFile().setWritable(false, false);
        try {
            if (!Files.isWritable(readOnly)) { // root writes anywhere: the check means nothing then
                assertError(school.cli().run("db", "backup", "-f", readOnly.resolve("x.zip").toString()), 2, "permission denied");
            }
        } finally {
            readOnly.toFile().setWritable(true, false);
        }
        try (Stream<Path> left = Files.list(readOnly)) {
            assertEquals(0, left.count());
        }
    }

    interface PartEdit {
        byte[] apply(String name, byte[] data);
    }

    /** Copies a backup, changing parts (null drops one) and optionally the manifest, keeping zip CRCs valid. */
    static Path rewrite(Path from, Path to, PartEdit edit, java.util.function.Consumer<ObjectNode> manifestEdit) throws IOException {
        ObjectMapper json = new ObjectMapper();
        try (ZipFile zip = new ZipFile(from.toFile()); OutputStream file = Files.newOutputStream(to); ZipOutputStream out = new ZipOutputStream(file)) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                byte[] data;
                try (InputStream in = zip.getInputStream(e)) {
                    data = in.readAllBytes();
                }
                if (e.getName().equals("manifest.json")) {
                    ObjectNode m = (ObjectNode) json.readTree(data);
                    if (manifestEdit != null) {
                        manifestEdit.accept(m);
                    }
                    data = json.writeValueAsBytes(m);
                } else {
                    data = edit.apply(e.getName(), data);
                    if (data == null) {
                        continue;
                    }
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(data);
                out.closeEntry();
            }
        }
        return to;
    }

    /** Keeps the manifest's checksum of one part in step with an edit, for files that must pass verification. */
    static void fixChecksums(Path file) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, byte[]> parts = new TreeMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                try (InputStream in = zip.getInputStream(e)) {
                    parts.put(e.getName(), in.readAllBytes());
                }
            }
        }
        ObjectNode m = (ObjectNode) json.readTree(parts.get("manifest.json"));
        for (JsonNode t : m.get("tables")) {
            byte[] data = parts.get(t.get("entry").asText());
            if (data != null) {
                ((ObjectNode) t).put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)));
                ((ObjectNode) t).put("bytes", data.length);
            }
        }
        parts.put("manifest.json", json.writeValueAsBytes(m));
        try (OutputStream f = Files.newOutputStream(file); ZipOutputStream out = new ZipOutputStream(f)) {
            for (var p : parts.entrySet()) {
                out.putNextEntry(new ZipEntry(p.getKey()));
                out.write(p.getValue());
                out.closeEntry();
            }
        }
    }
}
