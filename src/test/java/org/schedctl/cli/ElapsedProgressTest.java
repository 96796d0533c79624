package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class ElapsedProgressTest {
    @Test
    void redrawsOneLineInPlaceAndClearsItAtTheEnd() {
        StringWriter text = new StringWriter();
        long t0 = 1_000_000_000L;
        ElapsedProgress p = new ElapsedProgress(new PrintWriter(text), "aggregating analytics, 2027-01-01 to 2027-12-31", t0, null);
        p.tick(t0 + TimeUnit.SECONDS.toNanos(2));
        p.tick(t0 + TimeUnit.MILLISECONDS.toNanos(12_400));
        assertEquals("\rschedctl: aggregating analytics, 2027-01-01 to 2027-12-31 … 2 s\u001b[K"
                + "\rschedctl: aggregating analytics, 2027-01-01 to 2027-12-31 … 12 s\u001b[K", text.toString());
        p.close();
        assertEquals("\r\u001b[K", text.toString().substring(text.toString().length() - 4), "the line is cleared before the result");
    }

    @Test
    void aQuickCallOrAPipeDrawsNothing() {
        StringWriter text = new StringWriter();
        new ElapsedProgress(new PrintWriter(text), "x", 0, null).close();
        assertEquals("", text.toString(), "nothing drawn, nothing to clear");
        ElapsedProgress off = new ElapsedProgress(null, "x", 0, null);
        off.tick(TimeUnit.SECONDS.toNanos(30));
        off.close();
    }
}
