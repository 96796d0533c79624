package org.schedctl.bench;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Dispatch at scale: 10,000 (--quick: 2,000) reminders that fall due at once, sent by `schedctl daemon` processes
 * to a local SMTP sink ({@link SmtpSink}, in this JVM), against a Python {@code smtplib} loop over one connection sending as
 * many messages of the same size to the same sink in the same run. Figures: one daemon's rate (messages falling due
 * to the last one sent, so the first poll counts) beside Python's, p99 lateness (sent − due), the daemon's peak RSS,
 * and two daemons' rate against one daemon's.
 */
public final class DispatchScenario implements Scenario {
    private static final String POLL = "2s";

    @Override
    public String name() {
        return "dispatch";
    }

    @Override
    public String description() {
        return "10k due reminders by one daemon to a local SMTP sink vs a Python smtplib loop; p99 lateness, peak RSS, two daemons vs one";
    }

    private record Drain(double millis, double p99LatenessSeconds, long peakRssKb) {
    }

    @Override
    public List<Figure> run(BenchContext ctx) throws Exception {
        ctx.requireCommand("issue 11 (delivery at scale)", "daemon");
        int count = ctx.quick() ? 2_000 : 10_000;
        int runs = 3;
        SmtpSink sink = new SmtpSink();
        BenchContext.FreshDatabase db = ctx.freshDatabase("bench_dispatch");
        try {
            db.execute("""
                    INSERT INTO users (name, email, role) VALUES ('Iris', 'iris@example.org', 'instructor'), ('Sam', 'sam@example.org', 'student');
                    INSERT INTO appointment_types (instructor_id, slug, name, duration)
                    SELECT id, 'piano', 'Piano lesson', interval '1 hour' FROM users WHERE email = 'iris@example.org';
                    INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone)
                    SELECT i.id, s.id, t.id, 'confirmed', now() + interval '3 days', now() + interval '3 days 1 hour', 'UTC'
                    FROM users i, users s, appointment_types t WHERE i.email = 'iris@example.org' AND s.email = 'sam@example.org'""");
            Map<String, String> env = ctx.cliEnv(db);
            env.put("SCHEDCTL_SMTP_HOST", "127.0.0.1");
            env.put("SCHEDCTL_SMTP_PORT", String.valueOf(sink.port()));
            env.put("SCHEDCTL_SMTP_FROM", "school@example.org");
            env.put("SCHEDCTL_DAEMON_POLL", POLL);

            List<Double> one = new ArrayList<>();
            List<Double> two = new ArrayList<>();
            List<Double> python = new ArrayList<>();
            List<Double> p99 = new ArrayList<>();
            long rss = 0;
            Path dir = ctx.workDir(name());
            for (int run = 0; run < runs; run++) {
                Drain single = drain(ctx, db, env, sink, count, 1, dir);
                one.add(single.millis());
                p99.add(single.p99LatenessSeconds());
                rss = Math.max(rss, single.peakRssKb());
                two.add(drain(ctx, db, env, sink, count, 2, dir).millis());
                python.add(smtplib(ctx, sink, count, dir));
            }
            double oneRate = count / (Stats.median(one) / 1000);
            double twoRate = count / (Stats.median(two) / 1000);
            double pythonRate = count / (Stats.median(python) / 1000);
            double pollSeconds = 2;
            List<Figure> figures = new ArrayList<>();
            figures.add(Figure.rate(count + " due reminders, one daemon", oneRate, "msg/s", pythonRate, "msg/s",
                            "Python smtplib loop, one connection, same sink", runs)
                    .withGoal(">= 0.5x the smtplib loop; all sent in < 30 s", oneRate >= 0.5 * pythonRate && Stats.median(one) < 30_000)
                    .withNote("all " + count + " sent in " + Math.round(Stats.median(one)) + " ms (median), from falling due to the last sent"));
            figures.add(Figure.alone("p99 lateness (sent - due), one daemon", Stats.median(p99), "s", false, runs)
                    .withGoal("<= poll (" + POLL + ") + 5 s", Stats.median(p99) <= pollSeconds + 5)
                    .withNote("every message falls due at the same moment, so lateness includes the whole backlog's drain"));
            figures.add(Figure.alone("daemon peak RSS", rss / 1024.0, "MB", false, runs).withGoal("< 300 MB", rss / 1024.0 < 300));
            figures.add(Figure.rate(count + " due reminders, two daemons", twoRate, "msg/s", oneRate, "msg/s", "one daemon, same run", runs)
                    .withGoal(">= 1.6x one daemon", twoRate >= 1.6 * oneRate)
                    .withNote("this machine has " + Runtime.getRuntime().availableProcessors() + " cores for the daemons, PostgreSQL and the sink"));
            return figures;
        } finally {
            sink.close();
            ctx.drop(db);
        }
    }

    /** Starts the daemons, makes {@code count} reminders fall due at once, and times until every one is sent. */
    private Drain drain(BenchContext ctx, BenchContext.FreshDatabase db, Map<String, String> env, SmtpSink sink, int count,
                        int daemons, Path dir) throws Exception {
        db.execute("DELETE FROM appointment_notifications");
        sink.received.set(0);
        List<Process> processes = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try {
            for (int d = 0; d < daemons; d++) {
                Path log = dir.resolve("daemon-" + d + ".err");
                Files.deleteIfExists(log);
                logs.add(log);
                ProcessBuilder pb = new ProcessBuilder(ctx.schedctl("daemon")).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(log.toFile());
                pb.environment().clear();
                pb.environment().putAll(env);
                processes.add(pb.start());
            }
            for (Path log : logs) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (!Files.readString(log, StandardCharsets.UTF_8).contains("daemon running")) {
                    if (System.nanoTime() > deadline || !processes.get(logs.indexOf(log)).isAlive()) {
                        throw new IllegalStateException("the daemon did not start: " + Files.readString(log, StandardCharsets.UTF_8));
                    }
                    Thread.sleep(100);
                }
            }
            long start = System.nanoTime();
            db.execute("""
                    INSERT INTO appointment_notifications
                        (appointment_id, recipient_id, kind, channel, recipient, subject, body, due_at, idempotency_key)
                    SELECT a.id, a.student_id, 'reminder', 'email', 'student' || g || '@example.org',
                           'Reminder: Piano lesson with Iris, tomorrow 16:00', repeat('Your appointment starts in 1 hour. ', 8), now(),
                           'bench-' || g
                    FROM appointments a, generate_series(1, %d) g""".formatted(count));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
            while (count(db, "SELECT count(*) FROM appointment_notifications WHERE status = 'sent'") < count) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the daemons did not send " + count + " messages in 15 minutes");
                }
                Thread.sleep(50);
            }
            double millis = Stats.millisSince(start);
            double p99 = count(db, "SELECT percentile_disc(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM sent_at - due_at) * 1000) FROM appointment_notifications") / 1000.0;
            long rss = 0;
            for (Process p : processes) {
                rss = Math.max(rss, peakRssKb(p.pid()));
            }
            if (sink.received.get() < count) {
                throw new IllegalStateException("the sink received " + sink.received.get() + " of " + count);
            }
            return new Drain(millis, p99, rss);
        } finally {
            for (Process p : processes) {
                p.destroy();
            }
            for (Process p : processes) {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private static long count(BenchContext.FreshDatabase db, String sql) throws Exception {
        try (Connection c = db.pool().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long peakRssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (Exception e) {
            // the process is gone
        }
        return 0;
    }

    /** The anchor: Python's smtplib sending as many messages of the same size over one connection; its own timing. */
    private double smtplib(BenchContext ctx, SmtpSink sink, int count, Path dir) throws Exception {
        sink.received.set(0);
        Path script = dir.resolve("smtplib_loop.py");
        Files.writeString(script, """
                import smtplib, sys, time
                from email.message import EmailMessage
                port, count = int(sys.argv[1]), int(sys.argv[2])
                start = time.perf_counter()
                with smtplib.SMTP('127.0.0.1', port) as smtp:
                    for i in range(count):
                        m = EmailMessage()
                        m['From'] = 'school@example.org'
                        m['To'] = f'student{i}@example.org'
                        m['Subject'] = 'Reminder: Piano lesson with Iris, tomorrow 16:00'
                        m['Message-ID'] = f'<bench-{i}@schedctl>'
                        m.set_content('Your appointment starts in 1 hour. ' * 8)
                        smtp.send_message(m)
                print((time.perf_counter() - start) * 1000)
                """);
        BenchContext.ProcessResult r = ctx.run(List.of("python3", script.toString(), String.valueOf(sink.port()),
                String.valueOf(count)), null).orFail("python3 smtplib loop");
        if (sink.received.get() < count) {
            throw new IllegalStateException("the smtplib loop delivered " + sink.received.get() + " of " + count);
        }
        return Double.parseDouble(r.stdout().trim());
    }
}
