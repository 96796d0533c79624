package org.schedctl.bench;

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
import java.util.function.LongConsumer;

import com.zaxxer.hikari.HikariDataSource;
import org.schedctl.config.Config;
import org.schedctl.domain.TimeInput;
import org.schedctl.service.HoldService;
import org.schedctl.service.SeriesService;
import org.schedctl.service.Services;
import org.schedctl.store.Database;

/**
 * Issue 16: lesson series through SeriesService.book (one transaction, book_series running the guard per
 * occurrence under the instructor's lock), in-process as the runtime role. A series is 40 daily occurrences at one
 * time of day; series n goes to instructor (37 n mod 200) + 1 at slot n / 200 of a 30-minute grid 08:00-20:00 UTC,
 * so no series meets a refusal. Figures: p50 of one series (1 booker), and with 16 concurrent bookers over 200
 * instructors occurrences/s beside single bookings/s (HoldService.book, 16 bookers, from day 45 on) in the same run.
 */
public final class SeriesScenario implements Scenario {
    static final int INSTRUCTORS = 200;
    static final int STUDENTS = 1000;
    static final int OCCURRENCES = 40;

    @Override
    public String name() {
        return "series";
    }

    @Override
    public String description() {
        return "40-occurrence series p50; occurrences/s with 16 series bookers over 200 instructors beside single bookings/s";
    }

    @Override
    public List<Figure> run(BenchContext ctx) throws Exception {
        int seconds = ctx.quick() ? 4 : 10;
        BenchContext.FreshDatabase db = ctx.freshDatabase("bench_series");
        SeedData.school(db, ctx.seed(), INSTRUCTORS, STUDENTS, 0, 0, false);
        SeedData.availableAllDayUtc(db);
        db.execute("VACUUM ANALYZE");
        Instant base = SeedData.firstDay().atTime(8, 0).toInstant(ZoneOffset.UTC);
        Instant singlesBase = base.plus(Duration.ofDays(OCCURRENCES + 5));
        HikariDataSource appPool = BenchContext.runtimePool(db, 40);
        Services services = Services.create(new Database(appPool, null, "bench"), Config.of(java.util.Map.of()), Clock.systemUTC());
        SeriesService series = services.series();
        HoldService holds = services.holds();
        AtomicLong seriesCounter = new AtomicLong();
        AtomicLong singleCounter = new AtomicLong();
        LongConsumer bookSeries = n -> {
            long slot = n / INSTRUCTORS;
            if (slot >= 24) {
                throw new IllegalStateException("the bench ran out of series slots");
            }
            int instructor = (int) ((37 * n) % INSTRUCTORS) + 1;
            Instant at = base.plus(Duration.ofMinutes(30 * slot));
            series.book(new SeriesService.SeriesRequest(SeedData.instructorEmail(instructor), SeedData.typeSlug(instructor),
                    String.format("s%05d@bench.test", n % STUDENTS + 1), TimeInput.Arg.of(at), null, null,
                    "FREQ=DAILY;COUNT=" + OCCURRENCES, null, null, SeriesService.ConflictMode.FAIL, null, false));
        };
        LongConsumer bookSingle = n -> {
            long slot = n / INSTRUCTORS;
            int instructor = (int) ((37 * n) % INSTRUCTORS) + 1;
            Instant at = singlesBase.plus(Duration.ofDays(slot / 24)).plus(Duration.ofMinutes(30 * (slot % 24)));
            holds.book(new HoldService.BookRequest(SeedData.instructorEmail(instructor), SeedData.typeSlug(instructor),
                    String.format("s%05d@bench.test", n % STUDENTS + 1), TimeInput.Arg.of(at), null, null, null, null, null));
        };
        run(bookSeries, seriesCounter, 2, Duration.ofSeconds(2)); // warm-up
        run(bookSingle, singleCounter, 2, Duration.ofSeconds(1));
        Run one = run(bookSeries, seriesCounter, 1, Duration.ofSeconds(seconds));
        Run sixteen = run(bookSeries, seriesCounter, 16, Duration.ofSeconds(seconds));
        Run singles = run(bookSingle, singleCounter, 16, Duration.ofSeconds(seconds));
        appPool.close();
        verify(db);

        double occurrences = sixteen.perSecond() * OCCURRENCES;
        List<Figure> figures = new ArrayList<>();
        figures.add(Figure.alone("p50 one 40-occurrence series (1 booker)", one.p(50), "ms", false, one.latencies.size())
                .withGoal("< 50 ms in-process (issue 16)", one.p(50) < 50)
                .withNote("p99 " + fmt(one.p(99)) + " ms; " + one.errors + " failed"));
        figures.add(Figure.rate("16 series bookers, 200 instructors", occurrences, "occurrences/s", singles.perSecond(),
                        "bookings/s", "16 single bookers (HoldService.book), same run", 1)
                .withNote(fmt(sixteen.perSecond()) + " series/s, p50 " + fmt(sixteen.p(50)) + " ms; " + sixteen.errors
                        + " failed series, " + singles.errors + " failed single bookings"));
        return figures;
    }

    private record Run(double seconds, List<Double> latencies, long errors) {
        double perSecond() {
            return latencies.size() / seconds;
        }

        double p(double percentile) {
            return Stats.percentile(latencies, percentile);
        }
    }

    private static Run run(LongConsumer booking, AtomicLong counter, int threads, Duration length) throws InterruptedException {
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
                    long t0 = System.nanoTime();
                    try {
                        booking.accept(n);
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
        return new Run(seconds, all, errors.get());
    }

    /** No two active appointments of an instructor overlap, and every series has all its occurrences. */
    private static void verify(BenchContext.FreshDatabase db) throws Exception {
        try (var c = db.pool().getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("""
                     SELECT (SELECT count(*) FROM appointments a JOIN appointments b ON a.instructor_id = b.instructor_id
                               AND a.id < b.id AND a.blocked && b.blocked AND a.session_key <> b.session_key
                             WHERE a.status IN ('pending', 'confirmed') AND b.status IN ('pending', 'confirmed')),
                            (SELECT count(*) FROM appointment_series s
                              WHERE (SELECT count(*) FROM appointments a WHERE a.series_id = s.id) <> %d)""".formatted(OCCURRENCES))) {
            rs.next();
            if (rs.getLong(1) != 0 || rs.getLong(2) != 0) {
                throw new IllegalStateException(rs.getLong(1) + " overlaps, " + rs.getLong(2) + " incomplete series");
            }
        }
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.2f", v);
    }
}
