package org.schedctl.daemon;

import java.time.Clock;
import java.time.Duration;

import org.schedctl.notify.NotifyConfig;
import org.schedctl.service.MaintenanceService;
import org.schedctl.service.NotificationService;
import org.schedctl.store.Database;

/** The jobs `schedctl daemon` runs, each calling the service method its command calls. */
public final class StandardTasks {
    public static final Duration CLEANUP_EVERY = Duration.ofHours(1);

    private StandardTasks() {
    }

    public static DaemonTasks create(Database db, NotifyConfig config, Clock clock) {
        NotificationService notifications = new NotificationService(db, config, clock);
        MaintenanceService maintenance = new MaintenanceService(db, clock);
        return new DaemonTasks()
                .add("dispatch", config.poll(), notifications::sendDue)
                .add("cleanup", CLEANUP_EVERY, maintenance::cleanUp);
    }
}
