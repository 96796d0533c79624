package org.schedctl.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.zaxxer.hikari.HikariDataSource;
import org.schedctl.domain.availability.Slot;
import org.schedctl.service.AvailabilityService;
import org.schedctl.service.SlotFinder;
import org.schedctl.store.Database;

/**
 * Free slots from the one slot lister, the SQL get_available_slots_comprehensive, called in-process as the product
 * calls it (AvailabilityService for `availability slots`, SlotFinder for many instructors in one call), as the
 * runtime role under row-level security: one instructor over 31 days; 500 instructors over 31 days holding 20,000
 * appointments; and the growth
 * from 50 to 500 to 5,000 instructors at the same density. Anchor: the bare SQL the work cannot avoid, reading the
 * same instructors' appointments in the same range over JDBC (a slot list is at least as costly as knowing what is
 * booked). Data: the seed's school, MON-FRI 09:00-17:00 local in four zones, 30-minute type, 40 appointments each.
 */
public final class SlotsScenario implements Scenario {
    private static final int DAYS = 31;
    private static final int APPOINTMENTS_EACH = 40;

    @Override
    public String name() {
        return "slots";
    }

    @Override
    public String description() {
        return "free slots: 1 instructor x 31 days, 500 x 31 days with 20k appointments, growth 50/500/5000";
    }

    @Override
    public List<Figure> run(BenchContext ctx) throws Exception {
        LocalDate first = SeedData.firstDay();
        Instant from = first.atStartOfDay().toInstant(ZoneOffset.UTC);
        Instant to = from.plus(Duration.ofDays(DAYS));
        Instant now = from.minus(Duration.ofDays(1));
        List<Figure> figures = new ArrayList<>();

        BenchContext.FreshDatabase db = ctx.freshDatabase("bench_slots");
        SeedData.school(db, ctx.seed(), 500, 1000, APPOINTMENTS_EACH, DAYS);
        // The service runs as the product does: the runtime role, under forced row-level security.
        HikariDataSource appPool = BenchContext.runtimePool(db, 8);
        Database appDb = new Database(appPool, null, "bench");
        AvailabilityService service = new AvailabilityService(appDb);
        SlotFinder finder = new SlotFinder(appDb);
        long appointments = scalar(db, "SELECT count(*) FROM appointments");

        // One instructor, as `availability slots` asks: resolve names, load, compute.
        String email = SeedData.instructorEmail(1);
        String slug = SeedData.typeSlug(1);
        String toDay = first.plusDays(DAYS - 1).toString();
        int[] count = new int[1];
        Sample one = sample(20, 50, () -> count[0] = service.slots(email, slug, org.schedctl.domain.Checked.of(first), org.schedctl.domain.Checked.of(java.time.LocalDate.parse(toDay)), org.schedctl.domain.Checked.of(java.time.ZoneOffset.UTC), now).slots().size());
        long id1 = scalar(db, "SELECT id FROM users WHERE email = '" + email + "'");
        Sample oneAnchor = sample(20, 50, () -> readAppointments(db, List.of(id1), from, to));
        figures.add(Figure.time("1 instructor x 31 days", one.median(), oneAnchor.median(), "SELECT its appointments in range", one.runs())
                .withGoal("< 20 ms in-process (issue 3)", one.median() < 20)
                .withNote(count[0] + " slots"));

        List<Long> ids500 = ids(db, 500);
        Sample many = sample(2, ctx.quick() ? 5 : 7, () -> total(finder.slots(ids500, null, from, to, now)));
        Sample manyAnchor = sample(2, ctx.quick() ? 5 : 7, () -> readAppointments(db, ids500, from, to));
        figures.add(Figure.time("500 instructors x 31 days", many.median(), manyAnchor.median(), "SELECT their appointments in range", many.runs())
                .withGoal("< 2000 ms (issue 3)", many.median() < 2000)
                .withNote(appointments + " appointments in the database"));

        appPool.close();
        ctx.drop(db);

        // Growth at constant density: 50, 500, 5,000 instructors of one database.
        int largest = ctx.quick() ? 500 : 5000;
        BenchContext.FreshDatabase big = ctx.freshDatabase("bench_slots_growth");
        SeedData.school(big, ctx.seed(), largest, 1000, APPOINTMENTS_EACH, DAYS);
        HikariDataSource bigPool = BenchContext.runtimePool(big, 8);
        SlotFinder bigFinder = new SlotFinder(new Database(bigPool, null, "bench"));
        double previous = 0;
        int previousN = 0;
        for (int n : ctx.quick() ? new int[] {50, 500} : new int[] {50, 500, 5000}) {
            List<Long> ids = ids(big, n);
            Sample s = sample(1, n >= 5000 ? 3 : 5, () -> total(bigFinder.slots(ids, null, from, to, now)));
            Sample a = sample(1, n >= 5000 ? 3 : 5, () -> readAppointments(big, ids, from, to));
            Figure f = Figure.time(n + " instructors x 31 days", s.median(), a.median(), "SELECT their appointments in range", s.runs());
            if (previousN > 0) {
                double growth = s.median() / previous;
                double expected = (double) n / previousN;
                f = f.withNote(String.format(java.util.Locale.ROOT, "growth x%.1f for x%.0f instructors (linear: x%.0f)", growth, expected, expected))
                        .withGoal("grows about linearly (<= 1.5 x linear)", growth <= 1.5 * expected);
            }
            figures.add(f);
            previous = s.median();
            previousN = n;
        }
        bigPool.close();
        return figures;
    }

    private record Sample(List<Double> millis) {
        double median() {
            return Stats.median(millis);
        }

        int runs() {
            return millis.size();
        }
    }

    private static Sample sample(int warmups, int runs, Callable<?> work) throws Exception {
        for (int i = 0; i < warmups; i++) {
            work.call();
        }
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            work.call();
            ms.add(Stats.millisSince(t0));
        }
        return new Sample(ms);
    }

    private static int total(Map<Long, List<Slot>> slots) {
        return slots.values().stream().mapToInt(List::size).sum();
    }

    private static List<Long> ids(BenchContext.FreshDatabase db, int n) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (Connection c = db.pool().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id FROM users WHERE role = 'instructor' AND email LIKE '%@bench.test' ORDER BY email LIMIT ?")) {
            ps.setInt(1, n);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    private static int readAppointments(BenchContext.FreshDatabase db, List<Long> ids, Instant from, Instant to) throws Exception {
        int rows = 0;
        try (Connection c = db.pool().getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     SELECT instructor_id, starts_at, ends_at, blocked FROM appointments
                     WHERE instructor_id = ANY(?) AND starts_at < ? AND ends_at > ? AND status IN ('held', 'pending', 'confirmed')""")) {
            ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            ps.setTimestamp(2, Timestamp.from(to));
            ps.setTimestamp(3, Timestamp.from(from));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rs.getObject(2, java.time.OffsetDateTime.class);
                    rows++;
                }
            }
        }
        return rows;
    }

    private static long scalar(BenchContext.FreshDatabase db, String sql) throws Exception {
        try (Connection c = db.pool().getConnection(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
