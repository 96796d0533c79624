package org.schedctl.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Progress of one long database call on a terminal: after the first {@link #FIRST} it redraws one stderr line in
 * place every second ("schedctl: aggregating analytics 2027-01-01 to 2027-12-31 … 12 s") and clears it when the
 * call ends, so the result printed after it stands alone. The database does the work in one statement, so the
 * line shows that it runs and for how long, not a fraction. Not on a pipe, in cron or with -q: {@link #start}
 * returns one that draws nothing.
 */
final class ElapsedProgress implements AutoCloseable {
    static final Duration FIRST = Duration.ofSeconds(2);

    private final PrintWriter err;
    private final String what;
    private final long started;
    private final ScheduledExecutorService timer;
    private boolean drawn;

    ElapsedProgress(PrintWriter err, String what, long startedNanos, ScheduledExecutorService timer) {
        this.err = err;
        this.what = what;
        this.started = startedNanos;
        this.timer = timer;
    }

    /** Draws on {@code ctx}'s stderr when it is a terminal and -q is not given. */
    static ElapsedProgress start(AppContext ctx, String what) {
        if (ctx.options().quiet || !ctx.stderrIsTerminal()) {
            return new ElapsedProgress(null, what, System.nanoTime(), null);
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "schedctl-progress");
            t.setDaemon(true);
            return t;
        });
        ElapsedProgress p = new ElapsedProgress(ctx.err(), what, System.nanoTime(), timer);
        timer.scheduleAtFixedRate(() -> p.tick(System.nanoTime()), FIRST.toMillis(), 1000, TimeUnit.MILLISECONDS);
        return p;
    }

    /** Redraws the line for the time {@code now} (System.nanoTime). */
    synchronized void tick(long now) {
        if (err == null) {
            return;
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(now - started);
        err.print("\rschedctl: " + what + " … " + seconds + " s\u001b[K");
        err.flush();
        drawn = true;
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
        if (drawn) {
            err.print("\r\u001b[K");
            err.flush();
            drawn = false;
        }
    }
}
