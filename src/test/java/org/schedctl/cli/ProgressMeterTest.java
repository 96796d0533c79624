package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** Issue 14: the progress line shows rate and time left, redraws at most ten times a second, and NONE writes nothing. */
class ProgressMeterTest {
    @Test
    void rateAndEtaFromAKnownTotal() {
        ProgressMeter meter = new ProgressMeter(null, "import a.csv", 100L << 20, "B", System::nanoTime);
        assertEquals("import a.csv [#####               ] 25% 25.0 MB 5.0 MB/s ETA 0:15  merging",
                meter.line(25L << 20, "merging", 5.0));
        ProgressMeter rows = new ProgressMeter(null, "export csv", 0, "rows", System::nanoTime);
        assertEquals("export csv 3000 rows 1500 rows/s", rows.line(3000, null, 2.0));
    }

    @Test
    void redrawsAtMostTenTimesASecondAndNoneIsSilent() {
        AtomicLong now = new AtomicLong();
        StringWriter text = new StringWriter();
        ProgressMeter meter = new ProgressMeter(new PrintWriter(text), "export csv", 0, "rows", now::get);
        for (int i = 1; i <= 100; i++) {
            now.addAndGet(10_000_000L); // 10 ms per row: one second in all
            meter.update(i, null);
        }
        meter.finish();
        long draws = text.toString().chars().filter(c -> c == '\r').count();
        assertTrue(draws >= 9 && draws <= 11, text.toString());
        ProgressMeter.NONE.update(5, "x");
        ProgressMeter.NONE.finish();
    }
}
