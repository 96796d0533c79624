package org.schedctl.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.notify.OutboxFixture;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/** The clean-up job keeps each kind of record for its configured retention (`retention.*`), and no longer. */
class RetentionIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Instant T0 = Instant.parse("2027-03-14T12:00:00Z");

    private long count(String sql) {
        return db.database().inTransaction(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    @Test
    void configuredPeriodsDecideWhatTheCleanUpDeletes() {
        OutboxFixture outbox = new OutboxFixture(db, T0.plus(Duration.ofDays(1)));
        long tenDaysOld = outbox.notification("booked", "in_app", "inbox", "Booked", T0.minus(Duration.ofDays(10)), "ret-10");
        long twoDaysOld = outbox.notification("confirmed", "in_app", "inbox", "Confirmed", T0.minus(Duration.ofDays(2)), "ret-2");
        db.database().useTransaction(h -> {
            h.execute("UPDATE appointment_notifications SET status = 'sent', sent_at = due_at");
            h.execute("DELETE FROM appointment_analytics; DELETE FROM booking_metrics_realtime");
            h.createUpdate("""
                    INSERT INTO appointment_analytics (day, instructor_id, booked)
                    VALUES ('2025-01-10', :i, 1), ('2026-06-01', :i, 2), ('2027-03-01', :i, 3)""")
                    .bind("i", outbox.instructorId).execute();
            h.createUpdate("""
                    INSERT INTO booking_metrics_realtime (metric, instructor_id, day, value)
                    VALUES ('booked', :i, '2027-01-01', 1), ('booked', :i, '2027-03-10', 1)""")
                    .bind("i", outbox.instructorId).execute();
        });
        CliDriver cli = db.cli().withClock(Clock.fixed(T0, ZoneOffset.UTC))
                .withEnv("SCHEDCTL_RETENTION_NOTIFICATIONS", "7d")
                .withEnv("SCHEDCTL_RETENTION_METRICS", "30d")
                .withEnv("SCHEDCTL_RETENTION_ANALYTICS", "365d");

        JsonNode cleanup = cleanup(cli.run("-o", "json", "daemon", "--once").ok().json());

        assertEquals(1, cleanup.get("notifications_deleted").asInt());
        assertEquals(1, cleanup.get("metrics_deleted").asInt());
        assertEquals(1, cleanup.get("analytics_deleted").asInt());
        assertEquals(0, count("SELECT count(*) FROM appointment_notifications WHERE id = " + tenDaysOld));
        assertEquals(1, count("SELECT count(*) FROM appointment_notifications WHERE id = " + twoDaysOld));
        assertEquals(1, count("SELECT count(*) FROM booking_metrics_realtime WHERE day = '2027-03-10'"));
        // The analytics job of the same pass re-aggregates recent days; only the 2025 row was old enough to go.
        assertEquals(0, count("SELECT count(*) FROM appointment_analytics WHERE day = '2025-01-10'"));
        assertEquals(1, count("SELECT count(*) FROM appointment_analytics WHERE day = '2026-06-01'"));

        // "never" keeps everything of that kind; by default analytics are kept forever.
        JsonNode again = cleanup(db.cli().withClock(Clock.fixed(T0.plus(Duration.ofDays(3650)), ZoneOffset.UTC))
                .withEnv("SCHEDCTL_RETENTION_METRICS", "never").run("-o", "json", "daemon", "--once").ok().json());
        assertEquals(0, again.get("metrics_deleted").asInt());
        assertEquals(0, again.get("analytics_deleted").asInt());
        assertEquals(1, count("SELECT count(*) FROM booking_metrics_realtime WHERE day = '2027-03-10'"));
    }

    @Test
    void aBadPeriodIsAConfigurationErrorNamingTheKey() {
        CliDriver.Result soon = db.cli().withEnv("SCHEDCTL_RETENTION_SESSIONS", "soon").run("daemon", "--once").expect(2);
        assertTrue(soon.stderr().startsWith("schedctl: error: ") && soon.stderr().contains("SCHEDCTL_RETENTION_SESSIONS"), soon.toString());
        CliDriver.Result zero = db.cli().withEnv("SCHEDCTL_RETENTION_ANALYTICS", "0d").run("daemon", "--once").expect(2);
        assertTrue(zero.stderr().contains("longer than zero"), zero.toString());
    }

    private static JsonNode cleanup(JsonNode runs) {
        for (JsonNode run : runs) {
            if (run.get("task").asText().equals("cleanup")) {
                assertEquals(true, run.get("ok").asBoolean(), runs.toString());
                return run.get("result");
            }
        }
        throw new AssertionError("no cleanup run in " + runs);
    }
}
