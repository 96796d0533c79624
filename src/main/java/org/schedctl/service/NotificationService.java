package org.schedctl.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.SchedException;
import org.schedctl.domain.Text;
import org.schedctl.domain.notify.Notification;
import org.schedctl.domain.notify.NotificationStatus;
import org.schedctl.domain.notify.RetryPolicy;
import org.schedctl.notify.Channel;
import org.schedctl.notify.Channels;
import org.schedctl.notify.DeliveryException;
import org.schedctl.notify.NotifyConfig;
import org.schedctl.notify.OutboundMessage;
import org.schedctl.store.ContentCipher;
import org.schedctl.store.Database;
import org.schedctl.store.dao.NotificationDao;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox dispatcher and its operator commands. A pass claims due rows in a short transaction, sends them
 * with no transaction open (a slow SMTP server holds no locks), then records the batch's outcomes in one
 * transaction. The pass runs as the built-in administrator: it is a system task that must see every
 * recipient's rows; so only an administrator (or the daemon) may start it, and only an administrator retries.
 */
public final class NotificationService {
    private static final Logger LOG = LoggerFactory.getLogger(NotificationService.class);
    /** A bound on one pass, so a pass over a huge backlog still ends and reports. */
    private static final Duration PASS_LIMIT = Duration.ofMinutes(2);

    private final Database db;
    private final Database dispatcher;
    private final NotifyConfig config;
    private final Channels channels;
    private final Clock clock;
    /** Opens the sealed phone number an SMS goes to (V68), only when it is sent. */
    private final ContentCipher cipher;
    private final DispatchObserver observer;

    public NotificationService(Database db, NotifyConfig config, Clock clock) {
        this(db, config, clock, ContentCipher.none(), DispatchObserver.NONE);
    }

    public NotificationService(Database db, NotifyConfig config, Clock clock, ContentCipher cipher) {
        this(db, config, clock, cipher, DispatchObserver.NONE);
    }

    public NotificationService(Database db, NotifyConfig config, Clock clock, ContentCipher cipher, DispatchObserver observer) {
        this.db = db;
        this.cipher = cipher;
        this.dispatcher = db.as(null, "notifications send-due");
        this.config = config;
        this.channels = new Channels(config, clock);
        this.clock = clock;
        this.observer = observer;
    }

    /** What one dispatch pass did. */
    public record DispatchResult(int claimed, int sent, int failed, int dead) {
        /** Null when every claimed message went out, else one line saying how many did not. */
        public String problem() {
            int notSent = failed + dead;
            return notSent == 0 ? null : notSent + " of " + claimed + " sends failed (" + failed + " to retry, " + dead
                    + " dead; `schedctl notifications list` shows why)";
        }

        DispatchResult plus(DispatchResult other) {
            return new DispatchResult(claimed + other.claimed, sent + other.sent, failed + other.failed, dead + other.dead);
        }
    }

    /** Told what each batch recorded (the daemon's metrics); called on the dispatching thread. */
    public interface DispatchObserver {
        DispatchObserver NONE = new DispatchObserver() {
        };

        /** {@code outcome} is sent, failed or dead. */
        default void recorded(String channel, String outcome, int count) {
        }

        /** How long after its due time one message went out. */
        default void lateness(String channel, double seconds) {
        }
    }

    /** A claimed batch: its messages, and the sealed phone numbers (V68) of its SMS, by notification id. */
    private record Batch(List<OutboundMessage> messages, Map<Long, NotificationDao.SealedRecipient> sealed) {
    }

    /** The outcome of one message: null error when delivered. */
    private record Outcome(OutboundMessage message, String error, Instant at) {
    }

    /**
     * One dispatch pass: batches of due rows until none is due (or the pass has run {@link #PASS_LIMIT}). Each batch
     * is claimed in one statement ({@code FOR UPDATE SKIP LOCKED} plus a lease, so other daemons claim other rows),
     * sent with no transaction open by up to {@code notifications.senders} parallel senders per channel (an email
     * sender keeps one SMTP connection for its share of the batch), and its outcomes are recorded in one transaction
     * of two set-based statements. An interrupt (the daemon stopping) ends the pass after recording what was sent;
     * rows still in flight keep their lease and are claimed again when it ends.
     */
    public DispatchResult sendDue() {
        // Operator work: the pass itself acts as the administrator, so only an administrator may start it (the
        // daemon does, as the built-in administrator).
        db.useTransaction(handle -> Access.requireAdmin(handle, "run a dispatch pass (notifications send-due)"));
        DispatchResult total = new DispatchResult(0, 0, 0, 0);
        long started = System.nanoTime();
        ExecutorService senders = Executors.newFixedThreadPool(config.senders() * Channels.Name.values().length, runnable -> {
            Thread thread = new Thread(runnable, "schedctl-sender");
            thread.setDaemon(true);
            return thread;
        });
        try {
            while (!Thread.currentThread().isInterrupted() && System.nanoTime() - started < PASS_LIMIT.toNanos()) {
                Batch batch = claim();
                List<OutboundMessage> messages = batch.messages();
                if (messages.isEmpty()) {
                    break;
                }
                List<Outcome> outcomes = send(batch, senders);
                // Record even when interrupted (the daemon stopping): the interrupt is held back over the transaction.
                boolean stopping = Thread.interrupted();
                total = total.plus(record(outcomes));
                if (stopping) {
                    Thread.currentThread().interrupt();
                    break;
                }
                if (messages.size() < config.batchSize()) {
                    break;
                }
            }
        } finally {
            senders.shutdownNow();
        }
        return total;
    }

    /** Claims a batch of due rows under a lease and reads what they need for sending. */
    private Batch claim() {
        Instant now = clock.instant();
        return dispatcher.inTransaction(handle -> {
            NotificationDao dao = handle.attach(NotificationDao.class);
            List<Long> ids = dao.claim(now, now.plus(config.lease()), config.batchSize());
            if (ids.isEmpty()) {
                return new Batch(List.of(), Map.of());
            }
            long[] claimedIds = ids.stream().mapToLong(Long::longValue).toArray();
            Map<Long, NotificationDao.SealedRecipient> sealed = new HashMap<>();
            dao.sealedRecipients(claimedIds).forEach(r -> sealed.put(r.id(), r));
            return new Batch(dao.messages(claimedIds), sealed);
        });
    }

    /**
     * Sends a batch: each channel's messages in up to {@code notifications.senders} runs of consecutive messages, one
     * sender per run, in parallel. Returns the outcome of every message that finished; when interrupted, those of the
     * runs that had finished.
     */
    private List<Outcome> send(Batch batch, ExecutorService pool) {
        List<OutboundMessage> messages = batch.messages();
        Map<String, List<OutboundMessage>> byChannel = new LinkedHashMap<>();
        for (OutboundMessage message : messages) {
            byChannel.computeIfAbsent(message.channel(), k -> new ArrayList<>()).add(message);
        }
        List<Future<List<Outcome>>> runs = new ArrayList<>();
        for (Map.Entry<String, List<OutboundMessage>> entry : byChannel.entrySet()) {
            Channel channel = channels.forName(entry.getKey());
            List<OutboundMessage> all = entry.getValue();
            int parts = Math.min(config.senders(), all.size());
            for (int part = 0; part < parts; part++) {
                List<OutboundMessage> run = all.subList(all.size() * part / parts, all.size() * (part + 1) / parts);
                runs.add(pool.submit(() -> sendRun(channel, run, batch.sealed())));
            }
        }
        List<Outcome> outcomes = new ArrayList<>(messages.size());
        boolean interrupted = false;
        for (Future<List<Outcome>> run : runs) {
            try {
                outcomes.addAll(interrupted ? run.get(0, TimeUnit.SECONDS) : run.get());
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (TimeoutException | CancellationException e) {
                run.cancel(true);
            } catch (ExecutionException e) {
                throw new IllegalStateException("a sender failed unexpectedly", e.getCause());
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return outcomes;
    }

    private List<Outcome> sendRun(Channel channel, List<OutboundMessage> run, Map<Long, NotificationDao.SealedRecipient> sealed) {
        List<Outcome> outcomes = new ArrayList<>(run.size());
        try (Channel.Sender sender = channel.sender()) {
            for (OutboundMessage message : run) {
                if (Thread.currentThread().isInterrupted()) {
                    break;
                }
                outcomes.add(new Outcome(message, deliver(sender, message, sealed.get(message.id())), clock.instant()));
            }
        }
        return outcomes;
    }

    /** Records a batch's outcomes in one transaction: one statement for the sent rows, one for the failed. */
    private DispatchResult record(List<Outcome> outcomes) {
        RetryPolicy retry = config.retry();
        List<Outcome> delivered = outcomes.stream().filter(o -> o.error() == null).toList();
        List<Outcome> failed = outcomes.stream().filter(o -> o.error() != null).toList();
        String[] statuses = failed.stream().map(o -> retry.exhausted(o.message().attempts()) ? "dead" : "failed").toArray(String[]::new);
        List<NotificationDao.Delivered> recorded = dispatcher.inTransaction(handle -> {
            NotificationDao dao = handle.attach(NotificationDao.class);
            if (!failed.isEmpty()) {
                dao.markFailed(ids(failed), attempts(failed), statuses,
                        failed.stream().map(o -> o.at().plus(retry.backoff(o.message().attempts())).toString()).toArray(String[]::new),
                        failed.stream().map(Outcome::error).toArray(String[]::new));
            }
            return delivered.isEmpty() ? List.<NotificationDao.Delivered>of()
                    : dao.markSent(ids(delivered), attempts(delivered), delivered.stream().map(o -> o.at().toString()).toArray(String[]::new));
        });
        Map<String, Integer> sentByChannel = new LinkedHashMap<>();
        for (NotificationDao.Delivered d : recorded) {
            sentByChannel.merge(d.channel(), 1, Integer::sum);
            observer.lateness(d.channel(), d.latenessSeconds());
        }
        sentByChannel.forEach((channel, count) -> observer.recorded(channel, "sent", count));
        int dead = 0;
        for (int i = 0; i < failed.size(); i++) {
            observer.recorded(failed.get(i).message().channel(), statuses[i], 1);
            dead += statuses[i].equals("dead") ? 1 : 0;
        }
        return new DispatchResult(outcomes.size(), delivered.size(), failed.size() - dead, dead);
    }

    private static long[] ids(List<Outcome> outcomes) {
        return outcomes.stream().mapToLong(o -> o.message().id()).toArray();
    }

    private static int[] attempts(List<Outcome> outcomes) {
        return outcomes.stream().mapToInt(o -> o.message().attempts()).toArray();
    }

    /** Sends one message; returns null when delivered, else the error to store. Never throws: one bad row must not end the pass. */
    private String deliver(Channel.Sender sender, OutboundMessage message, NotificationDao.SealedRecipient sealedPhone) {
        if (message.attempts() > config.retry().maxAttempts()) {
            return "gave up after " + config.retry().maxAttempts() + " attempts (the last sender stopped before recording a result)";
        }
        try {
            if (sealedPhone != null) {
                message = message.withRecipient(cipher.openPhone(sealedPhone.userId(), sealedPhone.keyId(), sealedPhone.sealed()));
            }
            sender.send(message);
            return null;
        } catch (DeliveryException e) {
            LOG.warn("notification {} ({} via {}) not delivered: {}", message.id(), message.kind(), message.channel(), e.getMessage());
            return e.getMessage();
        } catch (SchedException e) {
            // The recipient's sealed phone number does not open (its key is not configured, or it is damaged).
            LOG.warn("notification {} ({} via {}) not delivered: {}", message.id(), message.kind(), message.channel(), e.getMessage());
            return e.getMessage();
        } catch (RuntimeException e) {
            LOG.warn("notification {} ({} via {}) failed unexpectedly", message.id(), message.kind(), message.channel(), e);
            return "internal error while sending: " + e.getClass().getSimpleName();
        }
    }

    /** How many outbox rows are in each status (the daemon's queue-depth metric); operator work. */
    public Map<String, Long> queueDepth() {
        return dispatcher.inTransaction(handle -> {
            Map<String, Long> depth = new LinkedHashMap<>();
            handle.createQuery("SELECT status, count(*) FROM appointment_notifications GROUP BY status ORDER BY status")
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).forEach(e -> depth.put(e.getKey(), e.getValue()));
            return depth;
        });
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
