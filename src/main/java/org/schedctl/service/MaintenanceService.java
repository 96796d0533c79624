package org.schedctl.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.schedctl.store.Database;
import org.schedctl.store.dao.RetentionDao;

/**
 * Retention clean-up run by the daemon: delivered and cancelled notifications after 90 days, expired booking
 * sessions (holds) after 30. Runs as the built-in administrator, since it must see every user's rows.
 */
public final class MaintenanceService {
    public static final Duration NOTIFICATION_RETENTION = Duration.ofDays(90);
    public static final Duration SESSION_RETENTION = Duration.ofDays(30);

    private final Database db;
    private final Clock clock;

    public MaintenanceService(Database db, Clock clock) {
        this.db = db.as(null, "daemon cleanup");
        this.clock = clock;
    }

    public record CleanUpResult(int notificationsDeleted, int sessionsDeleted) {
    }

    public CleanUpResult cleanUp() {
        Instant now = clock.instant();
        return db.inTransaction(handle -> {
            RetentionDao dao = handle.attach(RetentionDao.class);
            return new CleanUpResult(dao.deleteFinishedNotifications(now.minus(NOTIFICATION_RETENTION)),
                    dao.deleteExpiredSessions(now.minus(SESSION_RETENTION)));
        });
    }
}
