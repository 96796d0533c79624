package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.schedctl.cli.FoundationCommandsIT.assertError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/**
 * A backup that cannot finish — its process killed, its database gone, its disk full — leaves nothing under the
 * requested name, and what it leaves behind is never taken for a backup. The backup is stopped at a known point:
 * the test holds a lock on {@code users}, so the backup's {@code COPY users} waits with every earlier table
 * already written to its temporary file.
 */
class BackupFaultsIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    static BookingFixture school;

    @BeforeAll
    static void school() throws Exception {
        school = new BookingFixture(db, "flt");
        String ann = school.student("ann");
        String lesson = school.type("lesson", "--duration", "30m");
        String ref = school.cli().withEnv("SCHEDCTL_USER", ann).run("-o", "json", "book", "--instructor", school.instructor, "--type", lesson,
                "--student", ann, "--at", "2027-06-03T10:00").ok().json().get("reference").asText();
        // 3 MB that no compressor shrinks: more than the small disk below holds.
        byte[] noise = new byte[3_000_000];
        new Random(7).nextBytes(noise);
        school.cli().withEnv("SCHEDCTL_USER", ann).run("attachments", "add", ref, Files.write(dir.resolve("noise.bin"), noise).toString()).ok();
    }

    /** Waits (bounded) until a backend's COPY of users waits for the test's lock; returns its pid. */
    static int waitForBlockedCopy(Connection watcher) throws Exception {
        return waitForBlocked(watcher, "COPY public.\"users\"%");
    }

    /** Waits (bounded) until a backend running a statement LIKE {@code pattern} waits for a lock; returns its pid. */
    static int waitForBlocked(Connection watcher, String pattern) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            try (Statement st = watcher.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '" + pattern + "'")) {
                if (rs.next()) {
                    return rs.getInt(1);
                }
            }
            // A polling interval, not a wait for a race: the lock holds the backup in the state looked for until released.
            Thread.sleep(100);
        }
        throw new AssertionError("no statement like " + pattern + " came to wait for the test's lock");
    }

    static List<Path> files(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        }
    }

    @Test
    void aKilledBackupLeavesNoFileUnderItsNameAndItsTemporaryFileIsNoBackup() throws Exception {
        Path out = Files.createDirectory(dir.resolve("killed"));
        Path target = out.resolve("nightly.zip");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "org.schedctl.Main",
                "db", "backup", "-f", target.toString());
        pb.environment().putAll(db.env());
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile());
        try (Connection locker = db.ownerDataSource().getConnection(); Connection watcher = db.ownerDataSource().getConnection()) {
            locker.setAutoCommit(false);
            locker.createStatement().execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
            Process p = pb.start();
            try {
                waitForBlockedCopy(watcher);
                assertFalse(Files.exists(target), "nothing under the final name while the backup runs");
                List<Path> partial = files(out);
                assertEquals(1, partial.size(), partial.toString());
                assertTrue(partial.get(0).getFileName().toString().startsWith(".nightly.zip.partial-"), partial.toString());
                assertTrue(Files.size(partial.get(0)) > 1_000_000, "the earlier tables were already streamed to disk");
            } finally {
                p.destroyForcibly(); // SIGKILL: no clean-up runs
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                locker.rollback();
            }
        }
        assertFalse(Files.exists(target));
        List<Path> left = files(out);
        assertEquals(1, left.size());
        // What a killed process leaves behind is refused as a backup.
        assertError(school.cli().run("db", "restore", left.get(0).toString()), 2, "damaged");
    }

    @Test
    void aDatabaseStoppedMidBackupIsExit5AndLeavesNoFile() throws Exception {
        Path out = Files.createDirectory(dir.resolve("stopped"));
        Path target = out.resolve("b.zip");
        try (Connection locker = db.ownerDataSource().getConnection(); Connection watcher = db.ownerDataSource().getConnection()) {
            locker.setAutoCommit(false);
            locker.createStatement().execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
            CompletableFuture<CliDriver.Result> run = CompletableFuture.supplyAsync(() -> school.cli().run("db", "backup", "-f", target.toString()));
            int pid = waitForBlockedCopy(watcher);
            watcher.createStatement().execute("SELECT pg_terminate_backend(" + pid + ")");
            CliDriver.Result result = run.get(60, TimeUnit.SECONDS);
            locker.rollback();
            assertEquals(5, result.exitCode(), result.toString());
            assertEquals(1, result.stderr().strip().lines().count(), result.toString());
        }
        assertEquals(List.of(), files(out), "neither the backup nor its temporary file is left");
    }

    /**
     * A database stopped while a restore has truncated and loaded every table (the test holds a lock on a sequence,
     * so the restore waits at its last step, setting the sequences): exit 5, one line, and the school as it was,
     * including what was written after the backup (the load is one transaction).
     */
    @Test
    void aDatabaseStoppedMidRestoreIsExit5AndLeavesTheSchoolAsItWas() throws Exception {
        Path backup = dir.resolve("before.zip");
        school.cli().run("db", "backup", "-f", backup.toString()).ok();
        school.student("after-the-backup");
        long users = school.count("SELECT count(*) FROM users");
        long appointments = school.count("SELECT count(*) FROM appointments");
        try (Connection locker = db.ownerDataSource().getConnection(); Connection watcher = db.ownerDataSource().getConnection()) {
            locker.setAutoCommit(false);
            // ALTER SEQUENCE holds an ACCESS EXCLUSIVE lock on the sequence until rolled back; the change itself is none.
            locker.createStatement().execute("ALTER SEQUENCE users_id_seq CACHE 1");
            CompletableFuture<CliDriver.Result> run = CompletableFuture.supplyAsync(
                    () -> school.cli().run("db", "restore", "--replace", "--yes", backup.toString()));
            int pid = waitForBlocked(watcher, "SELECT setval%");
            watcher.createStatement().execute("SELECT pg_terminate_backend(" + pid + ")");
            CliDriver.Result result = run.get(60, TimeUnit.SECONDS);
            locker.rollback();
            assertEquals(5, result.exitCode(), result.toString());
            assertEquals(1, result.stderr().strip().lines().count(), result.toString());
        }
        assertEquals(users, school.count("SELECT count(*) FROM users"), "the users written after the backup are still there");
        assertEquals(1, school.count("SELECT count(*) FROM users WHERE email LIKE 'flt-after-the-backup@%'"));
        assertEquals(appointments, school.count("SELECT count(*) FROM appointments"));
        assertEquals(0, school.count("SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                + "WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal AND t.tgenabled = 'D'"), "no trigger left disabled");
    }

    @Test
    void aFullDiskIsOneLineAndLeavesNoFile() throws Exception {
        Path small = Files.createDirectory(dir.resolve("small"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", small.toString())
                .redirectErrorStream(true).start();
        boolean mounted = mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0;
        try {
            CliDriver.Result result;
            if (mounted) {
                result = school.cli().run("db", "backup", "-f", small.resolve("b.zip").toString());
            } else {
                // Without the right to mount, a file size limit on a child process fails the write the same way.
                String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                ProcessBuilder pb = new ProcessBuilder("sh", "-c", "ulimit -f 1024; exec \"$0\" -cp \"$1\" org.schedctl.Main db backup -f \"$2\"",
                        java, System.getProperty("java.class.path"), small.resolve("b.zip").toString());
                pb.environment().putAll(db.env());
                pb.redirectOutput(dir.resolve("full.out").toFile()).redirectError(dir.resolve("full.err").toFile());
                Process p = pb.start();
                assertTrue(p.waitFor(120, TimeUnit.SECONDS));
                result = new CliDriver.Result(new String[] {"db", "backup"}, p.exitValue(), Files.readString(dir.resolve("full.out")),
                        Files.readString(dir.resolve("full.err")));
            }
            assertError(result, 2, mounted ? "no space left on the device" : "too large");
            assertEquals(List.of(), files(small), "the temporary file is removed");
        } finally {
            if (mounted) {
                new ProcessBuilder("umount", small.toString()).start().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void theDaemonBacksUpIntoBackupDirAndKeepsTheNewestBackupKeep() throws Exception {
        Path nightly = dir.resolve("nightly");
        Files.createDirectories(nightly);
        Path foreign = Files.writeString(nightly.resolve("schedctl-mine.zip"), "an operator's own file");
        CliDriver cli = db.cli().withEnv("SCHEDCTL_BACKUP_DIR", nightly.toString()).withEnv("SCHEDCTL_BACKUP_KEEP", "2");
        for (int day = 0; day < 3; day++) {
            Instant at = Instant.parse("2027-06-0" + (1 + day) + "T02:00:00Z");
            var runs = cli.withClock(java.time.Clock.fixed(at, java.time.ZoneOffset.UTC)).run("-o", "json", "daemon", "--once").ok().json();
            var backup = java.util.stream.StreamSupport.stream(runs.spliterator(), false)
                    .filter(r -> r.get("task").asText().equals("backup")).findFirst().orElseThrow();
            assertTrue(backup.get("ok").asBoolean(), backup.toString());
        }
        List<String> names = files(nightly).stream().map(p -> p.getFileName().toString()).sorted().toList();
        assertEquals(List.of("schedctl-20270602T020000Z.zip", "schedctl-20270603T020000Z.zip", "schedctl-mine.zip"), names);
        assertTrue(Files.exists(foreign));
        // Each is a complete backup.
        Path newest = nightly.resolve("schedctl-20270603T020000Z.zip");
        org.schedctl.store.Backup.Manifest m = org.schedctl.store.Restore.verify(newest);
        assertTrue(m.tables().stream().anyMatch(t -> t.name().equals("appointments") && t.rows() == 1), m.toString());

        assertError(cli.withEnv("SCHEDCTL_BACKUP_KEEP", "0").run("daemon", "--once"), 2, "backup.keep");
    }
}
