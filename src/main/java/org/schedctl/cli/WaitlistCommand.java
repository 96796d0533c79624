package org.schedctl.cli;

import org.schedctl.service.WaitlistService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "waitlist", description = "Students waiting for a time; a freed slot is offered to the first in line.",
        subcommands = {WaitlistCommand.Add.class, WaitlistCommand.ListEntries.class, WaitlistCommand.Remove.class})
public final class WaitlistCommand {


    @Command(name = "add", description = "Put a student on the waitlist for a window.")
    static final class Add extends BaseCommand {
        @Option(names = "--instructor", required = true, paramLabel = "USER") String instructor;
        @Option(names = "--type", required = true, paramLabel = "TYPE") String type;
        @Option(names = "--student", required = true, paramLabel = "USER") String student;
        @Option(names = "--from", required = true, paramLabel = "TIME", converter = Converters.Time.class) org.schedctl.domain.TimeInput.Arg from;
        @Option(names = "--to", required = true, paramLabel = "TIME", converter = Converters.Time.class) org.schedctl.domain.TimeInput.Arg to;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().waitlist().add(instructor, type, student, from, to, ctx.zoneArg()));
            return 0;
        }
    }

    @Command(name = "list", description = "List waitlist entries (waiting and offered unless --status or --all).")
    static final class ListEntries extends BaseCommand {
        @Option(names = "--instructor", paramLabel = "USER") String instructor;
        @Option(names = "--student", paramLabel = "USER") String student;
        @Option(names = "--status", paramLabel = "STATUS") String status;
        @Option(names = "--all", description = "Include booked, expired and removed entries") boolean all;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().waitlist().list(instructor, student, status, all));
            return 0;
        }
    }

    @Command(name = "remove", description = "Take an entry off the waitlist.")
    static final class Remove extends BaseCommand {
        @Parameters(paramLabel = "ID") String id;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().waitlist().remove(id));
            return 0;
        }
    }
}
