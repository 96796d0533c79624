package org.schedctl.service;

import java.time.Clock;
import java.util.Objects;
import java.util.function.Supplier;

import org.schedctl.config.Config;
import org.schedctl.notify.MessageRenderer;
import org.schedctl.notify.NotifyConfig;
import org.schedctl.store.Database;

/**
 * The one wiring of the services, built once per process from the {@link Database}, the {@link Config} and the
 * {@link Clock}, and shared by the CLI (through {@code CommandFactory}), the shell and the daemon. Every service gets
 * its collaborators here and nowhere else: the hold allowance ({@code holds.max_per_student}) for every booker, the
 * waitlist as the {@link FreedSlots} of booking and the lifecycle, one {@link SlotSuggestions}.
 *
 * <p>Config-derived settings are read on first use, so a bad key fails the commands that read it (exit 2) and not
 * every command. {@link #as} gives the same wiring acting as another user (each command of the shell, the daemon).
 */
public final class Services {
    private final Database db;
    private final Config config;
    private final Clock clock;
    private final Supplier<HoldAllowance> holdAllowance;
    private final Supplier<NotifyConfig> notifyConfig;
    private final Supplier<MaintenanceService.Retention> retention;
    private final Supplier<CalendarSubscriptionService.Settings> calendarSettings;
    private final Supplier<org.schedctl.store.ContentCipher> cipher;

    private Services(Database db, Config config, Clock clock, Supplier<HoldAllowance> holdAllowance,
                     Supplier<NotifyConfig> notifyConfig, Supplier<MaintenanceService.Retention> retention,
                     Supplier<CalendarSubscriptionService.Settings> calendarSettings,
                     Supplier<org.schedctl.store.ContentCipher> cipher) {
        this.db = Objects.requireNonNull(db, "db");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.holdAllowance = holdAllowance;
        this.notifyConfig = notifyConfig;
        this.retention = retention;
        this.calendarSettings = calendarSettings;
        this.cipher = cipher;
    }

    public static Services create(Database db, Config config, Clock clock) {
        return new Services(db, config, clock, memo(() -> HoldAllowance.from(config)), memo(() -> NotifyConfig.from(config)),
                memo(() -> MaintenanceService.Retention.from(config)), memo(() -> CalendarSubscriptionService.Settings.from(config)),
                memo(() -> org.schedctl.store.ContentCipher.from(config)));
    }

    /** The same services acting as {@code actor} (null: the built-in administrator) running {@code command}. */
    public Services as(String actor, String command) {
        if (Objects.equals(db.actorIdent(), actor) && Objects.equals(db.command(), command)) {
            return this;
        }
        return new Services(db.as(actor, command), config, clock, holdAllowance, notifyConfig, retention, calendarSettings, cipher);
    }

    public Database database() {
        return db;
    }

    public Config config() {
        return config;
    }

    public Clock clock() {
        return clock;
    }

    public HoldAllowance holdAllowance() {
        return holdAllowance.get();
    }

    public ConferenceService conferences() {
        return new ConferenceService(db, clock);
    }

    public GuardianService guardians() {
        return new GuardianService(db);
    }

    public HoldService holds() {
        return new HoldService(db, clock, holdAllowance(), waitlist(), suggestions());
    }

    public AppointmentLifecycleService lifecycle() {
        return new AppointmentLifecycleService(db, clock, waitlist(), suggestions());
    }

    public AppointmentQueries appointments() {
        return new AppointmentQueries(db);
    }

    public SlotSuggestions suggestions() {
        return new SlotSuggestions(db);
    }

    public WaitlistService waitlist() {
        return new WaitlistService(db, clock);
    }

    public AvailabilityService availability() {
        return new AvailabilityService(db, lifecycle());
    }

    public AvailabilityImportService availabilityImport() {
        return new AvailabilityImportService(db);
    }

    public CalendarSubscriptionService calendarSubscriptions() {
        return new CalendarSubscriptionService(db, calendarSettings.get(), clock);
    }

    public CalendarImportService calendarImport() {
        return new CalendarImportService(db);
    }

    public TermService terms() {
        return new TermService(db);
    }

    public ClosureService closures() {
        return new ClosureService(db, clock);
    }

    public SeriesService series() {
        return new SeriesService(db, clock, lifecycle(), waitlist());
    }

    public UserService users() {
        return new UserService(db, cipher.get());
    }

    public InstructorService instructors() {
        return new InstructorService(db);
    }

    public TypeService types() {
        return new TypeService(db);
    }

    public AnalyticsService analytics() {
        return new AnalyticsService(db);
    }

    public ExportService exports() {
        return new ExportService(db);
    }

    public AuditService audit() {
        return new AuditService(db);
    }

    public AttachmentService attachments() {
        return new AttachmentService(db, cipher.get());
    }

    public NotificationService notifications() {
        return notifications(NotificationService.DispatchObserver.NONE);
    }

    /** The dispatcher telling {@code observer} what it records (the daemon's metrics). */
    public NotificationService notifications(NotificationService.DispatchObserver observer) {
        return new NotificationService(db, notifyConfig.get(), clock, cipher.get(), observer, MessageRenderer.forConfig(config, clock));
    }

    public FsckService fsck() {
        return new FsckService(db, clock, cipher.get(), holds(), analytics(), availability());
    }

    public MaintenanceService maintenance() {
        return new MaintenanceService(db, retention.get(), clock);
    }

    private static <T> Supplier<T> memo(Supplier<T> source) {
        return new Supplier<>() {
            private volatile T value;

            @Override
            public T get() {
                T v = value;
                if (v == null) {
                    synchronized (this) {
                        v = value;
                        if (v == null) {
                            v = source.get();
                            value = v;
                        }
                    }
                }
                return v;
            }
        };
    }
}
