package org.schedctl.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.schedctl.domain.Checked;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.Text;
import org.schedctl.domain.User;
import org.schedctl.domain.booking.BookingReference;
import org.schedctl.domain.notify.Notification;
import org.schedctl.domain.notify.NotificationStatus;
import org.schedctl.domain.notify.RetryPolicy;
import org.schedctl.notify.Channel;
import org.schedctl.notify.Channels;
import org.schedctl.notify.DeliveryException;
import org.schedctl.notify.MessageFacts;
import org.schedctl.notify.MessageRenderer;
import org.schedctl.notify.NotifyConfig;
import org.schedctl.notify.OutboundMessage;
import org.schedctl.store.Database;
import org.schedctl.store.dao.AppointmentDao;
import org.schedctl.store.dao.NotificationDao;
import org.schedctl.store.dao.UserDao;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox dispatcher and its operator commands. A pass claims due rows in a short transaction, sends them
 * with no transaction open (a slow SMTP server holds no locks), then records each outcome in its own
 * transaction. The pass runs as the built-in administrator: it is a system task that must see every
 * recipient's rows; so only an administrator (or the daemon) may start it, and only an administrator retries.
 */
public final class NotificationService {
    private static final Logger LOG = LoggerFactory.getLogger(NotificationService.class);
    /** A bound on one pass, so a pass over a huge backlog still ends and lets other jobs run. */
    private static final int MAX_BATCHES_PER_PASS = 20;
    /** The message kinds, as appointment_notifications.kind spells them. */
    public static final List<String> KINDS = List.of("booked", "confirmed", "declined", "rescheduled", "cancelled",
            "completed", "no_show", "reminder", "waitlist_offer");

    private final Database db;
    private final Database dispatcher;
    private final NotifyConfig config;
    private final Channels channels;
    private final MessageRenderer renderer;
    private final Clock clock;

    /** With the shipped templates only (no school overrides): for tests and tools without a config file. */
    public NotificationService(Database db, NotifyConfig config, Clock clock) {
        this(db, config, new MessageRenderer(null, clock), clock);
    }

    public NotificationService(Database db, NotifyConfig config, MessageRenderer renderer, Clock clock) {
        this.db = db;
        this.dispatcher = db.as(null, "notifications send-due");
        this.config = config;
        this.channels = new Channels(config);
        this.renderer = renderer;
        this.clock = clock;
    }

    /** What one dispatch pass did. */
    public record DispatchResult(int claimed, int sent, int failed, int dead) {
    }

    /** One dispatch pass: everything due now, in batches, each row at most once per pass. */
    public DispatchResult sendDue() {
        // Operator work: the pass itself acts as the administrator, so only an administrator may start it (the
        // daemon does, as the built-in administrator).
        db.useTransaction(handle -> Access.requireAdmin(handle, "run a dispatch pass (notifications send-due)"));
        int claimed = 0;
        int sent = 0;
        int failed = 0;
        int dead = 0;
        RetryPolicy retry = config.retry();
        // reminders are owed by appointments and written when due (issue 11): once per pass, before claiming
        dispatcher.useTransaction(handle -> handle.attach(NotificationDao.class).enqueueDueReminders(clock.instant()));
        for (int batch = 0; batch < MAX_BATCHES_PER_PASS; batch++) {
            Instant now = clock.instant();
            List<Long> ids = dispatcher.inTransaction(handle ->
                    handle.attach(NotificationDao.class).claim(now, now.plus(config.lease()), config.batchSize()));
            if (ids.isEmpty()) {
                break;
            }
            claimed += ids.size();
            List<OutboundMessage> messages = owedMessages(ids);
            for (OutboundMessage message : messages) {
                String error = deliver(message);
                Instant done = clock.instant();
                if (error == null) {
                    dispatcher.inTransaction(handle -> handle.attach(NotificationDao.class).markSent(message.id(), message.attempts(), done));
                    sent++;
                } else {
                    boolean giveUp = retry.exhausted(message.attempts());
                    Instant retryAt = done.plus(retry.backoff(message.attempts()));
                    dispatcher.inTransaction(handle -> handle.attach(NotificationDao.class)
                            .markFailed(message.id(), message.attempts(), giveUp, retryAt, error));
                    if (giveUp) {
                        dead++;
                    } else {
                        failed++;
                    }
                }
            }
            if (ids.size() < config.batchSize()) {
                break;
            }
        }
        return new DispatchResult(claimed, sent, failed, dead);
    }

    /**
     * Where claimed rows become messages: the re-check (a cancel that raced the claim drops its rows, marked
     * cancelled, NotificationDao.stillOwed), then the text rendered now from the appointment as it is, in each
     * recipient's locale and zone.
     */
    private List<OutboundMessage> owedMessages(List<Long> claimedIds) {
        return renderer.renderAll(dispatcher.inTransaction(handle -> {
            NotificationDao dao = handle.attach(NotificationDao.class);
            long[] owed = dao.stillOwed(claimedIds.stream().mapToLong(Long::longValue).toArray())
                    .stream().mapToLong(Long::longValue).toArray();
            return owed.length == 0 ? List.<MessageFacts>of() : dao.messages(owed);
        }));
    }

    /**
     * What {@code kind} about appointment {@code reference} would say to {@code recipient} on {@code channel} if it
     * were sent now; writes nothing. Only someone who can see the appointment may preview it, and only to its
     * student or instructor.
     */
    public OutboundMessage preview(String reference, String kind, String recipient, Channels.Name channel,
                                   Checked<Duration> before) {
        String ref = BookingReference.parse(reference).value();
        if (!KINDS.contains(kind)) {
            throw new InvalidInputException("--kind '" + Text.neutralize(kind, false) + "' is not a message kind. Use one of "
                    + String.join(", ", KINDS));
        }
        Duration remind = before == null ? Duration.ofHours(24) : before.get();
        return db.inTransaction(handle -> {
            AppointmentDao.AppointmentRow row = handle.attach(AppointmentDao.class).byReference(ref)
                    .orElseThrow(() -> BookingRows.notFound(ref));
            long to = recipient == null ? row.studentId() : handle.attach(UserDao.class).find(recipient)
                    .map(User::id).orElseThrow(() -> new NotFoundException("user '" + Text.neutralize(recipient, false)
                            + "' not found. See `schedctl user list`"));
            if (to != row.studentId() && to != row.instructorId()) {
                throw new InvalidInputException("--to must be the student or the instructor of appointment " + ref
                        + " (" + row.studentEmail() + " or " + row.instructorEmail() + ")");
            }
            MessageFacts facts = handle.attach(NotificationDao.class)
                    .preview(ref, to, kind, channel.name(), remind.toSeconds())
                    .orElseThrow(() -> BookingRows.notFound(ref));
            return renderer.render(facts);
        });
    }

    /** Sends one message; returns null when delivered, else the error to store. Never throws: one bad row must not end the pass. */
    private String deliver(OutboundMessage message) {
        if (message.attempts() > config.retry().maxAttempts()) {
            return "gave up after " + config.retry().maxAttempts() + " attempts (the last sender stopped before recording a result)";
        }
        Channel channel = channels.forName(message.channel());
        try {
            channel.send(message);
            return null;
        } catch (DeliveryException e) {
            LOG.warn("notification {} ({} via {}) not delivered: {}", message.id(), message.kind(), message.channel(), e.getMessage());
            return e.getMessage();
        } catch (RuntimeException e) {
            LOG.warn("notification {} ({} via {}) failed unexpectedly", message.id(), message.kind(), message.channel(), e);
            return "internal error while sending: " + e.getClass().getSimpleName();
        }
    }

    /** Every notification the acting user may see, or those in one status. */
    public List<Notification> list(String status) {
        String wanted = status == null ? null : NotificationStatus.parse(status).name();
        return db.inTransaction(handle -> handle.attach(NotificationDao.class).list(wanted));
    }

    /** Puts a failed or dead notification (or a pending one, to hurry it) back in the queue with fresh attempts. */
    public Notification retry(String ident) {
        long id = Text.positiveId(ident, "notification id", "See `schedctl notifications list`");
        return db.inTransaction(handle -> {
            Access.requireAdmin(handle, "put notifications back in the queue (notifications retry)");
            NotificationDao dao = handle.attach(NotificationDao.class);
            String status = dao.lockStatus(id).orElseThrow(() -> new NotFoundException("notification " + id
                    + " not found. See `schedctl notifications list`"));
            switch (NotificationStatus.parse(status)) {
                case sent -> throw new ConflictException("notification " + id + " was already sent; it is not sent twice");
                case cancelled -> throw new ConflictException("notification " + id + " was cancelled (its appointment changed); it is not sent");
                case sending -> throw new ConflictException("notification " + id + " is being sent right now. Check again in a minute");
                default -> dao.requeue(id, clock.instant());
            }
            return dao.find(id).orElseThrow();
        });
    }
}
