package org.schedctl.daemon;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.schedctl.notify.NotifyConfig;
import org.schedctl.service.AnalyticsService;
import org.schedctl.service.AvailabilityService;
import org.schedctl.service.CalendarSubscriptionService;
import org.schedctl.service.HoldService;
import org.schedctl.service.MaintenanceService;
import org.schedctl.service.NotificationService;
import org.schedctl.service.Services;

/**
 * The jobs `schedctl daemon` runs, each calling the service method its command calls. They act as the built-in
 * administrator (whatever --as says): dispatch, sweeps, aggregation and clean-up are system work over every user's rows.
 */
public final class StandardTasks {
    public static final Duration EXPIRY_EVERY = Duration.ofSeconds(30);
    public static final Duration ANALYTICS_EVERY = Duration.ofMinutes(10);
    public static final Duration CLEANUP_EVERY = Duration.ofHours(1);
    public static final Duration HORIZON_EVERY = Duration.ofHours(6);

    private StandardTasks() {
    }

    /** Due subscriptions are looked for this often; each is fetched on its own interval. */
    public static final Duration SUBSCRIPTIONS_EVERY = Duration.ofMinutes(1);

    /**
     * The jobs over the process's services, acting as the built-in administrator; reads their config now. Dispatch
     * tells {@code observer} what it records (the daemon's metrics).
     */
    public static DaemonTasks create(Services services, NotificationService.DispatchObserver observer) {
        Services system = services.as(null, "daemon");
        Clock clock = system.clock();
        NotificationService notifications = system.notifications(observer);
        HoldService bookings = system.holds();
        AnalyticsService analytics = system.analytics();
        MaintenanceService maintenance = system.maintenance();
        AvailabilityService availability = system.availability();
        CalendarSubscriptionService subscriptions = system.calendarSubscriptions();
        // Dispatch is shared: several daemons claim disjoint batches (FOR UPDATE SKIP LOCKED), one pass per node.
        AtomicBoolean dispatching = new AtomicBoolean();
        return new DaemonTasks()
                .addShared("dispatch", NotifyConfig.from(system.config()).poll(), () -> {
                    if (!dispatching.compareAndSet(false, true)) {
                        return new NotificationService.DispatchResult(0, 0, 0, 0);
                    }
                    try {
                        NotificationService.DispatchResult pass = notifications.sendDue();
                        if (pass.problem() != null) {
                            throw new DaemonTasks.PartlyFailed(pass.problem(), pass);
                        }
                        return pass;
                    } finally {
                        dispatching.set(false);
                    }
                })
                // A waitlist offer is a hold on the waiter's behalf: this one sweep lapses holds and offers alike
                // and passes each freed slot to the next in line.
                .add("hold-expiry", EXPIRY_EVERY, () -> bookings.expireHolds(clock.instant()))
                .add("analytics", ANALYTICS_EVERY, () -> analytics.aggregate(null, null, clock))
                .add("cleanup", CLEANUP_EVERY, maintenance::cleanUp)
                // Recurring blocks are stored as occurrences over a rolling 18-month horizon; this keeps it rolling.
                .add("block-horizon", HORIZON_EVERY, () -> availability.extendHorizon(clock.instant()))
                // Instructors' external calendars: each due subscription is fetched (conditional GET) and imported.
                .add("calendar-subscriptions", SUBSCRIPTIONS_EVERY, subscriptions::syncDue);
    }
}
