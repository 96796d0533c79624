package org.schedctl.cli;

import org.schedctl.domain.TimeInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "closure", description = "Closures: times nobody they cover can be booked (holidays, exam weeks, snow days).",
        subcommands = {ClosureCommand.Add.class, ClosureCommand.ListClosures.class, ClosureCommand.Remove.class,
                ClosureCommand.Import.class})
public final class ClosureCommand {

    @Command(name = "add", description = "Close the school (or one instructor) from --from to --to.")
    static final class Add extends BaseCommand {
        @Option(names = "--from", required = true, paramLabel = "TIME", converter = Converters.Time.class,
                description = "Start, e.g. 2027-12-24T00:00 (--tz, else the instructor's zone, else yours)") TimeInput.Arg from;
        @Option(names = "--to", required = true, paramLabel = "TIME", converter = Converters.Time.class,
                description = "End (excluded)") TimeInput.Arg to;
        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why, e.g. \"Winter holiday\"") String reason;
        @Option(names = "--instructor", paramLabel = "USER", description = "Close only this instructor (default: the whole school)") String instructor;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().closures().add(from, to, reason, instructor, ctx.zoneArg()));
            return 0;
        }
    }

    @Command(name = "list", description = "List closures (with --instructor: the school's and that instructor's).")
    static final class ListClosures extends BaseCommand {
        @Option(names = "--instructor", paramLabel = "USER") String instructor;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().closures().list(instructor));
            return 0;
        }
    }

    @Command(name = "remove", description = "Remove a closure.")
    static final class Remove extends BaseCommand {
        @Parameters(paramLabel = "ID") String id;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().closures().remove(id));
            return 0;
        }
    }

    @Command(name = "import", description = "Every event of a public-holiday .ics file becomes a closure (re-import is safe).")
    static final class Import extends BaseCommand {
        @Parameters(paramLabel = "FILE", description = "The .ics file, or - for stdin") String file;
        @Option(names = "--instructor", paramLabel = "USER", description = "Close only this instructor (default: the whole school)") String instructor;

        @Override
        protected int execute(AppContext ctx) {
            var result = services().closures().importFile(file, ctx.in(), instructor, ctx.zoneArg());
            result.warnings().forEach(ctx.err()::println);
            ctx.output(null).print(result);
            return 0;
        }
    }
}
