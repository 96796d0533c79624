package org.schedctl.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress line for long jobs, redrawn in place on stderr at most ten times a second, with the rate and, when the
 * total is known, the time left: {@code import availability.csv [#####     ] 48% 12.4 MB 3.1 MB/s ETA 0:04}. Only
 * when stderr is this process's terminal and not -q ({@link AppContext#progressMeter}); elsewhere (logs, pipes,
 * cron) the {@link #NONE} meter writes nothing.
 */
public class ProgressMeter {
    /** Writes nothing. */
    public static final ProgressMeter NONE = new ProgressMeter(null, "", 0, "", System::nanoTime);

    private final PrintWriter err;
    private final String label;
    private final long total;
    private final String unit;
    private final LongSupplier nanos;
    private final long started;
    private long lastDraw;
    private boolean drawn;

    ProgressMeter(PrintWriter err, String label, long total, String unit, LongSupplier nanos) {
        this.err = err;
        this.label = label;
        this.total = total;
        this.unit = unit;
        this.nanos = nanos;
        this.started = nanos.getAsLong();
    }

    /** {@code done} of the total (or of an unknown total when it is 0) is done; {@code phase} says what runs now. */
    public void update(long done, String phase) {
        if (err == null) {
            return;
        }
        long now = nanos.getAsLong();
        if (drawn && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        drawn = true;
        err.print("\r" + line(done, phase, (now - started) / 1e9) + "\u001b[K");
        err.flush();
    }

    /** Ends the line (once something was drawn). */
    public void finish() {
        if (err != null && drawn) {
            err.println();
            err.flush();
        }
    }

    /** The text of one redraw: bar and percentage when the total is known, amount, rate, time left. */
    String line(long done, String phase, double seconds) {
        StringBuilder sb = new StringBuilder(label);
        if (total > 0) {
            double fraction = Math.min(1, (double) done / total);
            int filled = (int) Math.round(fraction * 20);
            sb.append(" [").append("#".repeat(filled)).append(" ".repeat(20 - filled)).append("] ")
                    .append(Math.round(fraction * 100)).append('%');
        }
        sb.append(' ').append(amount(done));
        double rate = seconds > 0 ? done / seconds : 0;
        if (rate > 0) {
            sb.append(' ').append(amount((long) rate)).append("/s");
            if (total > 0 && done < total) {
                long left = Math.round((total - done) / rate);
                sb.append(" ETA ").append(left / 60).append(':').append(String.format(Locale.ROOT, "%02d", left % 60));
            }
        }
        if (phase != null && !phase.isEmpty()) {
            sb.append("  ").append(phase);
        }
        return sb.toString();
    }

    private String amount(long n) {
        if (unit.equals("B")) {
            return n >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MB", n / 1048576.0) : String.format(Locale.ROOT, "%.0f kB", n / 1024.0);
        }
        return n + " " + unit;
    }
}
