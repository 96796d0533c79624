package org.schedctl.cli;

import java.time.LocalDate;

import org.schedctl.domain.Checked;
import picocli.CommandLine.Option;

/** {@code --from DAY --to DAY}: whole days, both included, read by picocli as dates. */
public final class DateRangeOptions {
    @Option(names = "--from", paramLabel = "DATE", converter = Converters.CheckedDate.class, description = "First day (YYYY-MM-DD), included")
    Checked<LocalDate> from;

    @Option(names = "--to", paramLabel = "DATE", converter = Converters.CheckedDate.class, description = "Last day (YYYY-MM-DD), included")
    Checked<LocalDate> to;

    public Checked<LocalDate> from() {
        return from;
    }

    public Checked<LocalDate> to() {
        return to;
    }
}
