package org.schedctl.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * `schedctl db backup` and `db restore` of a school with 100,000 (--quick) or 1,000,000 appointments against
 * `pg_dump -Fc` and `pg_restore` of the same database (the local service's client tools: run with --db on a server
 * they support), each as a process, JVM start included; and `schedctl fsck` of that school. Every restore, ours
 * and the anchor's, goes into its own new, empty database; ours then migrates, as the anchor recreates the schema.
 */
public final class BackupScenario implements Scenario {
    @Override
    public String name() {
        return "backup";
    }

    @Override
    public String description() {
        return "db backup / db restore of 100k (or 1M) appointments vs pg_dump -Fc / pg_restore; fsck of that school";
    }

    @Override
    public List<Figure> run(BenchContext ctx) throws Exception {
        ctx.requireCommand("issue 18 (data safety)", "db", "backup");
        int instructors = ctx.quick() ? 1_000 : 2_000;
        int perInstructor = ctx.quick() ? 100 : 500;
        int days = ctx.quick() ? 14 : 60;
        int runs = 3;
        Path dir = ctx.workDir(name());
        BenchContext.FreshDatabase school = ctx.freshDatabase("bench_backup");
        SeedData.school(school, ctx.seed(), instructors, instructors * 2, perInstructor, days);
        long appointments = count(school, "SELECT count(*) FROM appointments");

        List<Double> ourBackup = new ArrayList<>();
        List<Double> dumpMs = new ArrayList<>();
        List<Double> ourRestore = new ArrayList<>();
        List<Double> restoreMs = new ArrayList<>();
        long ourBytes = 0;
        long dumpBytes = 0;
        for (int run = 0; run < runs; run++) {
            Path ours = dir.resolve("school.zip");
            Files.deleteIfExists(ours);
            ourBackup.add(ctx.run(ctx.schedctl("-q", "db", "backup", "-f", ours.toString()), ctx.cliEnv(school)).orFail("schedctl db backup").millis());
            ourBytes = Files.size(ours);
            Path dump = dir.resolve("school.dump");
            Files.deleteIfExists(dump);
            List<String> pgDump = new ArrayList<>(List.of("pg_dump", "-Fc", "-f", dump.toString()));
            pgDump.addAll(school.libpqArgs());
            dumpMs.add(ctx.run(pgDump, ctx.libpqEnv(school)).orFail("pg_dump -Fc").millis());
            dumpBytes = Files.size(dump);

            BenchContext.FreshDatabase target = ctx.emptyDatabase("bench_restore");
            ourRestore.add(ctx.run(ctx.schedctl("-q", "db", "restore", ours.toString()), ctx.cliEnv(target)).orFail("schedctl db restore").millis());
            if (count(target, "SELECT count(*) FROM appointments") != appointments) {
                throw new IllegalStateException("db restore did not restore " + appointments + " appointments");
            }
            ctx.drop(target);
            BenchContext.FreshDatabase anchor = ctx.emptyDatabase("bench_restore_anchor");
            List<String> pgRestore = new ArrayList<>(List.of("pg_restore", "--exit-on-error"));
            pgRestore.addAll(anchor.libpqArgs());
            pgRestore.add(dump.toString());
            restoreMs.add(ctx.run(pgRestore, ctx.libpqEnv(anchor)).orFail("pg_restore").millis());
            if (count(anchor, "SELECT count(*) FROM appointments") != appointments) {
                throw new IllegalStateException("pg_restore did not restore " + appointments + " appointments");
            }
            ctx.drop(anchor);
        }
        List<Double> fsck = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            BenchContext.ProcessResult r = ctx.run(ctx.schedctl("-q", "-o", "json", "fsck"), ctx.cliEnv(school));
            if (r.exitCode() != 0) {
                throw new IllegalStateException("fsck of the seeded school found violations or failed: " + r.stdout() + r.stderr());
            }
            fsck.add(r.millis());
        }
        ctx.drop(school);

        String size = String.format("%,d appointments", appointments);
        String goal = "time within 2x of the anchor (issue 18)";
        Figure backup = Figure.time("backup, " + size, Stats.median(ourBackup), Stats.median(dumpMs), "pg_dump -Fc", runs)
                .withNote(String.format("process, JVM start included; file %.1f MB (pg_dump -Fc %.1f MB)", ourBytes / 1e6, dumpBytes / 1e6));
        Figure restore = Figure.time("restore, " + size, Stats.median(ourRestore), Stats.median(restoreMs), "pg_restore", runs)
                .withNote("into a new, empty database; ours verifies every checksum first, loads in one transaction, then migrates");
        Figure check = Figure.alone("fsck, " + size, Stats.median(fsck), "ms", false, runs);
        return List.of(backup.withGoal(goal, backup.ratio() <= 2), restore.withGoal(goal, restore.ratio() <= 2),
                check.withGoal("under 30 s (issue 18)", Stats.median(fsck) < 30_000));
    }

    private static long count(BenchContext.FreshDatabase db, String sql) throws Exception {
        try (var c = db.pool().getConnection(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
