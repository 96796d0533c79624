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
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.Main;
import org.schedctl.config.Config;
import org.schedctl.domain.SchedException;
import org.schedctl.domain.TimeInput;
import org.schedctl.service.HoldService.BookRequest;
import org.schedctl.service.SeriesService;
import org.schedctl.service.Services;
import org.schedctl.test.TestDatabase;

/**
 * Issue 16, race-freedom: series booked at the same moment from separate processes and threads. With
 * --on-conflict fail exactly one of two overlapping series is booked and the other is wholly refused (exit 3,
 * nothing written); with skip every date goes to exactly one; a series racing single bookings never overlaps them.
 * The clock is the real one (separate processes), so the dates lie a few days ahead of today.
 */
class SeriesConcurrencyIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static String day(int plus) {
        return LocalDate.now(ZoneOffset.UTC).plusDays(plus).toString();
    }

    private static List<Integer> race(List<Callable<Integer>> attempts) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(attempts.size());
        try {
            CountDownLatch ready = new CountDownLatch(attempts.size());
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (Callable<Integer> attempt : attempts) {
                results.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return attempt.call();
                }));
            }
            ready.await();
            go.countDown();
            List<Integer> codes = new ArrayList<>();
            for (Future<Integer> r : results) {
                codes.add(r.get(300, TimeUnit.SECONDS));
            }
            return codes;
        } finally {
            pool.shutdownNow();
        }
    }

    private static int process(Path home, String... args) {
        try {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    "org.schedctl.Main", "-q"));
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().putAll(db.env());
            pb.environment().put("SCHEDCTL_HOME", home.toString());
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            File err = Files.createTempFile(home, "err", ".txt").toFile();
            pb.redirectError(err);
            Process p = pb.start();
            if (!p.waitFor(240, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("schedctl did not finish in 240 s");
            }
            String stderr = Files.readString(err.toPath());
            if (p.exitValue() != 0) {
                assertTrue(stderr.startsWith("schedctl: error: ") && stderr.strip().lines().count() == 1, "one-line error: " + stderr);
            }
            return p.exitValue();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String[] series(BookingFixture f, String type, String student, String at, int count, String mode) {
        return new String[] {"book", "--instructor", f.instructor, "--type", type, "--student", student, "--at", at,
                "--repeat", "FREQ=WEEKLY;COUNT=" + count, "--on-conflict", mode};
    }

    private static long count(String sql) {
        return db.database().inTransaction(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    private static void assertNoOverlap() {
        assertEquals(0, count("""
                SELECT count(*) FROM appointments a JOIN appointments b
                  ON a.instructor_id = b.instructor_id AND a.id < b.id AND a.blocked && b.blocked
                 AND a.session_key <> b.session_key
                 WHERE a.status IN ('held', 'pending', 'confirmed') AND b.status IN ('held', 'pending', 'confirmed')
                """), "overlapping active appointments");
    }

    private static long appointmentsOf(String student) {
        return count("SELECT count(*) FROM appointments a JOIN users u ON u.id = a.student_id WHERE u.email = '" + student + "'");
    }

    @Test
    void twoProcessesWithOverlappingSeriesFailOneWhollyAndSkipSharesEveryDate() throws Exception {
        BookingFixture f = new BookingFixture(db, "prc");
        String lesson = f.type("lesson", "--duration", "60m");
        String ann = f.student("ann");
        String bob = f.student("bob");
        Path home = Files.createTempDirectory("schedctl-series-race");
        try {
            // fail: ann from day 3, bob from day 10 — five dates in common
            List<Integer> codes = race(List.of(
                    () -> process(home, series(f, lesson, ann, day(3) + "T10:00", 6, "fail")),
                    () -> process(home, series(f, lesson, bob, day(10) + "T10:00", 6, "fail"))));
            assertEquals(List.of(0, 3), codes.stream().sorted().toList(), "one series booked, the other refused: " + codes);
            String loser = codes.get(0) == 3 ? ann : bob;
            assertEquals(0, appointmentsOf(loser), "the refused series wrote nothing");
            assertEquals(0, count("SELECT count(*) FROM appointment_series s JOIN users u ON u.id = s.student_id WHERE u.email = '"
                    + loser + "'"));
            assertEquals(6, appointmentsOf(codes.get(0) == 0 ? ann : bob));

            // skip: both want the same six dates at 14:00; every date goes to exactly one
            List<Integer> skip = race(List.of(
                    () -> process(home, series(f, lesson, ann, day(3) + "T14:00", 6, "skip")),
                    () -> process(home, series(f, lesson, bob, day(3) + "T14:00", 6, "skip"))));
            assertTrue(skip.contains(0), "at least one booked: " + skip);
            assertEquals(6, count("""
                    SELECT count(DISTINCT a.starts_at) FROM appointments a JOIN users u ON u.id = a.instructor_id
                     WHERE u.email = '%s' AND a.status = 'confirmed'
                       AND (a.starts_at AT TIME ZONE 'America/New_York')::time = '14:00'
                    """.formatted(f.instructor)), "every date booked");
            assertEquals(6, count("""
                    SELECT count(*) FROM appointments a JOIN users u ON u.id = a.instructor_id
                     WHERE u.email = '%s' AND a.status = 'confirmed'
                       AND (a.starts_at AT TIME ZONE 'America/New_York')::time = '14:00'
                    """.formatted(f.instructor)), "each date to exactly one");
            assertNoOverlap();
        } finally {
            try (var files = Files.list(home)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(home);
        }
    }

    @Test
    void seriesRacingSeriesAndSingleBookingsInThreadsNeverOverlap() throws Exception {
        BookingFixture f = new BookingFixture(db, "thr");
        String lesson = f.type("lesson", "--duration", "60m");
        Services services = Services.create(db.database(), Config.of(java.util.Map.of()), Clock.systemUTC());
        List<String> students = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            students.add(f.student("s" + i));
        }
        for (int round = 0; round < 5; round++) {
            String at = day(3 + round) + "T" + (10 + round) + ":00";
            List<Callable<Integer>> attempts = new ArrayList<>();
            // four series with fail, each a week later than the one before (overlapping on the shared dates) ...
            for (int i = 0; i < 4; i++) {
                String student = students.get(i);
                String first = day(3 + round + 7 * i) + "T" + (10 + round) + ":00";
                attempts.add(() -> inThread(() -> services.series().book(new SeriesService.SeriesRequest(f.instructor, lesson,
                        student, TimeInput.Arg.read(first), null, null, "FREQ=WEEKLY;COUNT=4", null, null,
                        SeriesService.ConflictMode.FAIL, null, false))));
            }
            // ... and four single bookings on those dates
            for (int i = 4; i < 8; i++) {
                String student = students.get(i);
                String single = day(3 + round + 7 * (i - 4)) + "T" + (10 + round) + ":00";
                attempts.add(() -> inThread(() -> services.holds().book(new BookRequest(f.instructor, lesson, student,
                        TimeInput.Arg.read(single), null, null, null, null, null))));
            }
            List<Integer> codes = race(attempts);
            assertTrue(codes.stream().allMatch(c -> c == 0 || c == 3), "booked or conflict: " + codes);
            assertTrue(codes.contains(0), "someone booked in round " + round + ": " + at + " " + codes);
            assertNoOverlap();
        }
        // a refused series left nothing behind: every series row has all its four occurrences
        assertEquals(0, count("""
                SELECT count(*) FROM appointment_series s
                 WHERE (SELECT count(*) FROM appointments a WHERE a.series_id = s.id) <> 4
                """));
    }

    private static int inThread(Runnable booking) {
        try {
            booking.run();
            return 0;
        } catch (SchedException e) {
            return Main.exitCode(e);
        }
    }
}
