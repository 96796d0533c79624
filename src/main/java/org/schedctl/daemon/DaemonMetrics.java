package org.schedctl.daemon;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.schedctl.service.NotificationService;

/**
 * {@code daemon --metrics ADDR}: Prometheus metrics (Micrometer's Prometheus registry) and a health check, served by
 * the JDK's HTTP server. {@code GET /metrics}: outbox depth by status (read from the database at each scrape), sends by
 * channel and outcome, lateness of sent messages (seconds after due), job runs by job and outcome.
 * {@code GET /health}: 200 while the database is reachable, 503 during an outage.
 */
public final class DaemonMetrics implements NotificationService.DispatchObserver, DaemonTasks.RunListener, AutoCloseable {
    static final List<String> STATUSES = List.of("pending", "sending", "sent", "failed", "dead", "cancelled");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Double> depth = new ConcurrentHashMap<>();
    private final DistributionSummary lateness;
    private HttpServer server;
    private ExecutorService executor;

    public DaemonMetrics() {
        lateness = DistributionSummary.builder("schedctl.notification.lateness")
                .description("How long after its due time a message was sent")
                .baseUnit("seconds")
                .serviceLevelObjectives(1, 5, 10, 30, 60, 300, 900, 3600)
                .register(registry);
        for (String status : STATUSES) {
            depth.put(status, Double.NaN);
            Gauge.builder("schedctl.outbox.messages", depth, d -> d.getOrDefault(status, Double.NaN))
                    .description("Outbox rows by status, as of the last scrape")
                    .tag("status", status)
                    .register(registry);
        }
    }

    @Override
    public void recorded(String channel, String outcome, int count) {
        Counter.builder("schedctl.notification.sends").description("Send attempts by channel and outcome (sent, failed, dead)")
                .tag("channel", channel).tag("outcome", outcome).register(registry).increment(count);
    }

    @Override
    public void lateness(String channel, double seconds) {
        lateness.record(Math.max(0, seconds));
    }

    @Override
    public void ran(String task, boolean ok) {
        Counter.builder("schedctl.daemon.job.runs").description("Job runs by job and outcome (ok, failed)")
                .tag("job", task).tag("outcome", ok ? "ok" : "failed").register(registry).increment();
    }

    /**
     * Serves on {@code address}; {@code queueDepth} is read at each scrape (its failure leaves the gauges NaN), and
     * {@code healthy} answers the health check.
     */
    public void serve(InetSocketAddress address, Supplier<Map<String, Long>> queueDepth, BooleanSupplier healthy) throws IOException {
        server = HttpServer.create(address, 0);
        server.createContext("/metrics", exchange -> {
            try {
                Map<String, Long> now = queueDepth.get();
                for (String status : STATUSES) {
                    depth.put(status, now.getOrDefault(status, 0L).doubleValue());
                }
            } catch (RuntimeException e) {
                STATUSES.forEach(status -> depth.put(status, Double.NaN));
            }
            answer(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
        });
        server.createContext("/health", exchange -> {
            boolean up = healthy.getAsBoolean();
            answer(exchange, up ? 200 : 503, "application/json",
                    up ? "{\"status\":\"up\"}\n" : "{\"status\":\"down\",\"database\":\"unreachable\"}\n");
        });
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "schedctl-metrics");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static void answer(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        exchange.close();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }
}
