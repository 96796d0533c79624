package org.schedctl.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.schedctl.domain.Checked;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.TimeInput;
import org.schedctl.service.AvailabilityImportService;
import org.schedctl.service.AvailabilityImportService.ImportResult;
import org.schedctl.service.AvailabilityService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "availability", description = "Weekly patterns, time blocks, CSV import and export, free slots.",
        subcommands = {AvailabilityCommand.Set.class, AvailabilityCommand.ListRules.class, AvailabilityCommand.Block.class,
                AvailabilityCommand.Unblock.class, AvailabilityCommand.Import.class, AvailabilityCommand.Export.class,
                AvailabilityCommand.Slots.class})
public final class AvailabilityCommand {
    /** Files above this size get a progress bar when stderr is a terminal. */
    private static final long LARGE_FILE_BYTES = 2L * 1024 * 1024;

    @Command(name = "set", description = "Add a weekly range (merged with ranges it overlaps or touches).")
    static final class Set extends BaseCommand {
        @Parameters(paramLabel = "USER", description = "Instructor, by email or id") String instructor;
        @Option(names = "--day", required = true, paramLabel = "DAY", description = "MON..SUN") String day;
        @Option(names = "--from", required = true, paramLabel = "HH:MM") String from;
        @Option(names = "--to", required = true, paramLabel = "HH:MM", description = "End of the range, after --from; 24:00 for a range that ends at midnight") String to;
        @Option(names = "--type", paramLabel = "TYPE", description = "Only for this appointment type") String type;
        @Option(names = "--effective-from", paramLabel = "DATE") String effectiveFrom;
        @Option(names = "--effective-until", paramLabel = "DATE") String effectiveUntil;

        @Override
        protected int execute(AppContext ctx) {
            var rule = services().availability().set(new AvailabilityService.SetRequest(instructor,
                    Checked.read(day, AvailabilityService::day), Checked.read(from, text -> AvailabilityService.time(text, "--from")),
                    Checked.read(to, text -> AvailabilityService.endTime(text, "--to")), type,
                    Checked.readOrNull(effectiveFrom, TimeInput::parseDate), Checked.readOrNull(effectiveUntil, TimeInput::parseDate),
                    ctx.zoneArg()));
            ctx.output(null).print(rule);
            return 0;
        }
    }

    @Command(name = "list", description = "List an instructor's weekly rules and time blocks.")
    static final class ListRules extends BaseCommand {
        @Parameters(paramLabel = "USER") String instructor;

        @Override
        protected int execute(AppContext ctx) {
            var listing = services().availability().list(instructor);
            ctx.output(listing.zone()).print(listing.entries());
            return 0;
        }
    }

    @Command(name = "block", description = "Block time (or add extra time with --available), optionally repeated by an RRULE.")
    static final class Block extends BaseCommand {
        @Parameters(paramLabel = "USER") String instructor;
        @Option(names = "--from", required = true, paramLabel = "TIME") String from;
        @Option(names = "--to", required = true, paramLabel = "TIME") String to;
        @Option(names = "--rrule", paramLabel = "RULE", description = "RFC 5545 RRULE, e.g. FREQ=WEEKLY;COUNT=10") String rrule;
        @Option(names = "--available", description = "Extra availability instead of a blackout") boolean available;
        @Option(names = "--reason", paramLabel = "TEXT") String reason;
        @Option(names = "--exdate", paramLabel = "TIME", split = ",", description = "Leave out the occurrence starting at "
                + "this local date-time (read like --from; repeat or separate with commas); needs --rrule") java.util.List<String> exdates;

        @Override
        protected int execute(AppContext ctx) {
            var block = services().availability().block(new AvailabilityService.BlockRequest(instructor,
                    TimeInput.Arg.read(from), TimeInput.Arg.read(to), rrule, available, reason, ctx.zoneArg(),
                    exdates == null ? java.util.List.of() : exdates.stream().map(TimeInput.Arg::read).toList()), ctx.clock().instant());
            ctx.output(java.time.ZoneId.of(block.timezone())).print(block);
            return 0;
        }
    }

    @Command(name = "unblock", description = "Remove a time block.")
    static final class Unblock extends BaseCommand {
        @Parameters(paramLabel = "ID") String id;

        @Override
        protected int execute(AppContext ctx) {
            var block = services().availability().unblock(id);
            ctx.output(java.time.ZoneId.of(block.timezone())).print(block);
            return 0;
        }
    }

    @Command(name = "import", description = "Import weekly rules and blocks from a CSV file (all or nothing).")
    static final class Import extends BaseCommand {
        @Parameters(paramLabel = "FILE", description = "CSV file, or - for stdin") String file;
        @Option(names = "--dry-run", description = "Check and report what would change; write nothing") boolean dryRun;
        @Option(names = "--replace", description = "Replace the weekly patterns of the instructors in the file") boolean replace;

        @Override
        protected int execute(AppContext ctx) throws IOException {
            boolean stdin = file.equals("-");
            long size = stdin ? -1 : size(Path.of(file));
            // Drawn only on a terminal's stderr (never into `2>log`), for files large enough to take a while.
            ProgressMeter meter = size > LARGE_FILE_BYTES ? ctx.progressMeter("import " + file, size, "B") : ProgressMeter.NONE;
            AvailabilityImportService.Progress progress = meter == ProgressMeter.NONE ? AvailabilityImportService.Progress.NONE
                    : (phase, fraction) -> meter.update(Math.round(fraction * size), phase);
            // Students manage no availability: refused before the file is read. An instructor naming another
            // instructor in the file is refused by row-level security (exit 6) and nothing is written.
            backend.database().useTransaction(h -> org.schedctl.service.Access.requireNotStudent(h, "import availability"));
            AvailabilityImportService service = services().availabilityImport();
            ImportResult result = null;
            if (replace && !dryRun && !stdin && ctx.wouldAsk()) {
                // --replace deletes rules. On a terminal, without --yes, it asks first when it would delete any: a dry
                // run counts them. Scripts and cron (no terminal, or the CSV on stdin) run as CLI.md lists the
                // command, without a question, so existing non-interactive imports keep working.
                try (InputStream in = new BufferedInputStream(Files.newInputStream(Path.of(file)), 1 << 16)) {
                    ImportResult preview = service.importCsv(in, file, true, true, ctx.clock().instant(), AvailabilityImportService.Progress.NONE);
                    if (!preview.ok()) {
                        result = preview;
                    } else if (preview.removed() > 0) {
                        ctx.confirm("--replace removes " + preview.removed() + " stored weekly rule" + (preview.removed() == 1 ? "" : "s")
                                + " of the instructors in " + file + " (" + preview.created() + " created, " + preview.unchanged()
                                + " unchanged)");
                    }
                }
            }
            if (result == null) {
                try (InputStream in = stdin ? ctx.in() : new BufferedInputStream(Files.newInputStream(Path.of(file)), 1 << 16)) {
                    result = service.importCsv(in, stdin ? "-" : file, dryRun, replace, ctx.clock().instant(), progress);
                }
            }
            meter.finish();
            if (!result.ok()) {
                ImportResult failed = result;
                failed.errors().forEach(e -> ctx.err().println(AvailabilityImportService.describe(failed, e)));
                if (ctx.options().output == OutputFormat.json) {
                    ctx.output(null).print(result);
                }
                throw AvailabilityImportService.failure(result);
            }
            ctx.output(null).print(result);
            return 0;
        }

        private static long size(Path path) {
            try {
                return Files.size(path);
            } catch (NoSuchFileException e) {
                throw new InvalidInputException("file " + path + " does not exist. Give an existing CSV file, or - for stdin");
            } catch (IOException e) {
                throw new InvalidInputException("cannot read " + path + " (" + e.getMessage() + "). Check the path and its permissions");
            }
        }
    }

    @Command(name = "export", description = "Write an instructor's weekly rules and blocks as CSV (re-importable).")
    static final class Export extends BaseCommand {
        @Parameters(paramLabel = "USER") String instructor;
        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Write here instead of stdout") Path target;

        @Override
        protected int execute(AppContext ctx) throws IOException {
            String csv = services().availability().export(instructor);
            if (target == null) {
                ctx.out().print(csv);
                ctx.out().flush();
            } else {
                Path written = OutputFile.write(target, "availability.csv", false, out -> out.write(csv.getBytes(StandardCharsets.UTF_8)));
                ctx.progress("wrote " + written);
            }
            return 0;
        }
    }

    @Command(name = "slots", description = "Free slots of an instructor for a type, in the instructor's zone by default.")
    static final class Slots extends BaseCommand {
        @Option(names = "--instructor", required = true, paramLabel = "USER") String instructor;
        @Option(names = "--type", required = true, paramLabel = "TYPE") String type;
        @Option(names = "--from", required = true, paramLabel = "DATE", converter = Converters.CheckedDate.class,
                description = "First day (inclusive)") org.schedctl.domain.Checked<java.time.LocalDate> from;
        @Option(names = "--to", required = true, paramLabel = "DATE", converter = Converters.CheckedDate.class,
                description = "Last day (inclusive)") org.schedctl.domain.Checked<java.time.LocalDate> to;

        @Override
        protected int execute(AppContext ctx) {
            var list = services().availability().slots(instructor, type, from, to, ctx.zoneArg(), ctx.clock().instant());
            ctx.output(list.zone()).print(list.slots());
            return 0;
        }
    }
}
