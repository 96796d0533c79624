package org.schedctl.daemon;

import java.net.ConnectException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.function.Consumer;

import javax.sql.DataSource;

/**
 * The daemon's view of the database: up, or down since some moment. A watcher thread checks it every
 * {@link #CHECK_EVERY} while it is up and, during an outage, retries with backoff (1 s doubling to 30 s); a job whose
 * connection failed starts the outage at once. The start and the end of an outage are reported once each, however
 * many jobs fail meanwhile (Quartz itself retries its job store every 2 s and picks up where it was).
 */
public final class Outage implements AutoCloseable {
    static final Duration CHECK_EVERY = Duration.ofSeconds(5);
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration MAX_RETRY = Duration.ofSeconds(30);

    private final Consumer<String> report;
    private long downSince = -1;
    private Thread watcher;

    public Outage(Consumer<String> report) {
        this.report = report;
    }

    /** Whether the failure means the database cannot be reached (as opposed to a job's own error). */
    public static boolean isConnectionLoss(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof ConnectException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    public synchronized boolean down() {
        return downSince >= 0;
    }

    /** Starts watching the database through {@code pool}. */
    public void watch(DataSource pool) {
        watcher = new Thread(() -> {
            Duration wait = CHECK_EVERY;
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                try (Connection connection = pool.getConnection()) {
                    if (!connection.isValid(5)) {
                        throw new SQLException("the connection is not valid", "08006");
                    }
                    succeeded();
                    wait = CHECK_EVERY;
                } catch (SQLException e) {
                    boolean wasDown = down();
                    failed(e);
                    wait = !wasDown ? FIRST_RETRY : wait.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait.multipliedBy(2);
                }
            }
        }, "schedctl-database-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    synchronized void failed(Throwable error) {
        if (downSince >= 0) {
            return;
        }
        downSince = System.nanoTime();
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String cause = String.valueOf(root.getMessage()).lines().findFirst().orElse("");
        report.accept("database unreachable (" + cause + "); retrying with backoff up to every " + MAX_RETRY.toSeconds() + " s");
    }

    synchronized void succeeded() {
        if (downSince < 0) {
            return;
        }
        long seconds = Duration.ofNanos(System.nanoTime() - downSince).toSeconds();
        downSince = -1;
        report.accept("database reachable again after " + seconds + " s; resuming");
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.interrupt();
        }
    }
}
