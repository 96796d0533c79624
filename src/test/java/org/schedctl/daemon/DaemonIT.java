package org.schedctl.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.notify.OutboxFixture;
import org.schedctl.service.NotificationService;
import org.schedctl.test.TestDatabase;

/** `daemon --once`, and the clustered Quartz scheduler on the test database. */
class DaemonIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Instant T0 = Instant.parse("2027-03-14T12:00:00Z");

    /** The tests share one database; each starts from an empty outbox and no booking sessions. */
    @BeforeEach
    void emptyOutbox() {
        db.database().useTransaction(h -> h.execute("DELETE FROM appointment_notifications; DELETE FROM booking_sessions"));
    }

    private static org.jdbi.v3.core.Jdbi owner() {
        return org.jdbi.v3.core.Jdbi.create(db.ownerDataSource());
    }

    /**
     * Issue 12: the runtime role had UPDATE on all eleven qrtz_* tables, which have no row-level security, so any
     * session could pause or fire the school's jobs. V61 moves them to schema schedctl_quartz, closed to it.
     */
    @Test
    void theRuntimeRoleCannotReadOrWriteTheSchedule() {
        List<String> tables = owner().withHandle(h -> h.createQuery("""
                SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND c.relname LIKE 'qrtz%' ORDER BY 1""")
                .mapTo(String.class).list());
        assertEquals(11, tables.size(), tables.toString());
        List<String> reachable = owner().withHandle(h -> h.createQuery("""
                SELECT c.oid::regclass::text FROM pg_class c
                WHERE c.relkind = 'r' AND c.relname LIKE 'qrtz%'
                  AND (has_schema_privilege('schedctl_app', c.relnamespace, 'USAGE')
                       AND (has_table_privilege('schedctl_app', c.oid, 'SELECT') OR has_table_privilege('schedctl_app', c.oid, 'UPDATE')
                            OR has_table_privilege('schedctl_app', c.oid, 'INSERT') OR has_table_privilege('schedctl_app', c.oid, 'DELETE')))
                """).mapTo(String.class).list());
        assertEquals(List.of(), reachable, "Quartz tables the runtime role can touch");
        for (String sql : List.of("UPDATE schedctl_quartz.qrtz_triggers SET trigger_state = 'PAUSED'",
                "UPDATE qrtz_triggers SET trigger_state = 'PAUSED'", "SELECT count(*) FROM schedctl_quartz.qrtz_locks")) {
            org.jdbi.v3.core.statement.UnableToExecuteStatementException e = org.junit.jupiter.api.Assertions.assertThrows(
                    org.jdbi.v3.core.statement.UnableToExecuteStatementException.class,
                    () -> org.jdbi.v3.core.Jdbi.create(db.dataSource()).useHandle(h -> h.execute(sql)), sql);
            String state = ((java.sql.SQLException) e.getCause()).getSQLState();
            assertTrue(state.equals("42501") || state.equals("42P01"), sql + " refused by privilege or not visible, got " + state);
        }
    }

    @Test
    void theDaemonRefusesASchedulerConnectionWithoutTheSchema() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(org.schedctl.domain.PermissionDeniedException.class,
                () -> org.schedctl.store.Connector.checkSchedulerAccess(db.dataSource(), QuartzDaemon.SCHEMA));
        assertTrue(e.getMessage().contains("SCHEDCTL_DB_DAEMON_USER"), e.getMessage());
        org.schedctl.store.Connector.checkSchedulerAccess(db.ownerDataSource(), QuartzDaemon.SCHEMA);
    }

    private long count(String sql) {
        return db.database().inTransaction(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    @Test
    void onceRunsDispatchAndRetentionCleanUp() {
        OutboxFixture outbox = new OutboxFixture(db, T0.plus(Duration.ofDays(1)));
        long due = outbox.notification("booked", "in_app", "inbox", "Booked", T0.minusSeconds(1), "once-due");
        long oldSent = outbox.notification("booked", "in_app", "inbox", "Booked", T0.minus(Duration.ofDays(100)), "once-old");
        long recentSent = outbox.notification("confirmed", "in_app", "inbox", "Confirmed", T0.minus(Duration.ofDays(10)), "once-recent");
        db.database().useTransaction(h -> {
            h.createUpdate("UPDATE appointment_notifications SET status = 'sent', sent_at = due_at WHERE id IN (:a, :b)")
                    .bind("a", oldSent).bind("b", recentSent).execute();
            h.createUpdate("""
                    INSERT INTO booking_sessions (student_id, instructor_id, type_id, step, expires_at)
                    SELECT :s, :i, type_id, 'expired', :old::timestamptz FROM appointments WHERE id = :a
                    UNION ALL
                    SELECT :s, :i, type_id, 'expired', :recent::timestamptz FROM appointments WHERE id = :a""")
                    .bind("s", outbox.studentId).bind("i", outbox.instructorId).bind("a", outbox.appointmentId)
                    .bind("old", T0.minus(Duration.ofDays(31))).bind("recent", T0.minus(Duration.ofDays(29))).execute();
        });

        JsonNode runs = db.cli().withClock(Clock.fixed(T0, ZoneOffset.UTC)).run("-o", "json", "daemon", "--once").ok().json();

        // waitlist offers are holds: hold-expiry lapses both, there is no second sweep
        assertEquals(List.of("dispatch", "hold-expiry", "analytics", "cleanup", "block-horizon", "calendar-subscriptions"),
                List.of(runs.get(0).get("task").asText(), runs.get(1).get("task").asText(), runs.get(2).get("task").asText(),
                        runs.get(3).get("task").asText(), runs.get(4).get("task").asText(), runs.get(5).get("task").asText()));
        assertEquals(6, runs.size());
        for (JsonNode run : runs) {
            assertTrue(run.get("ok").asBoolean(), runs.toString());
        }
        assertEquals(1, runs.get(0).get("result").get("sent").asInt());
        assertEquals(0, runs.get(1).get("result").asInt(), "no hold or offer has expired");
        assertEquals("2027-03-15", runs.get(2).get("result").get("to").asText(), "aggregation reaches tomorrow of the daemon clock");
        assertEquals(1, runs.get(3).get("result").get("notifications_deleted").asInt());
        assertEquals(1, runs.get(3).get("result").get("sessions_deleted").asInt());
        assertEquals("sent", outbox.status(due));
        assertEquals(0, count("SELECT count(*) FROM appointment_notifications WHERE id = " + oldSent));
        assertEquals(1, count("SELECT count(*) FROM appointment_notifications WHERE id = " + recentSent));
        assertEquals(1, count("SELECT count(*) FROM booking_sessions"));
    }

    /** Issue 11: `daemon --once` exited 0 when every send failed ("sent=0 failed=1"). */
    @Test
    void onceExitsNonZeroWhenASendFailed() {
        OutboxFixture outbox = new OutboxFixture(db, T0.plus(Duration.ofDays(1)));
        long mail = outbox.notification("booked", "email", "sam@example.org", "Booked", T0.minusSeconds(1), "once-fail");

        org.schedctl.test.CliDriver.Result result = db.cli().withClock(Clock.fixed(T0, ZoneOffset.UTC)).run("-o", "json", "daemon", "--once");

        assertEquals(1, result.exitCode(), result.toString());
        assertTrue(result.stderr().contains("job dispatch failed: 1 of 1 sends failed"), result.stderr());
        assertEquals(1, result.stderr().lines().count(), "one line per failed job: " + result.stderr());
        JsonNode dispatch = result.json().get(0);
        assertFalse(dispatch.get("ok").asBoolean());
        assertEquals(1, dispatch.get("result").get("failed").asInt(), "the figures still show what the pass did");
        assertEquals("failed", outbox.status(mail));
    }

    @Test
    void clusteredNodesShareTheJobsAndStopCleanly() throws Exception {
        OutboxFixture outbox = new OutboxFixture(db, Instant.now().plus(Duration.ofDays(1)));
        long due = outbox.notification("booked", "in_app", "inbox", "Booked", Instant.now().minusSeconds(1), "quartz-due");
        NotificationService notifications = new NotificationService(db.database(), OutboxFixture.config(), Clock.systemUTC());
        CountDownLatch dispatched = new CountDownLatch(1);
        CountDownLatch ticks = new CountDownLatch(3);
        Map<String, Boolean> tickedBy = new ConcurrentHashMap<>();
        QuartzDaemon nodeA = null;
        QuartzDaemon nodeB = null;
        try {
            nodeA = new QuartzDaemon(db.ownerDataSource(), tasks(notifications, dispatched, ticks, tickedBy, "node-a"), "node-a", 2);
            nodeB = new QuartzDaemon(db.ownerDataSource(), tasks(notifications, dispatched, ticks, tickedBy, "node-b"), "node-b", 2);
            nodeA.start();
            nodeB.start();

            assertTrue(nodeA.scheduler().getMetaData().isJobStoreClustered());
            assertEquals("org.quartz.impl.jdbcjobstore.JobStoreTX", nodeA.scheduler().getMetaData().getJobStoreClass().getName());
            assertTrue(dispatched.await(30, TimeUnit.SECONDS), "the dispatch job ran");
            assertEquals("sent", outbox.status(due));
            assertTrue(ticks.await(30, TimeUnit.SECONDS), "the repeating job keeps firing");
            assertTrue(nodeA.hasJob("dispatch") && nodeB.hasJob("tick"));
            assertEquals(Set.of("node-a", "node-b"), Set.copyOf(owner().inTransaction(h -> h.createQuery(
                    "SELECT instance_name FROM schedctl_quartz.qrtz_scheduler_state WHERE sched_name = 'schedctl'").mapTo(String.class).list())));
            assertEquals(2, (long) owner().inTransaction(h -> h.createQuery(
                    "SELECT count(*) FROM schedctl_quartz.qrtz_job_details WHERE sched_name = 'schedctl'").mapTo(Long.class).one()),
                    "both nodes registered the same two jobs once");

            nodeA.stop();
            assertTrue(nodeA.scheduler().isShutdown());
            CountDownLatch moreTicks = new CountDownLatch(2);
            tickedBy.clear();
            nodeB.scheduler().getContext().put(TaskJob.TASKS_CONTEXT_KEY,
                    tasks(notifications, new CountDownLatch(0), moreTicks, tickedBy, "node-b"));
            assertTrue(moreTicks.await(30, TimeUnit.SECONDS), "the surviving node keeps running the jobs");
            assertEquals(Set.of("node-b"), tickedBy.keySet());
        } finally {
            if (nodeA != null) nodeA.stop();
            if (nodeB != null) nodeB.stop();
        }
        assertTrue(nodeB.scheduler().isShutdown());
    }

    @Test
    void startRemovesTheJobsOfRetiredTasks() throws Exception {
        // node names as in the cluster test: the cluster's state table then only ever knows those two
        QuartzDaemon before = new QuartzDaemon(db.ownerDataSource(), new DaemonTasks()
                .add("retired", Duration.ofHours(1), () -> 0).add("kept", Duration.ofHours(1), () -> 0), "node-a", 1);
        try {
            before.start();
            assertTrue(before.hasJob("retired") && before.hasJob("kept"));
        } finally {
            before.stop();
        }
        QuartzDaemon after = new QuartzDaemon(db.ownerDataSource(), new DaemonTasks().add("kept", Duration.ofHours(1), () -> 0),
                "node-b", 1);
        try {
            after.start();
            assertTrue(after.hasJob("kept"));
            assertFalse(after.hasJob("retired"), "a stored job whose task this version lacks would fail every run");
        } finally {
            after.stop();
        }
    }

    private static DaemonTasks tasks(NotificationService notifications, CountDownLatch dispatched, CountDownLatch ticks,
                                     Map<String, Boolean> tickedBy, String node) {
        return new DaemonTasks()
                .add("dispatch", Duration.ofSeconds(1), () -> {
                    Object result = notifications.sendDue();
                    dispatched.countDown();
                    return result;
                })
                .add("tick", Duration.ofMillis(500), () -> {
                    tickedBy.put(node, true);
                    ticks.countDown();
                    return node;
                });
    }
}
