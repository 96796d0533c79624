package org.schedctl.notify;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.schedctl.config.Config;
import org.schedctl.test.TestDatabase;

/**
 * Test data for the outbox, written with SQL because the booking commands live on another branch: two users,
 * a type, an appointment, and notification rows. Also a settable clock and a config built from key/values.
 */
public final class OutboxFixture {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final TestDatabase db;
    public final long instructorId;
    public final long studentId;
    public final long appointmentId;
    public final String reference;
    public final Instant startsAt;

    public OutboxFixture(TestDatabase db, Instant startsAt) {
        this.db = db;
        this.startsAt = startsAt;
        int n = SEQUENCE.incrementAndGet();
        this.instructorId = insertUser("Iris Instructor", "iris" + n + "@example.org", "instructor");
        this.studentId = insertUser("Sam Student", "sam" + n + "@example.org", "student");
        long typeId = db.database().inTransaction(h -> h.createQuery("""
                        INSERT INTO appointment_types (instructor_id, slug, name, duration)
                        VALUES (:i, :slug, 'Piano lesson', interval '1 hour') RETURNING id""")
                .bind("i", instructorId).bind("slug", "piano-" + n).mapTo(Long.class).one());
        var row = db.database().inTransaction(h -> h.createQuery("""
                        INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone)
                        VALUES (:i, :s, :t, 'confirmed', :start, :end, 'UTC') RETURNING id, reference""")
                .bind("i", instructorId).bind("s", studentId).bind("t", typeId)
                .bind("start", startsAt).bind("end", startsAt.plus(Duration.ofHours(1)))
                .mapToMap().one());
        this.appointmentId = ((Number) row.get("id")).longValue();
        this.reference = (String) row.get("reference");
    }

    private long insertUser(String name, String email, String role) {
        return db.database().inTransaction(h -> h.createQuery("""
                        INSERT INTO users (name, email, role) VALUES (:name, :email, :role) RETURNING id""")
                .bind("name", name).bind("email", email).bind("role", role).mapTo(Long.class).one());
    }

    /** A pending notification for the student, due at {@code dueAt}; returns its id. */
    public long notification(String kind, String channel, String recipient, String subject, Instant dueAt, String key) {
        return db.database().inTransaction(h -> h.createQuery("""
                        INSERT INTO appointment_notifications
                            (appointment_id, recipient_id, kind, channel, recipient, subject, body, due_at, idempotency_key)
                        VALUES (:a, :r, :kind, :channel, :recipient, :subject, :body, :due, :key) RETURNING id""")
                .bind("a", appointmentId).bind("r", studentId).bind("kind", kind).bind("channel", channel)
                .bind("recipient", recipient).bind("subject", subject).bind("body", "Your lesson " + reference + " is coming up.")
                .bind("due", dueAt).bind("key", key).mapTo(Long.class).one());
    }

    public Map<String, Object> row(long id) {
        return db.database().inTransaction(h -> h.createQuery("SELECT * FROM appointment_notifications WHERE id = :id")
                .bind("id", id).mapToMap().one());
    }

    public String status(long id) {
        return (String) row(id).get("status");
    }

    public static NotifyConfig config(String... keyValues) {
        Map<String, String> env = new HashMap<>();
        env.put("SCHEDCTL_CONFIG", "/dev/null");
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            env.put(Config.envName(keyValues[i]), keyValues[i + 1]);
        }
        return NotifyConfig.from(Config.load(env, Map.of()));
    }

    /** A clock the test moves by hand. */
    public static final class MutableClock extends Clock {
        private volatile Instant now;

        public MutableClock(Instant start) {
            this.now = start;
        }

        public void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
