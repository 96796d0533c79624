package org.schedctl.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.zaxxer.hikari.HikariDataSource;
import org.schedctl.config.Config;
import org.schedctl.domain.TimeInput;
import org.schedctl.service.HoldService;
import org.schedctl.service.Services;
import org.schedctl.store.Database;

/**
 * Bookings per second through HoldService.book, in-process (availability check, reference, outbox and audit
 * rows, one transaction each), with 1 and 16 concurrent bookers over 200 instructors; against pgbench running the
 * bare INSERT into a bare table with the same exclusion constraint, same client counts, same server, same run.
 *
 * <p>Both sides take conflict-free slots from one counter n: instructor (37 n mod 200) + 1, slot n / 200 on a
 * 30-minute grid 08:00-20:00 UTC from the first bench day, so neither pays for refusals and the two do the same
 * work per row the constraint is concerned with. p50/p99 are of single booking transactions, measured by the bookers.
 */
public final class BookScenario implements Scenario {
    static final int INSTRUCTORS = 200;
    static final int STUDENTS = 1000;

    @Override
    public String name() {
        return "book";
    }

    @Override
    public String description() {
        return "bookings/s with 1 and 16 bookers over 200 instructors vs pgbench bare INSERT; p50/p99";
    }

    @Override
    public List<Figure> run(BenchContext ctx) throws Exception {
        int seconds = ctx.quick() ? 5 : 10;
        BenchContext.FreshDatabase db = ctx.freshDatabase("bench_book");
        SeedData.school(db, ctx.seed(), INSTRUCTORS, STUDENTS, 0, 0, false);
        SeedData.availableAllDayUtc(db);
        db.execute("""
                CREATE TABLE bare_appointments (
                    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    instructor_id bigint NOT NULL, student_id bigint NOT NULL, status text NOT NULL,
                    blocked tstzrange NOT NULL, session_key text NOT NULL,
                    CONSTRAINT bare_no_overlap EXCLUDE USING gist (instructor_id WITH =, blocked WITH &&, session_key WITH <>)
                        WHERE (status IN ('held', 'pending', 'confirmed')))""",
                "CREATE SEQUENCE bare_slot",
                "VACUUM ANALYZE");
        Instant base = SeedData.firstDay().atTime(8, 0).toInstant(ZoneOffset.UTC);
        Path script = ctx.workDir(name()).resolve("bare_insert.sql");
        Files.writeString(script, """
                INSERT INTO bare_appointments (instructor_id, student_id, status, blocked, session_key)
                SELECT (37 * n) %% %d + 1, n %% %d + 1, 'confirmed',
                       tstzrange(t, t + interval '30 minutes', '[)'), 'a:' || n
                FROM (SELECT nextval('bare_slot') - 1 AS n) s,
                     LATERAL (SELECT timestamptz '%s' + ((n / %d) / 24) * interval '1 day'
                                     + ((n / %d) %% 24) * interval '30 minutes' AS t) x;
                """.formatted(INSTRUCTORS, STUDENTS, base, INSTRUCTORS, INSTRUCTORS));

        AtomicLong counter = new AtomicLong();
        // As the product runs: the runtime role under forced row-level security, acting as the operator's default
        // (the built-in administrator).
        HikariDataSource appPool = BenchContext.runtimePool(db, 40);
        Database database = new Database(appPool, null, "bench");
        HoldService service = Services.create(database, Config.of(java.util.Map.of()), Clock.systemUTC()).holds();
        // Warm-up: JIT, pool, statement caches.
        Run warm = runBookers(service, counter, base, 4, Duration.ofSeconds(2));

        List<Figure> figures = new ArrayList<>();
        Run one = runBookers(service, counter, base, 1, Duration.ofSeconds(seconds));
        double anchorOne = pgbench(ctx, db, script, 1, seconds);
        Run sixteen = runBookers(service, counter, base, 16, Duration.ofSeconds(seconds));
        double anchorSixteen = pgbench(ctx, db, script, 16, seconds);
        appPool.close();
        verify(db, counter.get() - warm.errors - one.errors - sixteen.errors);

        figures.add(Figure.rate("16 bookers, 200 instructors", sixteen.perSecond(), "bookings/s", anchorSixteen, "tx/s",
                        "pgbench -c 16 -j 2, bare INSERT, same EXCLUDE", 1)
                .withGoal("rate ratio >= 0.5 (issue 4)", sixteen.perSecond() / anchorSixteen >= 0.5)
                .withNote(sixteen.errors + " failed bookings; p50 " + fmt(sixteen.p(50)) + " ms, p99 " + fmt(sixteen.p(99)) + " ms under load"));
        figures.add(Figure.rate("1 booker, 200 instructors", one.perSecond(), "bookings/s", anchorOne, "tx/s",
                "pgbench -c 1, bare INSERT, same EXCLUDE", 1)
                .withNote(one.errors + " failed bookings"));
        figures.add(Figure.alone("p50 one booking transaction", one.p(50), "ms", false, one.latencies.size())
                .withGoal("< 5 ms in-process (issue 4)", one.p(50) < 5));
        figures.add(Figure.alone("p99 one booking transaction", one.p(99), "ms", false, one.latencies.size()));
        return figures;
    }

    private record Run(int threads, double seconds, List<Double> latencies, long errors) {
        double perSecond() {
            return latencies.size() / seconds;
        }

        double p(double percentile) {
            return Stats.percentile(latencies, percentile);
        }
    }

    private static Run runBookers(HoldService service, AtomicLong counter, Instant base, int threads, Duration length)
            throws InterruptedException {
        ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        AtomicLong errors = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> bookers = new ArrayList<>();
        long[] window = new long[2];
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                while (System.nanoTime() < window[1]) {
                    long n = counter.getAndIncrement();
                    long slot = n / INSTRUCTORS;
                    Instant at = base.plus(Duration.ofDays(slot / 24)).plus(Duration.ofMinutes(30 * (slot % 24)));
                    var request = new HoldService.BookRequest(SeedData.instructorEmail((int) ((37 * n) % INSTRUCTORS) + 1),
                            SeedData.typeSlug((int) ((37 * n) % INSTRUCTORS) + 1), String.format("s%05d@bench.test", n % STUDENTS + 1),
                            TimeInput.Arg.of(at), null, null, null, null, null);
                    long t0 = System.nanoTime();
                    try {
                        service.book(request);
                        latencies.add(Stats.millisSince(t0));
                    } catch (RuntimeException e) {
                        if (errors.incrementAndGet() == 1) {
                            System.err.println("bench: a booking failed: " + e);
                        }
                    }
                }
            });
            bookers.add(thread);
            thread.start();
        }
        window[0] = System.nanoTime();
        window[1] = window[0] + length.toNanos();
        start.countDown();
        for (Thread thread : bookers) {
            thread.join();
        }
        double seconds = (System.nanoTime() - window[0]) / 1e9;
        List<Double> all = new ArrayList<>(latencies);
        Collections.sort(all);
        return new Run(threads, seconds, all, errors.get());
    }

    private static double pgbench(BenchContext ctx, BenchContext.FreshDatabase db, Path script, int clients, int seconds) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("pgbench", "-n", "-c", String.valueOf(clients), "-j", String.valueOf(Math.min(clients, 2)),
                "-T", String.valueOf(seconds), "-f", script.toString()));
        cmd.addAll(List.of("-h", db.host(), "-p", String.valueOf(db.port()), "-U", db.user() == null ? "postgres" : db.user(), db.name()));
        BenchContext.ProcessResult result = ctx.run(cmd, ctx.libpqEnv(db)).orFail("pgbench -c " + clients);
        Matcher m = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)").matcher(result.stdout());
        if (!m.find()) {
            throw new IllegalStateException("cannot read pgbench's tps from: " + result.stdout());
        }
        if (result.stdout().contains("failed transactions: ") && !result.stdout().contains("failed transactions: 0 ")) {
            throw new IllegalStateException("pgbench had failed transactions: " + result.stdout());
        }
        return Double.parseDouble(m.group(1));
    }

    /** Every booking that returned is a row, and nothing overlaps (the constraint's job, checked anyway). */
    private static void verify(BenchContext.FreshDatabase db, long attemptedMinusFailed) throws Exception {
        try (var c = db.pool().getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("""
                     SELECT (SELECT count(*) FROM appointments WHERE status IN ('pending', 'confirmed')),
                            (SELECT count(*) FROM appointments a JOIN appointments b ON a.instructor_id = b.instructor_id
                               AND a.id < b.id AND a.blocked && b.blocked AND a.session_key <> b.session_key
                             WHERE a.status IN ('pending', 'confirmed') AND b.status IN ('pending', 'confirmed'))""")) {
            rs.next();
            if (rs.getLong(1) != attemptedMinusFailed || rs.getLong(2) != 0) {
                throw new IllegalStateException(rs.getLong(1) + " active appointments for " + attemptedMinusFailed
                        + " successful bookings, " + rs.getLong(2) + " overlaps");
            }
        }
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.2f", v);
    }
}
