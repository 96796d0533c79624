package org.schedctl.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.calendar.ExportedAppointment;
import org.schedctl.service.ExportService;
import org.schedctl.service.ExportService.Selection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export", description = "Calendar and data export.",
        subcommands = {ExportCommand.Ics.class, ExportCommand.Csv.class, ExportCommand.Json.class, ExportCommand.Links.class})
public final class ExportCommand {

    /** Which appointments, shared by every export format. */
    static final class SelectionOptions {
        @Option(names = "--instructor", paramLabel = "USER") String instructor;
        @Option(names = "--student", paramLabel = "USER") String student;
        @Option(names = "--ref", paramLabel = "REF") String reference;
        @Mixin DateRangeOptions days;
        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Write to FILE instead of stdout") Path file;

        Selection selection(AppContext ctx) {
            return new Selection(instructor, student, reference, days.from(), days.to(), ctx.zoneArg(), ctx.systemZone());
        }
    }

    /**
     * Runs the writer against stdout or the -f file ({@link OutputFile}: into a directory under {@code defaultName},
     * replaced only once all output is written, 0600 when {@code secret}).
     */
    static void write(AppContext ctx, Path file, String defaultName, boolean secret, java.util.function.Consumer<PrintWriter> body) {
        if (file == null) {
            body.accept(ctx.out());
            ctx.out().flush();
            return;
        }
        Path written = OutputFile.write(file, defaultName, secret, stream -> {
            PrintWriter writer = new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
            body.accept(writer);
            writer.flush();
        });
        ctx.progress("wrote " + written);
    }

    @Command(name = "ics", description = "Appointments as an iCalendar (RFC 5545) file, streamed (no limit on the count).")
    static final class Ics extends BaseCommand {
        @Mixin SelectionOptions options;
        @Option(names = "--feed", description = "A subscription feed of --instructor or --student: RFC 7986 NAME,"
                + " REFRESH-INTERVAL and SOURCE, and bytes that change only when the appointments do") boolean feed;
        @Option(names = "--name", paramLabel = "TEXT", description = "The feed's name (with --feed)") String name;
        @Option(names = "--refresh", paramLabel = "DURATION", description = "How often subscribers refresh (with --feed; default 1h)") String refresh;
        @Option(names = "--source", paramLabel = "URL", description = "Where the feed is published (with --feed)") String source;

        @Override
        protected int execute(AppContext ctx) {
            ExportService.FeedOptions feedOptions = null;
            if (feed) {
                java.time.Duration every = refresh == null ? null : org.schedctl.domain.Durations.parsePositive(refresh, "--refresh");
                if (every != null && every.toMinutes() < 1) {
                    throw new InvalidInputException("--refresh " + refresh + " is under a minute. Give e.g. 15m or 1h");
                }
                if (source != null && !source.matches("(?i)(https?|webcal)://[^\\s]+")) {
                    throw new InvalidInputException("--source '" + source + "' is not an http(s) or webcal URL. Give where the feed is published");
                }
                feedOptions = new ExportService.FeedOptions(name, every, source);
            } else if (name != null || refresh != null || source != null) {
                throw new InvalidInputException("--name, --refresh and --source describe a feed. Add --feed");
            }
            ExportService.FeedOptions f = feedOptions;
            ExportService service = services().exports();
            write(ctx, options.file, "appointments.ics", true, w -> service.ics(options.selection(ctx), ctx.clock(), f, w));
            return 0;
        }
    }

    @Command(name = "csv", description = "Appointments as CSV, streamed.")
    static final class Csv extends BaseCommand {
        @Mixin SelectionOptions options;

        @Override
        protected int execute(AppContext ctx) {
            streamRows(ctx, services().exports(), options, OutputFormat.csv);
            return 0;
        }
    }

    /** CSV or JSON rows straight from the export cursor. */
    static void streamRows(AppContext ctx, ExportService service, SelectionOptions options, OutputFormat format) {
        write(ctx, options.file, "appointments." + format.name(), true, w -> service.stream(options.selection(ctx), false, new ExportService.Sink() {
            Output.RowStream rows;

            @Override
            public void begin(java.time.ZoneId zone, org.schedctl.domain.User person, java.util.List<org.schedctl.calendar.IcsWriter.ZoneSpan> zones) {
                rows = new Output(w, format, ctx.displayZone(zone)).rows(csvHeader(ExportedAppointment.class));
            }

            @Override
            public void row(ExportedAppointment appointment) {
                rows.add(appointment);
            }

            @Override
            public void end() {
                rows.finish();
            }
        }));
    }

    /** The header line of a record's CSV, so an empty export is still a CSV file with its columns. */
    static String csvHeader(Class<? extends Record> type) {
        return java.util.Arrays.stream(type.getRecordComponents())
                .map(c -> c.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT))
                .collect(java.util.stream.Collectors.joining(","));
    }

    @Command(name = "json", description = "Appointments as one JSON array, streamed.")
    static final class Json extends BaseCommand {
        @Mixin SelectionOptions options;

        @Override
        protected int execute(AppContext ctx) {
            streamRows(ctx, services().exports(), options, OutputFormat.json);
            return 0;
        }
    }

    @Command(name = "links", description = "Google Calendar and Outlook links for one appointment.")
    static final class Links extends BaseCommand {
        @Parameters(paramLabel = "REF") String reference;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().exports().links(reference));
            return 0;
        }
    }
}
