package org.schedctl.cli;

import org.schedctl.service.CalendarImportService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", description = "Import from other systems.", subcommands = {ImportCommand.Ics.class})
public final class ImportCommand {

    @Command(name = "ics", description = "An external calendar's busy times become unavailable blocks (re-import is safe).")
    static final class Ics extends BaseCommand {
        @Parameters(paramLabel = "FILE", description = "The .ics file, or - for stdin") String file;
        @Option(names = "--instructor", required = true, paramLabel = "USER") String instructor;
        @Option(names = "--calendar", paramLabel = "NAME", description = "Which of the instructor's calendars this file is"
                + " (default: default); a re-import replaces that calendar's events only") String calendar;

        @Override
        protected int execute(AppContext ctx) {
            var result = services().calendarImport().importFile(file, ctx.in(), instructor, calendar, ctx.clock());
            result.warnings().forEach(ctx.err()::println);
            ctx.output(null).print(result);
            return 0;
        }
    }
}
