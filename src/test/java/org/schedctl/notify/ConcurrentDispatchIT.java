package org.schedctl.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.service.NotificationService;
import org.schedctl.service.NotificationService.DispatchResult;
import org.schedctl.test.TestDatabase;

/** Several dispatch passes at once (several daemons, or cron overlapping a daemon) never send a row twice. */
class ConcurrentDispatchIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Instant T0 = Instant.parse("2027-11-07T05:30:00Z");
    private static final int ROWS = 120;
    private static final int PASSES = 4;

    @Test
    void concurrentPassesSendEachRowExactlyOnce() throws Exception {
        OutboxFixture outbox = new OutboxFixture(db, T0.plus(Duration.ofDays(1)));
        for (int i = 0; i < ROWS; i++) {
            outbox.notification("reminder", "webhook", "ops", "Reminder " + i, T0, "concurrent-" + i);
        }
        try (RecordingHttpServer http = new RecordingHttpServer()) {
            // Small batches so that the passes interleave many claims instead of one pass taking everything.
            NotifyConfig config = OutboxFixture.config("webhook.url", http.url("/hook"), "webhook.secret", "k", "notifications.batch", "5");
            ExecutorService pool = Executors.newFixedThreadPool(PASSES);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<DispatchResult>> passes = new ArrayList<>();
            for (int p = 0; p < PASSES; p++) {
                NotificationService service = new NotificationService(db.database(), config, new OutboxFixture.MutableClock(T0));
                Callable<DispatchResult> pass = () -> {
                    start.await();
                    return service.sendDue();
                };
                passes.add(pool.submit(pass));
            }
            start.countDown();
            int claimed = 0;
            for (Future<DispatchResult> pass : passes) {
                DispatchResult result = pass.get(60, TimeUnit.SECONDS);
                assertEquals(result.claimed(), result.sent(), result.toString());
                claimed += result.claimed();
            }
            pool.shutdown();

            assertEquals(ROWS, claimed, "every row claimed by exactly one pass");
            Map<String, Long> perKey = http.requests.stream()
                    .collect(Collectors.groupingBy(r -> r.header("Idempotency-Key"), Collectors.counting()));
            assertEquals(ROWS, perKey.size());
            assertEquals(Map.of(1L, (long) ROWS), perKey.values().stream()
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting())), "no key delivered twice");
            long sent = db.database().inTransaction(h -> h.createQuery(
                    "SELECT count(*) FROM appointment_notifications WHERE status = 'sent' AND attempts = 1").mapTo(Long.class).one());
            assertEquals(ROWS, sent);
        }
    }
}
