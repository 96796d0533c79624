package org.schedctl.cli;

import java.time.Duration;
import java.time.LocalDate;

import org.schedctl.domain.Checked;
import org.schedctl.domain.Durations;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.TimeInput;
import org.schedctl.service.SeriesService;
import org.schedctl.service.SeriesService.ConflictMode;
import org.schedctl.service.Services;
import picocli.CommandLine.Option;

/** The options of `book` that make it book a series (issue 16), and of `series reschedule` for its conflicts. */
final class SeriesOptions {
    @Option(names = "--repeat", paramLabel = "RULE", description = "Book a series: an RRULE such as FREQ=WEEKLY;COUNT=12,"
            + " or weekly, fortnightly, daily, monthly with --until or --for-term") String repeat;
    @Option(names = "--until", paramLabel = "DATE", converter = Converters.CheckedDate.class,
            description = "With --repeat: the last day of the series (YYYY-MM-DD, included)") Checked<LocalDate> until;
    @Option(names = "--for-term", paramLabel = "NAME", description = "Book weekly (or --repeat) until the end of this term") String term;
    @Option(names = "--on-conflict", paramLabel = "MODE", description = "fail (default: all or nothing), skip (book the free dates)"
            + " or nearest (the nearest free time within --window)") String onConflict;
    @Option(names = "--window", paramLabel = "DURATION", description = "How far from the wanted time --on-conflict nearest looks (default 2h)") String window;
    @Option(names = "--dry-run", description = "Print the series' plan without booking") boolean dryRun;

    boolean wanted() {
        if (repeat == null && term == null) {
            if (until != null || onConflict != null || window != null || dryRun) {
                throw new InvalidInputException("--until, --on-conflict, --window and --dry-run book a series. Add --repeat RULE or --for-term NAME");
            }
            return false;
        }
        return true;
    }

    ConflictMode mode() {
        return ConflictMode.parse(onConflict);
    }

    Duration window() {
        return window == null ? null : Durations.parsePositive(window, "--window");
    }

    int book(AppContext ctx, Services services, String instructor, String type, String student, TimeInput.Arg at, String notes) {
        SeriesService.Booked plan = services.series().book(new SeriesService.SeriesRequest(instructor, type, student, at,
                ctx.zoneArg(), notes, repeat, until, term, mode(), window(), dryRun));
        ctx.output(plan.zone()).print(plan.occurrences());
        if (dryRun) {
            ctx.progress("dry run: nothing was booked");
        }
        return 0;
    }
}
