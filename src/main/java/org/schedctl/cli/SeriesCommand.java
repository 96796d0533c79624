package org.schedctl.cli;

import java.time.Duration;

import org.schedctl.domain.Durations;
import org.schedctl.domain.TimeInput;
import org.schedctl.service.SeriesService.ConflictMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "series", description = "Lesson series booked with `book --repeat`: list, show, cancel or move the rest.",
        subcommands = {SeriesCommand.ListSeries.class, SeriesCommand.Show.class, SeriesCommand.Cancel.class,
                SeriesCommand.Reschedule.class, SeriesCommand.Export.class})
public final class SeriesCommand {

    @Command(name = "list", description = "List series (the ones you may see).")
    static final class ListSeries extends BaseCommand {
        @Option(names = "--instructor", paramLabel = "USER") String instructor;
        @Option(names = "--student", paramLabel = "USER") String student;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().series().list(instructor, student));
            return 0;
        }
    }

    @Command(name = "show", description = "A series' occurrences with their status.")
    static final class Show extends BaseCommand {
        @Parameters(paramLabel = "SREF") String series;

        @Override
        protected int execute(AppContext ctx) {
            var rows = services().series().show(series);
            ctx.output(services().series().zoneOf(series)).print(rows);
            return 0;
        }
    }

    @Command(name = "cancel", description = "Cancel this and the following occurrences (each by its cancellation policy; one message).")
    static final class Cancel extends BaseCommand {
        @Parameters(paramLabel = "SREF") String series;
        @Option(names = "--from", paramLabel = "REF|DATE", description = "The first occurrence to cancel: its reference, or a date"
                + " (default: every one still to come)", converter = Converters.SeriesPosition.class)
        org.schedctl.domain.Checked<org.schedctl.service.SeriesService.Position> from;
        @Option(names = "--reason") String reason;
        @Option(names = "--waive-fee", description = "Charge no cancellation fees") boolean waiveFee;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().series().cancel(series, from, reason, waiveFee));
            return 0;
        }
    }

    @Command(name = "reschedule", description = "Move this and the following occurrences by the same local offset.")
    static final class Reschedule extends BaseCommand {
        @Parameters(paramLabel = "SREF") String series;
        @Option(names = "--from", required = true, paramLabel = "REF", description = "The first occurrence to move") String from;
        @Option(names = "--to", required = true, paramLabel = "TIME", converter = Converters.Time.class,
                description = "Its new start; the following ones move by the same local offset") TimeInput.Arg to;
        @Option(names = "--on-conflict", paramLabel = "MODE", description = "fail (default), skip (leave it) or nearest") String onConflict;
        @Option(names = "--window", paramLabel = "DURATION", description = "How far --on-conflict nearest looks (default 2h)") String window;

        @Override
        protected int execute(AppContext ctx) {
            Duration w = window == null ? null : Durations.parsePositive(window, "--window");
            var rows = services().series().reschedule(series, from, to, ctx.zoneArg(), ConflictMode.parse(onConflict), w);
            ctx.output(services().series().zoneOf(series)).print(rows);
            return 0;
        }
    }

    @Command(name = "export", description = "The series as one calendar event (RRULE, EXDATE, RECURRENCE-ID overrides).")
    static final class Export extends BaseCommand {
        @Parameters(paramLabel = "SREF") String series;
        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Write to FILE instead of stdout") java.nio.file.Path file;

        @Override
        protected int execute(AppContext ctx) {
            String ics = services().series().ics(series);
            ExportCommand.write(ctx, file, "series.ics", true, out -> out.print(ics));
            return 0;
        }
    }
}
