package org.schedctl.bench;

import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import org.schedctl.service.AvailabilityImportService;
import org.schedctl.store.Database;

/**
 * `schedctl availability import FILE` of 100,000 (and, without --quick, 1,000,000) availability CSV rows (CLI.md's
 * columns) against `psql \copy` of the same file into a bare table with the same columns, typed, no constraints.
 * Each run, ours and the anchor's, gets its own fresh database with the file's instructors already in it.
 * Two figures for ours: the import service inside the bench JVM (warmed on another file; the goal is judged on this
 * one), and the CLI process end to end, JVM start included, as an operator runs it. The anchor includes psql's start.
 */
public final class ImportScenario implements Scenario {
    static final String HEADER = "instructor,kind,day,start_time,end_time,timezone,effective_from,effective_until,type,start_at,end_at,rrule,reason";
    private static final String[] DAYS = {"MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"};
    private static final String[][] RANGES = {{"08:00", "10:00"}, {"10:30", "12:00"}, {"13:00", "15:00"}, {"15:30", "17:00"}};
    static final int ROWS_PER_INSTRUCTOR = 100;

    @Override
    public String name() {
        return "import";
    }

    @Override
    public String description() {
        return "availability import of 100k (and 1M) CSV rows vs psql \\copy into a bare table";
    }

    @Override
    public List<Figure> run(BenchContext ctx) throws Exception {
        ctx.requireCommand("issue 3 (availability)", "availability", "import");
        List<Figure> figures = new ArrayList<>();
        // Warm the JVM on a different, smaller file, so the in-process figure is a warm JVM's first import of its file.
        Path warm = ctx.workDir(name()).resolve("availability-warmup.csv");
        writeCsv(warm, 100, ctx.seed() + 1);
        for (int i = 0; i < 3; i++) {
            BenchContext.FreshDatabase db = ctx.freshDatabase("bench_import_warm");
            SeedData.school(db, ctx.seed() + 1, 100, 0, 0, 0, false);
            inProcess(db, warm, new PhaseTimes());
            ctx.drop(db);
        }
        figures.addAll(measure(ctx, 100_000, 3, true));
        if (!ctx.quick()) {
            figures.addAll(measure(ctx, 1_000_000, 1, false));
        }
        return figures;
    }

    /** Times between the import's progress reports: how long each phase took, in report order. */
    static final class PhaseTimes implements AvailabilityImportService.Progress {
        final Map<String, Double> millis = new LinkedHashMap<>();
        private String phase;
        private long since;

        @Override
        public void report(String next, double fraction) {
            long t = System.nanoTime();
            if (phase != null) {
                millis.merge(phase, (t - since) / 1e6, Double::sum);
            }
            phase = next;
            since = t;
        }

        void end() {
            report(null, 1);
        }
    }

    private static AvailabilityImportService.ImportResult inProcess(BenchContext.FreshDatabase db, Path csv, PhaseTimes phases)
            throws Exception {
        // As the CLI runs it: the runtime role, under forced row-level security.
        try (HikariDataSource appPool = BenchContext.runtimePool(db, 2);
             InputStream in = new BufferedInputStream(Files.newInputStream(csv), 1 << 16)) {
            AvailabilityImportService service = new AvailabilityImportService(new Database(appPool, null, "availability import"));
            AvailabilityImportService.ImportResult result = service.importCsv(in, csv.toString(), false, false, Instant.now(), phases);
            phases.report("commit", 1);
            return result;
        }
    }

    private List<Figure> measure(BenchContext ctx, int rows, int runs, boolean withInProcess) throws Exception {
        int instructors = rows / ROWS_PER_INSTRUCTOR;
        Path csv = ctx.workDir(name()).resolve("availability-" + rows + ".csv");
        int[] kinds = writeCsv(csv, instructors, ctx.seed());
        List<Double> ours = new ArrayList<>();
        List<Double> inProcess = new ArrayList<>();
        List<Double> anchor = new ArrayList<>();
        Map<String, List<Double>> phaseRuns = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        for (int run = 0; run < runs; run++) {
            BenchContext.FreshDatabase db = ctx.freshDatabase("bench_import");
            SeedData.school(db, ctx.seed(), instructors, 0, 0, 0, false);
            BenchContext.ProcessResult result = ctx.run(ctx.schedctl("-q", "-o", "json", "availability", "import", csv.toString()),
                    ctx.cliEnv(db)).orFail("schedctl availability import (" + rows + " rows)");
            JsonNode doc = json.readTree(result.stdout());
            check(db, doc.path("rows").asLong(-1), rows, kinds);
            ours.add(rows / (result.millis() / 1000));
            ctx.drop(db);

            if (withInProcess) {
                BenchContext.FreshDatabase fresh = ctx.freshDatabase("bench_import");
                SeedData.school(fresh, ctx.seed(), instructors, 0, 0, 0, false);
                PhaseTimes phases = new PhaseTimes();
                long start = System.nanoTime();
                AvailabilityImportService.ImportResult imported = inProcess(fresh, csv, phases);
                double millis = (System.nanoTime() - start) / 1e6;
                phases.end();
                if (!imported.ok()) {
                    throw new IllegalStateException("in-process import failed: " + imported.errors());
                }
                check(fresh, imported.rows(), rows, kinds);
                inProcess.add(rows / (millis / 1000));
                phases.millis.forEach((phase, ms) -> phaseRuns.computeIfAbsent(phase, k -> new ArrayList<>()).add(ms));
                ctx.drop(fresh);
            }

            BenchContext.FreshDatabase bare = ctx.freshDatabase("bench_import_bare");
            bare.execute("""
                    CREATE TABLE bare_availability (instructor text, kind text, day text, start_time time, end_time time,
                        timezone text, effective_from date, effective_until date, type text, start_at timestamp,
                        end_at timestamp, rrule text, reason text)""");
            List<String> psql = new ArrayList<>(List.of("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"));
            psql.addAll(bare.libpqArgs());
            psql.addAll(List.of("-c", "\\copy bare_availability FROM '" + csv + "' WITH (FORMAT csv, HEADER true)"));
            BenchContext.ProcessResult copy = ctx.run(psql, ctx.libpqEnv(bare)).orFail("psql \\copy");
            if (count(bare, "SELECT count(*) FROM bare_availability") != rows) {
                throw new IllegalStateException("psql \\copy did not load " + rows + " rows");
            }
            anchor.add(rows / (copy.millis() / 1000));
            ctx.drop(bare);
        }
        String goal = "rate ratio >= 0.5 (issue 3)";
        List<Figure> figures = new ArrayList<>();
        double anchorRate = Stats.median(anchor);
        if (withInProcess) {
            StringBuilder breakdown = new StringBuilder();
            phaseRuns.forEach((phase, ms) -> breakdown.append(breakdown.length() == 0 ? "" : ", ")
                    .append(String.format("%s %.0f ms", phase, Stats.median(ms))));
            Figure in = Figure.rate(String.format("%,d rows (in-process)", rows), Stats.median(inProcess), "rows/s",
                            anchorRate, "rows/s", "psql \\copy into a bare table", runs)
                    .withNote(String.format("import service in the bench JVM (warm), fresh database, %.2f s per file; phases: %s",
                            rows / Stats.median(inProcess), breakdown));
            figures.add(in.withGoal(goal, in.ratio() != null && in.ratio() >= 0.5));
        }
        figures.add(Figure.rate(String.format("%,d rows (process, JVM start included)", rows), Stats.median(ours), "rows/s",
                        anchorRate, "rows/s", "psql \\copy into a bare table", runs)
                .withNote(String.format("ours %.1f s, anchor %.1f s per file (medians, process start included: JVM start (see "
                                + "`startup`) and JIT warm-up are a cost per process, not per row); %d weekly rows, %d blocks",
                        rows / Stats.median(ours), rows / anchorRate, kinds[0], kinds[1])));
        return figures;
    }

    private static void check(BenchContext.FreshDatabase db, long reported, int rows, int[] kinds) throws Exception {
        long weekly = count(db, "SELECT count(*) FROM instructor_availability");
        long blocks = count(db, "SELECT count(*) FROM time_blocks");
        if (reported != rows || weekly != kinds[0] || blocks != kinds[1]) {
            throw new IllegalStateException("import reported rows=" + reported + " and stored " + weekly + " weekly patterns and "
                    + blocks + " blocks; expected " + rows + ", " + kinds[0] + " and " + kinds[1]);
        }
    }

    private static long count(BenchContext.FreshDatabase db, String sql) throws Exception {
        try (var c = db.pool().getConnection(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * 100 rows per instructor: 56 weekly ranges (4 disjoint ranges a day, 7 days, two half-years) and 44 blocks on
     * distinct days (available and unavailable, 4 of them weekly RRULEs). Nothing overlaps, so every row is a row
     * stored. Returns {weekly rows, block rows}.
     */
    static int[] writeCsv(Path csv, int instructors, long seed) throws Exception {
        Random random = new Random(seed);
        int weekly = 0;
        int blocks = 0;
        LocalDate base = LocalDate.of(2027, 1, 4);
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            w.write(HEADER);
            w.write('\n');
            for (int i = 1; i <= instructors; i++) {
                String who = SeedData.instructorEmail(i);
                String zone = SeedData.ZONES[random.nextInt(SeedData.ZONES.length)];
                String[][] halves = {{"2027-01-01", "2027-06-30"}, {"2027-07-01", "2027-12-31"}};
                for (String[] half : halves) {
                    for (String day : DAYS) {
                        for (String[] range : RANGES) {
                            w.write(String.join(",", who, "weekly", day, range[0], range[1], zone, half[0], half[1], "", "", "", "", ""));
                            w.write('\n');
                            weekly++;
                        }
                    }
                }
                for (int k = 0; k < 44; k++) {
                    boolean recurring = k < 4;
                    String kind = k % 2 == 0 ? "unavailable" : "available";
                    LocalDate day = recurring ? base.plusDays(k) : base.plusDays(7L * k + random.nextInt(7));
                    String start = recurring ? "06:00" : (random.nextBoolean() ? "18:00" : "19:00");
                    String end = recurring ? "07:00" : (start.equals("18:00") ? "18:45" : "20:30");
                    String rrule = recurring ? "FREQ=WEEKLY;COUNT=8" : "";
                    w.write(String.join(",", who, kind, "", "", "", zone, "", "", "", day + "T" + start, day + "T" + end, rrule,
                            "\"bench block " + k + ", seed " + seed + "\""));
                    w.write('\n');
                    blocks++;
                }
            }
        }
        return new int[] {weekly, blocks};
    }
}
