package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.Main;
import org.schedctl.domain.SchedException;
import org.schedctl.config.Config;
import org.schedctl.domain.TimeInput;
import org.schedctl.service.HoldService.BookRequest;
import org.schedctl.service.Services;
import org.schedctl.test.TestDatabase;

/**
 * Many bookers at once, as threads and as separate schedctl processes: for a single slot, the last seat of a
 * group session and the last place of a day, exactly one wins each round, every other booker exits 3, and no two
 * active appointments of an instructor overlap.
 */
class BookingConcurrencyIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final int BOOKERS = 50;
    private static final int THREAD_ROUNDS = 20;
    /** Group seats and daily places: fewer rounds, since each round first books the seats or places before the last. */
    private static final int LIMIT_ROUNDS = 10;
    /** 50 JVMs cost about 40 CPU seconds; one round shows the guard holds across processes and connections. */
    private static final int PROCESS_ROUNDS = 1;
    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(BOOKERS);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    private static List<String> students(BookingFixture f, String tag) {
        f.sql("""
                INSERT INTO users (email, name, role)
                SELECT '%1$s-' || i || '@example.org', 'Student ' || i, 'student' FROM generate_series(1, %2$d) i
                """.formatted(f.prefix + "-" + tag, BOOKERS));
        List<String> emails = new ArrayList<>();
        for (int i = 1; i <= BOOKERS; i++) {
            emails.add(f.prefix + "-" + tag + "-" + i + "@example.org");
        }
        return emails;
    }

    /** Runs BOOKERS attempts released together; returns their exit codes. */
    private static List<Integer> race(IntFunction<Integer> attempt) throws Exception {
        CountDownLatch ready = new CountDownLatch(BOOKERS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < BOOKERS; i++) {
            int n = i;
            results.add(pool.submit(() -> {
                ready.countDown();
                go.await();
                return attempt.apply(n);
            }));
        }
        ready.await();
        go.countDown();
        List<Integer> codes = new ArrayList<>();
        for (Future<Integer> r : results) {
            codes.add(r.get(300, TimeUnit.SECONDS));
        }
        return codes;
    }

    private static int inThread(BookingFixture f, String type, String student, String at) {
        try {
            Services.create(db.database(), Config.of(java.util.Map.of()), Clock.fixed(BookingFixture.NOW, ZoneOffset.UTC)).holds()
                    .book(new BookRequest(f.instructor, type, student, TimeInput.Arg.read(at), null, null, null, null, null));
            return 0;
        } catch (SchedException e) {
            return Main.exitCode(e);
        }
    }

    private static void assertOneWinner(List<Integer> codes, String what) {
        assertEquals(1, codes.stream().filter(c -> c == 0).count(), what + ": exactly one wins, got " + codes);
        assertEquals(BOOKERS - 1, codes.stream().filter(c -> c == 3).count(), what + ": all others exit 3, got " + codes);
    }

    private static void assertNoOverlap() {
        long overlaps = db.database().inTransaction(h -> h.createQuery("""
                SELECT count(*) FROM appointments a JOIN appointments b
                  ON a.instructor_id = b.instructor_id AND a.id < b.id AND a.blocked && b.blocked
                 AND a.session_key <> b.session_key
                 WHERE a.status IN ('held', 'pending', 'confirmed') AND b.status IN ('held', 'pending', 'confirmed')
                """).mapTo(Long.class).one());
        assertEquals(0, overlaps, "overlapping active appointments");
        long overfull = db.database().inTransaction(h -> h.createQuery("""
                SELECT count(*) FROM (
                    SELECT a.session_key FROM appointments a JOIN appointment_types t ON t.id = a.type_id
                     WHERE a.status IN ('held', 'pending', 'confirmed')
                     GROUP BY a.session_key, t.capacity HAVING count(*) > t.capacity) x
                """).mapTo(Long.class).one());
        assertEquals(0, overfull, "group sessions over capacity");
    }

    /** Day {@code round} of the test, as a local date in the instructor's zone. */
    private static String day(int round) {
        return LocalDate.of(2027, 6, 2).plusDays(round).toString();
    }

    @Test
    void fiftyThreadsRaceForOneSlotEachRound() throws Exception {
        BookingFixture f = new BookingFixture(db, "thr");
        String lesson = f.type("lesson", "--duration", "30m");
        List<String> students = students(f, "s");
        for (int round = 0; round < THREAD_ROUNDS; round++) {
            String at = day(round % 10) + "T" + (round < 10 ? "10:00" : "14:30");
            List<Integer> codes = race(i -> inThread(f, lesson, students.get(i), at));
            assertOneWinner(codes, "round " + round + " at " + at);
        }
        assertEquals(THREAD_ROUNDS, f.count("SELECT count(*) FROM appointments a JOIN users u ON u.id = a.instructor_id"
                + " WHERE u.email = '" + f.instructor + "' AND a.status = 'confirmed'"));
        assertNoOverlap();
    }

    @Test
    void fiftyThreadsRaceForTheLastSeatOfAGroupSession() throws Exception {
        BookingFixture f = new BookingFixture(db, "seat");
        String group = f.type("group", "--duration", "1h", "--capacity", "3");
        List<String> students = students(f, "s");
        for (int round = 0; round < LIMIT_ROUNDS; round++) {
            String at = day(round) + "T09:00";
            assertEquals(0, inThread(f, group, students.get(0), at));
            assertEquals(0, inThread(f, group, students.get(1), at));
            List<Integer> codes = race(i -> inThread(f, group, students.get(i), at));
            assertOneWinner(codes, "last seat, round " + round);
        }
        assertEquals(LIMIT_ROUNDS * 3L, f.count("SELECT count(*) FROM appointments a JOIN users u ON u.id = a.instructor_id"
                + " WHERE u.email = '" + f.instructor + "' AND a.status = 'confirmed'"));
        assertNoOverlap();
    }

    @Test
    void fiftyThreadsRaceForTheLastPlaceOfADay() throws Exception {
        BookingFixture f = new BookingFixture(db, "day");
        f.cli().run("instructor", "settings", f.instructor, "--max-daily", "2").ok();
        String quick = f.type("quick", "--duration", "5m");
        List<String> students = students(f, "s");
        for (int round = 0; round < LIMIT_ROUNDS; round++) {
            String date = day(round);
            assertEquals(0, inThread(f, quick, students.get(0), date + "T09:00"));
            // every booker wants a different slot of the same day: only the daily maximum stands between them
            List<Integer> codes = race(i -> inThread(f, quick, students.get(i),
                    date + "T" + String.format("%02d:%02d", 9 + (30 + 5 * i) / 60, (30 + 5 * i) % 60)));
            assertOneWinner(codes, "last place of " + date);
        }
        long fullerDays = db.database().inTransaction(h -> h.createQuery("""
                SELECT count(*) FROM (
                    SELECT (a.starts_at AT TIME ZONE 'America/New_York')::date FROM appointments a
                      JOIN users u ON u.id = a.instructor_id
                     WHERE u.email = :email AND a.status = 'confirmed'
                     GROUP BY 1 HAVING count(*) > 2) x
                """).bind("email", f.instructor).mapTo(Long.class).one());
        assertEquals(0, fullerDays, "days over the maximum");
        assertNoOverlap();
    }

    @Test
    void fiftyProcessesRaceForOneSlot() throws Exception {
        BookingFixture f = new BookingFixture(db, "proc");
        String lesson = f.type("lesson", "--duration", "30m", "--capacity", "1");
        String group = f.type("group", "--duration", "1h", "--capacity", "2");
        List<String> students = students(f, "s");
        Path home = Files.createTempDirectory("schedctl-proc");
        List<String> launch = launcher(home, f, lesson, students.get(0));
        for (int round = 0; round < PROCESS_ROUNDS; round++) {
            // the real CLI in separate JVMs, each with its own connection: the clock is the real one, so the slot
            // lies in the future relative to now, inside the instructor's 09:00-17:00 pattern
            String at = LocalDate.now(ZoneOffset.UTC).plusDays(3 + round) + "T10:00";
            String type = round % 2 == 0 ? lesson : group;
            if (type.equals(group)) {
                assertEquals(0, inThreadNow(f, group, students.get(0), at));
            }
            List<Integer> codes = race(i -> runProcess(launch, home, f.instructor, type, students.get(i), at));
            assertOneWinner(codes, "processes, round " + round);
        }
        Files.deleteIfExists(home.resolve("booker.jsa"));
        assertNoOverlap();
    }

    private static int inThreadNow(BookingFixture f, String type, String student, String at) {
        try {
            Services.create(db.database(), Config.of(java.util.Map.of()), Clock.systemUTC()).holds()
                    .book(new BookRequest(f.instructor, type, student, TimeInput.Arg.read(at), null, null, null, null, null));
            return 0;
        } catch (SchedException e) {
            return Main.exitCode(e);
        }
    }

    /**
     * How the racing processes start: from the packaged jar when this build made one (as users run schedctl), with a
     * class-data archive dumped by one warm-up command, which saves each of the 50 JVMs about a third of its start-up
     * CPU; else (no jar, or one older than the classes) from the test classpath without an archive.
     */
    private static List<String> launcher(Path home, BookingFixture f, String type, String student) throws Exception {
        List<String> jvm = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"));
        Path jar = Path.of("target", "schedctl.jar").toAbsolutePath();
        if (!jarIsCurrent(jar)) {
            jvm.addAll(List.of("-cp", System.getProperty("java.class.path")));
            return jvm;
        }
        jvm.addAll(List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        Path archive = home.resolve("booker.jsa");
        List<String> warmUp = new ArrayList<>(jvm);
        warmUp.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-cp", jar.toString()));
        // a booking refused for being outside the instructor's hours loads what a booker loads, and changes nothing
        Finished refused = exec(warmUp, home, f.instructor, type, student, LocalDate.now(ZoneOffset.UTC).plusDays(2) + "T03:00");
        assertTrue(refused.code() != 0 && refused.stderr().startsWith("schedctl: error: "), "the warm-up booking is refused: " + refused);
        if (Files.isRegularFile(archive)) {
            jvm.add("-XX:SharedArchiveFile=" + archive);
        }
        jvm.addAll(List.of("-cp", jar.toString()));
        return jvm;
    }

    private static boolean jarIsCurrent(Path jar) throws java.io.IOException {
        Path classes = Path.of("target", "classes");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(classes)) {
            return false;
        }
        long built = Files.getLastModifiedTime(jar).toMillis();
        try (var files = Files.walk(classes)) {
            return files.filter(Files::isRegularFile).allMatch(p -> {
                try {
                    return Files.getLastModifiedTime(p).toMillis() <= built;
                } catch (java.io.IOException e) {
                    return false;
                }
            });
        }
    }

    private static int runProcess(List<String> launch, Path home, String instructor, String type, String student, String at) {
        Finished done = exec(launch, home, instructor, type, student, at);
        if (done.code() != 0) {
            assertTrue(done.stderr().startsWith("schedctl: error: "), "one-line error: " + done.stderr());
            assertTrue(done.code() != 3 || done.stderr().contains("taken") || done.stderr().contains("full"), "reason given: " + done.stderr());
        }
        return done.code();
    }

    private record Finished(int code, String stderr) {
    }

    private static Finished exec(List<String> launch, Path home, String instructor, String type, String student, String at) {
        try {
            List<String> command = new ArrayList<>(launch);
            command.addAll(List.of("org.schedctl.Main", "-q", "book", "--instructor", instructor,
                    "--type", type, "--student", student, "--at", at));
            ProcessBuilder pb = new ProcessBuilder(command);
            Map<String, String> env = pb.environment();
            env.putAll(db.env());
            env.put("SCHEDCTL_HOME", home.toString());
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            File err = Files.createTempFile(home, "err", ".txt").toFile();
            pb.redirectError(err);
            Process p = pb.start();
            if (!p.waitFor(240, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("schedctl process did not finish in 240 s: " + Files.readString(err.toPath()));
            }
            return new Finished(p.exitValue(), Files.readString(err.toPath()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
