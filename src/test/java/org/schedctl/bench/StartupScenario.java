package org.schedctl.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Wall time of `scripts/schedctl --version` and of a warm read command, against an empty Java Hello World started
 * with the very JVM flags of scripts/schedctl (read from the script, class-data-sharing archive included), so the
 * ratio shows what schedctl adds on top of the JVM. The read command is `appointments list --instructor X` once that
 * command exists, `user list` before. In the embedded default the CLI takes the operator's path (no URL, the server
 * found through $SCHEDCTL_HOME); with --db it is given the fresh database's URL.
 */
public final class StartupScenario implements Scenario {
    @Override
    public String name() {
        return "startup";
    }

    @Override
    public String description() {
        return "schedctl --version and a warm read command vs an empty java Hello World, same JVM flags";
    }

    @Override
    public List<Figure> run(BenchContext ctx) throws Exception {
        int runs = ctx.quick() ? 10 : 20;
        Path work = ctx.workDir(name());
        List<String> hello = helloCommand(ctx, work);

        // The embedded default's own database, made fresh: the CLI creates and migrates it on first use.
        BenchContext.FreshDatabase db = ctx.freshDatabase(ctx.isEmbedded() ? "schedctl" : "bench_startup");
        Map<String, String> env = ctx.cliEnv(ctx.isEmbedded() ? null : db);
        SeedData.school(db, ctx.seed(), 1, 200, 300, 62);
        String instructor = SeedData.instructorEmail(1);

        boolean appointmentsList = ctx.hasCommand("appointments", "list");
        List<String> read = appointmentsList
                ? ctx.schedctl("-o", "json", "appointments", "list", "--instructor", instructor)
                : ctx.schedctl("-o", "json", "user", "list");
        String readName = appointmentsList ? "appointments list --instructor X" : "user list (appointments list not on this branch)";
        List<String> version = ctx.schedctl("--version");

        // Warm-up: builds the CDS archives (schedctl's and Hello's) and fills the OS page cache.
        for (int i = 0; i < 3; i++) {
            ctx.run(hello, env).orFail("java Hello");
            ctx.run(version, env).orFail("schedctl --version");
            ctx.run(read, env).orFail(String.join(" ", read));
        }
        List<Double> helloMs = new ArrayList<>();
        List<Double> versionMs = new ArrayList<>();
        List<Double> readMs = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            helloMs.add(ctx.run(hello, env).orFail("java Hello").millis());
            versionMs.add(ctx.run(version, env).orFail("schedctl --version").millis());
            readMs.add(ctx.run(read, env).orFail(readName).millis());
        }
        double helloMedian = Stats.median(helloMs);
        String anchor = "java Hello World, same flags";

        // The same read through psql -c: what a warm read costs without a JVM (issue 14's goal: <= 4x).
        List<String> psql = new ArrayList<>(List.of("psql", "-X", "-q", "-A", "-t"));
        psql.addAll(db.libpqArgs());
        psql.addAll(List.of("-c", appointmentsList
                ? "SELECT json_agg(a) FROM appointments a JOIN users u ON u.id = a.instructor_id WHERE u.email = '" + instructor + "'"
                : "SELECT json_agg(u) FROM users u"));
        Map<String, String> psqlEnv = ctx.libpqEnv(db);
        List<Double> psqlMs = new ArrayList<>();
        ctx.run(psql, psqlEnv).orFail("psql -c");
        for (int i = 0; i < runs; i++) {
            psqlMs.add(ctx.run(psql, psqlEnv).orFail("psql -c").millis());
        }

        // A command inside `schedctl batch`: (a batch of 1+K reads - a batch of 1 read) / K (goal: <= 30 ms median).
        int k = 20;
        List<String> readArgs = read.subList(1, read.size());
        Path one = work.resolve("batch-1.txt");
        Path many = work.resolve("batch-" + (k + 1) + ".txt");
        Files.writeString(one, String.join(" ", readArgs) + "\n");
        Files.writeString(many, (String.join(" ", readArgs) + "\n").repeat(k + 1));
        List<String> batchOne = ctx.schedctl("batch", "-f", one.toString());
        List<String> batchMany = ctx.schedctl("batch", "-f", many.toString());
        ctx.run(batchMany, env).orFail("schedctl batch");
        List<Double> perCommand = new ArrayList<>();
        for (int i = 0; i < Math.max(5, runs / 2); i++) {
            double t1 = ctx.run(batchOne, env).orFail("schedctl batch (1 line)").millis();
            double tk = ctx.run(batchMany, env).orFail("schedctl batch (" + (k + 1) + " lines)").millis();
            perCommand.add(Math.max(0, (tk - t1) / k));
        }
        return List.of(
                Figure.time(readName + " vs psql -c", Stats.median(readMs), Stats.median(psqlMs), "psql -c, the same rows as JSON", runs)
                        .withNote("goal <= 4x"),
                Figure.alone("one command inside schedctl batch", Stats.median(perCommand), "ms", false, perCommand.size())
                        .withNote("(batch of " + (k + 1) + " - batch of 1) / " + k + ", median; goal <= 30 ms"),
                Figure.time("schedctl --version", Stats.median(versionMs), helloMedian, anchor, runs),
                Figure.time(readName, Stats.median(readMs), helloMedian, anchor, runs)
                        .withNote("p90 " + Math.round(Stats.percentile(readMs, 90)) + " ms; "
                                + (appointmentsList ? "300 appointments of one instructor, " : "201 users, ")
                                + (ctx.isEmbedded() ? "embedded default, server already running" : "database via --db")));
    }

    /** Compiles an empty Hello World to target/bench/startup and returns the command that runs it like schedctl runs. */
    private static List<String> helloCommand(BenchContext ctx, Path work) throws Exception {
        Path src = work.resolve("Hello.java");
        Files.writeString(src, "public class Hello { public static void main(String[] a) { System.out.println(\"hello\"); } }\n");
        Path classes = work.resolve("hello-classes");
        Path jar = work.resolve("hello.jar");
        Files.deleteIfExists(jar);
        ctx.run(List.of("javac", "-d", classes.toString(), src.toString()), null).orFail("javac Hello.java");
        // A jar, run with -jar as the launcher runs schedctl (class-data sharing also needs jars, not directories).
        ctx.run(List.of("jar", "cfe", jar.toString(), "Hello", "-C", classes.toString(), "Hello.class"), null).orFail("jar Hello");
        List<String> cmd = new ArrayList<>();
        cmd.add("java");
        cmd.addAll(launcherFlags(ctx.root().resolve("scripts/schedctl")));
        cmd.addAll(List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        // The same class-data-sharing treatment schedctl's launcher gives itself: an archive made by a first run.
        Path jsa = work.resolve("hello.jsa");
        Files.deleteIfExists(jsa);
        List<String> archive = new ArrayList<>(cmd);
        archive.addAll(List.of("-XX:ArchiveClassesAtExit=" + jsa, "-jar", jar.toString()));
        ctx.run(archive, null).orFail("java Hello (making its CDS archive)");
        cmd.add("-XX:SharedArchiveFile=" + jsa);
        cmd.add("-jar");
        cmd.add(jar.toString());
        return cmd;
    }

    /** The JVM flags scripts/schedctl passes (its java_opts=(...) line), so the anchor follows the launcher. */
    static List<String> launcherFlags(Path launcher) throws Exception {
        Matcher m = Pattern.compile("(?m)^java_opts=\\((.*)\\)\\s*$").matcher(Files.readString(launcher));
        if (!m.find()) {
            throw new IllegalStateException("cannot find java_opts=(...) in " + launcher + "; update StartupScenario");
        }
        return List.of(m.group(1).trim().split("\\s+"));
    }
}
