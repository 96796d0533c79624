package org.schedctl.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.notify.OutboxFixture;
import org.schedctl.test.TestDatabase;

/**
 * `schedctl daemon` as real processes against a real database and a real SMTP server (GreenMail): several daemons
 * share dispatch and one dying by SIGKILL loses nothing.
 */
class DaemonProcessIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @RegisterExtension
    static final GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final Pattern METRICS_AT = Pattern.compile("metrics at (http://\\S+)/metrics");

    @BeforeEach
    void emptyOutbox() {
        db.database().useTransaction(h -> h.execute("DELETE FROM appointment_notifications"));
    }

    /** A daemon process; its stderr goes to a file the test reads. */
    static final class Daemon implements AutoCloseable {
        final Process process;
        final Path stderr;

        Daemon(Map<String, String> env, String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), "org.schedctl.Main", "daemon"));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(env);
            stderr = Files.createTempFile(Path.of("target").toAbsolutePath(), "daemon-", ".err");
            builder.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(stderr.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            process = builder.start();
        }

        String err() {
            try {
                return Files.readString(stderr, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    static void waitFor(String what, Duration limit, BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + limit.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    static Map<String, String> daemonEnv(Map<String, String> base, int smtpPort) {
        Map<String, String> env = new HashMap<>(base);
        env.put("SCHEDCTL_SMTP_HOST", "127.0.0.1");
        env.put("SCHEDCTL_SMTP_PORT", String.valueOf(smtpPort));
        env.put("SCHEDCTL_SMTP_FROM", "school@example.org");
        env.put("SCHEDCTL_DAEMON_POLL", "1s");
        env.put("SCHEDCTL_NOTIFICATIONS_LEASE", "5s");
        env.put("SCHEDCTL_NOTIFICATIONS_BATCH", "25");
        return env;
    }

    static Set<String> receivedKeys(List<String> all) throws MessagingException {
        Set<String> keys = new TreeSet<>();
        for (MimeMessage message : smtp.getReceivedMessages()) {
            String key = message.getHeader("X-Idempotency-Key")[0];
            all.add(key);
            keys.add(key);
        }
        return keys;
    }

    @Test
    void twoDaemonsShareDispatchAndOneKilledMidRunLosesNothing() throws Exception {
        int count = 1500;
        Instant now = Instant.now();
        OutboxFixture outbox = new OutboxFixture(db, now.plus(Duration.ofDays(2)));
        Set<String> owed = new TreeSet<>();
        db.database().useTransaction(h -> h.createUpdate("""
                        INSERT INTO appointment_notifications
                            (appointment_id, recipient_id, kind, channel, recipient, subject, body, due_at, idempotency_key)
                        SELECT :a, :r, 'reminder', 'email', 'sam' || g || '@example.org', 'Reminder ' || g, 'Body', :due, 'kill-' || g
                        FROM generate_series(1, :n) g""")
                .bind("a", outbox.appointmentId).bind("r", outbox.studentId).bind("due", now.minusSeconds(1)).bind("n", count).execute());
        for (int i = 1; i <= count; i++) {
            owed.add("kill-" + i);
        }
        Map<String, String> env = daemonEnv(db.env(), smtp.getSmtp().getPort());
        try (Daemon a = new Daemon(env, "--metrics", "127.0.0.1:0"); Daemon b = new Daemon(env)) {
            waitFor("a quarter of the messages", Duration.ofSeconds(90), () -> smtp.getReceivedMessages().length >= count / 4);
            a.process.destroyForcibly().waitFor();
            assertEquals(137, a.process.exitValue(), "SIGKILL");
            waitFor("every row sent by the survivor", Duration.ofSeconds(120), () -> db.database().inTransaction(h -> h.createQuery(
                    "SELECT count(*) FROM appointment_notifications WHERE status <> 'sent'").mapTo(Long.class).one()) == 0);

            List<String> all = new ArrayList<>();
            assertEquals(owed, receivedKeys(all), "0 lost: every key delivered");
            assertTrue(all.size() - count < 2 * 25, "duplicates only from the killed daemon's last batch, under the same key: "
                    + (all.size() - count));
            assertTrue(b.process.isAlive(), b.err());
            Matcher metrics = METRICS_AT.matcher(a.err());
            assertTrue(metrics.find(), a.err());
        }
    }

    @Test
    void metricsAndHealthAreServed() throws Exception {
        Instant now = Instant.now();
        OutboxFixture outbox = new OutboxFixture(db, now.plus(Duration.ofDays(2)));
        outbox.notification("booked", "email", "sam@example.org", "Booked", now.minusSeconds(2), "metrics-1");
        outbox.notification("booked", "email", "not an address", "Booked", now.minusSeconds(2), "metrics-2");
        try (Daemon daemon = new Daemon(daemonEnv(db.env(), smtp.getSmtp().getPort()), "--metrics", "127.0.0.1:0")) {
            waitFor("the metrics address", Duration.ofSeconds(60), () -> METRICS_AT.matcher(daemon.err()).find());
            Matcher at = METRICS_AT.matcher(daemon.err());
            assertTrue(at.find());
            HttpClient http = HttpClient.newHttpClient();
            String[] body = new String[1];
            waitFor("both sends counted", Duration.ofSeconds(60), () -> {
                body[0] = get(http, at.group(1) + "/metrics").body();
                return body[0].contains("schedctl_notification_sends_total{channel=\"email\",outcome=\"sent\"} 1.0")
                        && body[0].contains("schedctl_notification_sends_total{channel=\"email\",outcome=\"failed\"} 1.0");
            });
            assertTrue(body[0].contains("schedctl_outbox_messages{status=\"sent\"}"), body[0]);
            assertTrue(body[0].contains("schedctl_notification_lateness_seconds_count 1"), body[0]);
            assertTrue(body[0].contains("schedctl_daemon_job_runs_total{job=\"dispatch\",outcome=\"failed\"}"), body[0]);
            HttpResponse<String> health = get(http, at.group(1) + "/health");
            assertEquals(200, health.statusCode());
            assertTrue(health.body().contains("\"up\""), health.body());
        }
    }

    /**
     * Under systemd: READY=1 once the scheduler runs, STOPPING=1 on SIGTERM. The receiving end is a unix datagram
     * socket as systemd's, bound by a Python one-liner (Java 17 cannot bind one) that prints each datagram.
     */
    @Test
    void speaksSdNotifyWhenNotifySocketIsSet() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "notify-");
        Path socket = dir.resolve("notify.sock");
        Path received = dir.resolve("received.txt");
        Process receiver = new ProcessBuilder("python3", "-c", """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.bind(sys.argv[1])
                print('bound', flush=True)
                while True:
                    print(s.recv(4096).decode().replace('\\n', ' '), flush=True)
                """, socket.toString()).redirectOutput(received.toFile()).redirectErrorStream(true).start();
        try {
            waitFor("the notify socket", Duration.ofSeconds(30), () -> read(received).contains("bound"));
            Map<String, String> env = daemonEnv(db.env(), smtp.getSmtp().getPort());
            env.put("NOTIFY_SOCKET", socket.toString());
            env.put("WATCHDOG_USEC", "2000000");
            try (Daemon daemon = new Daemon(env)) {
                waitFor("READY=1", Duration.ofSeconds(60), () -> read(received).contains("READY=1"));
                waitFor("WATCHDOG=1", Duration.ofSeconds(30), () -> read(received).contains("WATCHDOG=1"));
                assertTrue(read(received).contains("MAINPID=" + daemon.process.pid()), read(received));
                daemon.process.destroy();
                assertTrue(daemon.process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), daemon.err());
                waitFor("STOPPING=1", Duration.ofSeconds(10), () -> read(received).contains("STOPPING=1"));
            }
        } finally {
            receiver.destroyForcibly();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static HttpResponse<String> get(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
