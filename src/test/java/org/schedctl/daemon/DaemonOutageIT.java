package org.schedctl.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.store.EmbeddedServer;
import org.schedctl.test.CliDriver;

/**
 * Issue 11: after `db stop` and `db start` the embedded server came back on another port; a running daemon kept the
 * old URL, sent nothing, logged nothing, then ignored SIGTERM. Now the daemon reports the outage once, resumes
 * delivery when the database is back, and SIGTERM ends it within 10 s even while the database is gone.
 */
class DaemonOutageIT {
    @RegisterExtension
    static final GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static Path home;

    @BeforeAll
    static void makeHome() throws Exception {
        home = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "outage-home-");
    }

    @AfterAll
    static void stop() {
        new EmbeddedServer(home).stop();
    }

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("SCHEDCTL_HOME", home.toString());
        env.put("SCHEDCTL_CONFIG", "/dev/null");
        env.put("TZ", "UTC");
        return env;
    }

    private static CliDriver cli() {
        return new CliDriver(env());
    }

    private static Jdbi owner() {
        return Jdbi.create(cli().run("db", "url").ok().stdout().trim(), EmbeddedServer.SUPERUSER, "");
    }

    private static void owe(Jdbi owner, String key) {
        owner.useHandle(h -> h.createUpdate("""
                        INSERT INTO appointment_notifications
                            (appointment_id, recipient_id, kind, channel, recipient, subject, body, due_at, idempotency_key)
                        SELECT a.id, a.student_id, 'reminder', 'email', 'sam@example.org', 'Reminder', 'Body', now() - interval '1 second', :key
                        FROM appointments a LIMIT 1""").bind("key", key).execute());
    }

    private static long occurrences(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    @Test
    void deliveryResumesAfterTheDatabaseRestartsAndSigtermEndsTheDaemonWhileItIsDown() throws Exception {
        cli().run("-q", "user", "list").ok();
        Jdbi owner = owner();
        owner.useHandle(h -> {
            long instructor = h.createQuery("INSERT INTO users (name, email, role) VALUES ('Iris', 'iris@example.org', 'instructor') RETURNING id")
                    .mapTo(Long.class).one();
            long student = h.createQuery("INSERT INTO users (name, email, role) VALUES ('Sam', 'sam@example.org', 'student') RETURNING id")
                    .mapTo(Long.class).one();
            long type = h.createQuery("""
                    INSERT INTO appointment_types (instructor_id, slug, name, duration) VALUES (:i, 'piano', 'Piano', interval '1 hour')
                    RETURNING id""").bind("i", instructor).mapTo(Long.class).one();
            Instant start = Instant.now().plus(Duration.ofDays(3));
            h.createUpdate("""
                    INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone)
                    VALUES (:i, :s, :t, 'confirmed', :start, :end, 'UTC')""")
                    .bind("i", instructor).bind("s", student).bind("t", type).bind("start", start).bind("end", start.plus(Duration.ofHours(1)))
                    .execute();
        });
        owe(owner, "before-outage");
        Map<String, String> env = DaemonProcessIT.daemonEnv(env(), smtp.getSmtp().getPort());
        try (DaemonProcessIT.Daemon daemon = new DaemonProcessIT.Daemon(env)) {
            DaemonProcessIT.waitFor("the first message", Duration.ofSeconds(60), () -> smtp.getReceivedMessages().length == 1);

            cli().run("db", "stop").ok();
            DaemonProcessIT.waitFor("the outage reported", Duration.ofSeconds(60), () -> daemon.err().contains("database unreachable"));
            cli().run("db", "start").ok();
            Jdbi again = owner();
            owe(again, "after-outage");
            DaemonProcessIT.waitFor("delivery after the restart", Duration.ofSeconds(90), () -> smtp.getReceivedMessages().length == 2);
            DaemonProcessIT.waitFor("the recovery reported", Duration.ofSeconds(60), () -> daemon.err().contains("database reachable again"));
            assertEquals(1, occurrences(daemon.err(), "database unreachable"), "the outage is reported once: " + daemon.err());
            assertEquals("after-outage", smtp.getReceivedMessages()[1].getHeader("X-Idempotency-Key")[0]);

            cli().run("db", "stop").ok();
            DaemonProcessIT.waitFor("the second outage reported", Duration.ofSeconds(60),
                    () -> occurrences(daemon.err(), "database unreachable") == 2);
            long sent = System.nanoTime();
            daemon.process.destroy();
            assertTrue(daemon.process.waitFor(10, TimeUnit.SECONDS), "SIGTERM ends the daemon within 10 s: " + daemon.err());
            assertTrue(Duration.ofNanos(System.nanoTime() - sent).toMillis() < 10_000);
            assertEquals(143, daemon.process.exitValue(), daemon.err());
        }
    }
}
