package org.schedctl.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

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
        @Option(names = "--from", paramLabel = "DATE", description = "First day (YYYY-MM-DD), inclusive") String from;
        @Option(names = "--to", paramLabel = "DATE", description = "Last day (YYYY-MM-DD), inclusive") String to;
        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Write to FILE instead of stdout") Path file;

        Selection selection(AppContext ctx) {
            return new Selection(instructor, student, reference, from, to, ctx.tz(), ctx.systemZone());
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

    @Command(name = "ics", description = "Appointments as an iCalendar (RFC 5545) file.")
    static final class Ics extends BaseCommand {
        @Mixin SelectionOptions options;

        @Override
        protected int execute(AppContext ctx) {
            String ics = services().exports().ics(options.selection(ctx), ctx.clock());
            write(ctx, options.file, "appointments.ics", true, w -> w.print(ics));
            return 0;
        }
    }

    @Command(name = "csv", description = "Appointments as CSV.")
    static final class Csv extends BaseCommand {
        @Mixin SelectionOptions options;

        @Override
        protected int execute(AppContext ctx) {
            var selected = services().exports().select(options.selection(ctx));
            write(ctx, options.file, "appointments.csv", true, w -> {
                if (selected.appointments().isEmpty()) {
                    w.println(csvHeader(org.schedctl.domain.calendar.ExportedAppointment.class));
                } else {
                    new Output(w, OutputFormat.csv, ctx.displayZone(selected.zone())).print(selected.appointments());
                }
            });
            return 0;
        }
    }

    /** The header line of a record's CSV, so an empty export is still a CSV file with its columns. */
    static String csvHeader(Class<? extends Record> type) {
        return java.util.Arrays.stream(type.getRecordComponents())
                .map(c -> c.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT))
                .collect(java.util.stream.Collectors.joining(","));
    }

    @Command(name = "json", description = "Appointments as one JSON array.")
    static final class Json extends BaseCommand {
        @Mixin SelectionOptions options;

        @Override
        protected int execute(AppContext ctx) {
            var selected = services().exports().select(options.selection(ctx));
            write(ctx, options.file, "appointments.json", true, w -> new Output(w, OutputFormat.json, ctx.displayZone(selected.zone())).print(selected.appointments()));
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
