package org.schedctl.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;

import org.schedctl.config.Config;
import org.schedctl.store.Database;
import org.schedctl.store.dao.RetentionDao;

/**
 * Retention clean-up run by the daemon: delivered and cancelled notifications, expired booking sessions (holds),
 * real-time dashboard counters and daily analytics aggregates, each after its own retention period (config keys
 * {@code retention.*}). Runs as the built-in administrator, since it must see every user's rows.
 */
public final class MaintenanceService {
    private final Database db;
    private final Clock clock;
    private final Retention retention;

    public MaintenanceService(Database db, Retention retention, Clock clock) {
        this.db = db.as(null, "daemon cleanup");
        this.retention = retention;
        this.clock = clock;
    }

    /**
     * How long each kind of record is kept. An empty period keeps the records forever. Analytics aggregates are
     * kept forever by default: `analytics aggregate --from --to` can rebuild them from the appointments, but a
     * school usually wants its history at hand.
     */
    public record Retention(Duration notifications, Duration sessions, Optional<Duration> metrics, Optional<Duration> analytics) {
        public static final Retention DEFAULT = new Retention(Duration.ofDays(90), Duration.ofDays(30),
                Optional.of(Duration.ofDays(400)), Optional.empty());

        /** From {@code retention.notifications}, {@code .sessions}, {@code .metrics}, {@code .analytics} ("never" keeps forever). */
        public static Retention from(Config config) {
            return new Retention(
                    config.duration("retention.notifications").orElse(DEFAULT.notifications),
                    config.duration("retention.sessions").orElse(DEFAULT.sessions),
                    keep(config, "retention.metrics", DEFAULT.metrics),
                    keep(config, "retention.analytics", DEFAULT.analytics));
        }

        private static Optional<Duration> keep(Config config, String key, Optional<Duration> fallback) {
            Optional<String> text = config.get(key);
            if (text.isPresent() && text.get().trim().toLowerCase(Locale.ROOT).equals("never")) {
                return Optional.empty();
            }
            return text.isPresent() ? config.duration(key) : fallback;
        }
    }

    public record CleanUpResult(int notificationsDeleted, int sessionsDeleted, int metricsDeleted, int analyticsDeleted) {
    }

    public CleanUpResult cleanUp() {
        Instant now = clock.instant();
        return db.inTransaction(handle -> {
            RetentionDao dao = handle.attach(RetentionDao.class);
            return new CleanUpResult(dao.deleteFinishedNotifications(now.minus(retention.notifications())),
                    dao.deleteExpiredSessions(now.minus(retention.sessions())),
                    retention.metrics().map(keep -> dao.deleteMetricsBefore(dayOf(now.minus(keep)))).orElse(0),
                    retention.analytics().map(keep -> dao.deleteAnalyticsBefore(dayOf(now.minus(keep)))).orElse(0));
        });
    }

    /** Both tables are keyed by day; the cut-off day is taken in UTC, which a retention of months does not notice. */
    private static LocalDate dayOf(Instant instant) {
        return LocalDate.ofInstant(instant, ZoneOffset.UTC);
    }
}
