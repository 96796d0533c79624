package org.schedctl.bench;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 13's calendar figures. `export ics` of 10k, 100k (and, without --quick, 1M) appointments of one instructor
 * with the JVM capped at -Xmx256m: time and peak resident memory (GNU time's maximum RSS), against the anchor
 * `psql \copy (SELECT the same rows) TO file` as CSV. And `import ics` of a 20,000-event file (goal: under 5 s).
 * Appointments are seeded with triggers off (session_replication_role = replica); the exports run as the runtime role.
 */
public final class CalendarScenario implements Scenario {
    private static final Pattern MAX_RSS = Pattern.compile("Maximum resident set size \\(kbytes\\): (\\d+)");

    @Override
    public String name() {
        return "calendar";
    }

    @Override
    public String description() {
        return "export ics of 10k/100k/1M appointments at -Xmx256m vs psql \\copy TO; import ics of 20k events";
    }

    @Override
    public List<Figure> run(BenchContext ctx) throws Exception {
        ctx.requireCommand("issue 13 (calendar)", "calendar", "list");
        List<Figure> figures = new ArrayList<>();
        int[] counts = ctx.quick() ? new int[] {10_000, 100_000} : new int[] {10_000, 100_000, 1_000_000};
        for (int count : counts) {
            figures.add(export(ctx, count));
        }
        figures.add(importIcs(ctx, 20_000));
        return figures;
    }

    private static void seed(BenchContext.FreshDatabase db, int appointments) throws Exception {
        db.execute("SET session_replication_role = replica",
                "INSERT INTO users (email, name, role, timezone) VALUES ('teacher@bench.test', 'Teacher', 'instructor', 'America/New_York'),"
                        + " ('student@bench.test', 'Student', 'student', 'Europe/Berlin')",
                "INSERT INTO appointment_types (instructor_id, name, slug, duration) SELECT id, 'Lesson', 'lesson', interval '1 hour'"
                        + " FROM users WHERE email = 'teacher@bench.test'",
                "INSERT INTO appointments (reference, instructor_id, student_id, type_id, status, starts_at, ends_at, timezone, price, currency, blocked, session_key)"
                        + " SELECT translate(lpad(n::text, 8, '0'), '0123456789', 'ABCDEFGHJK'), i.id, s.id, t.id, 'confirmed',"
                        + " timestamptz '2027-01-04 14:00Z' + n * interval '90 minutes', timestamptz '2027-01-04 15:00Z' + n * interval '90 minutes',"
                        + " 'America/New_York', 40, 'USD', tstzrange(timestamptz '2027-01-04 14:00Z' + n * interval '90 minutes',"
                        + " timestamptz '2027-01-04 15:00Z' + n * interval '90 minutes'), 'seed:' || n"
                        + " FROM users i, users s, appointment_types t, generate_series(1, " + appointments + ") n"
                        + " WHERE i.email = 'teacher@bench.test' AND s.email = 'student@bench.test' AND t.slug = 'lesson'",
                "SET session_replication_role = origin");
    }

    private Figure export(BenchContext ctx, int count) throws Exception {
        BenchContext.FreshDatabase db = ctx.freshDatabase("bench_calendar");
        try {
            seed(db, count);
            Path out = ctx.workDir(name()).resolve("export-" + count + ".ics");
            Map<String, String> env = ctx.cliEnv(db);
            env.put("SCHEDCTL_JAVA_OPTS", "-Xmx256m");
            List<String> cmd = new ArrayList<>(List.of("/usr/bin/time", "-v"));
            cmd.addAll(ctx.schedctl("-q", "export", "ics", "--instructor", "teacher@bench.test", "-f", out.toString()));
            List<Double> ours = new ArrayList<>();
            long rss = 0;
            for (int run = 0; run < 3; run++) {
                BenchContext.ProcessResult r = ctx.run(cmd, env).orFail("schedctl export ics (" + count + ")");
                ours.add(r.millis());
                Matcher m = MAX_RSS.matcher(r.stderr());
                if (m.find()) {
                    rss = Math.max(rss, Long.parseLong(m.group(1)));
                }
            }
            long events;
            try (var lines = Files.lines(out)) {
                events = lines.filter("BEGIN:VEVENT"::equals).count();
            }
            if (events != count) {
                throw new IllegalStateException("export ics wrote " + events + " events of " + count);
            }
            Path csv = ctx.workDir(name()).resolve("anchor-" + count + ".csv");
            List<String> psql = new ArrayList<>(List.of("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"));
            psql.addAll(db.libpqArgs());
            psql.addAll(List.of("-c", "\\copy (SELECT a.reference, a.status, a.starts_at, a.ends_at, a.timezone, a.notes"
                    + " FROM appointments a JOIN users i ON i.id = a.instructor_id WHERE i.email = 'teacher@bench.test'"
                    + " ORDER BY a.starts_at) TO '" + csv + "' WITH (FORMAT csv)"));
            List<Double> anchor = new ArrayList<>();
            for (int run = 0; run < 3; run++) {
                anchor.add(ctx.run(psql, ctx.libpqEnv(db)).orFail("psql \\copy TO").millis());
            }
            Figure f = Figure.time("export ics, " + count + " appointments, -Xmx256m (process)", Stats.median(ours),
                    Stats.median(anchor), "psql \\copy (SELECT …) TO csv", 3)
                    .withNote("peak RSS " + (rss / 1024) + " MB");
            return count == 100_000 ? f.withGoal("< 5 s", Stats.median(ours) < 5000) : f;
        } finally {
            ctx.drop(db);
        }
    }

    private Figure importIcs(BenchContext ctx, int events) throws Exception {
        Path file = ctx.workDir(name()).resolve("import-" + events + ".ics");
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n");
            java.time.Instant start = java.time.Instant.now().plus(java.time.Duration.ofDays(1));
            java.time.format.DateTimeFormatter utc = java.time.format.DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'")
                    .withZone(java.time.ZoneOffset.UTC);
            for (int i = 0; i < events; i++) {
                java.time.Instant from = start.plus(java.time.Duration.ofMinutes(25L * i));
                w.write("BEGIN:VEVENT\r\nUID:bench-" + i + "@example.org\r\nDTSTAMP:20270101T000000Z\r\nCREATED:20270101T000000Z\r\n"
                        + "DTSTART:" + utc.format(from) + "\r\nDTEND:" + utc.format(from.plus(java.time.Duration.ofMinutes(20)))
                        + "\r\nSUMMARY:Busy " + i + "\r\nDESCRIPTION:A meeting\r\nEND:VEVENT\r\n");
            }
            w.write("END:VCALENDAR\r\n");
        }
        List<Double> ours = new ArrayList<>();
        for (int run = 0; run < 3; run++) {
            BenchContext.FreshDatabase db = ctx.freshDatabase("bench_calendar_import");
            try {
                db.execute("INSERT INTO users (email, name, role, timezone) VALUES ('teacher@bench.test', 'Teacher', 'instructor', 'America/New_York')");
                ours.add(ctx.run(ctx.schedctl("-q", "-o", "json", "import", "ics", file.toString(), "--instructor", "teacher@bench.test"),
                        ctx.cliEnv(db)).orFail("schedctl import ics (" + events + " events)").millis());
            } finally {
                ctx.drop(db);
            }
        }
        return Figure.alone("import ics, " + events + " events (process)", Stats.median(ours), "ms", false, 3)
                .withGoal("< 5 s", Stats.median(ours) < 5000);
    }
}
