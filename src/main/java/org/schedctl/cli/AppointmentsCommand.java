package org.schedctl.cli;

import org.schedctl.service.BookingService.ListFilter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "appointments", description = "Read appointments, with their history.",
        subcommands = {AppointmentsCommand.ListAppointments.class, AppointmentsCommand.Show.class})
public final class AppointmentsCommand {

    @Command(name = "list", description = "List appointments, earliest first.")
    static final class ListAppointments extends BaseCommand {
        @Option(names = "--instructor", paramLabel = "USER") String instructor;
        @Option(names = "--student", paramLabel = "USER") String student;
        @Option(names = "--status", paramLabel = "STATUS") String status;
        @Option(names = "--from", paramLabel = "DATE", description = "First day (YYYY-MM-DD), included") String from;
        @Option(names = "--to", paramLabel = "DATE", description = "Last day (YYYY-MM-DD), included") String to;

        @Override
        protected int execute(AppContext ctx) {
            var views = BookingCommands.service(ctx).list(new ListFilter(instructor, student, status, from, to, ctx.tz()));
            ctx.output(instructor != null ? BookingCommands.zoneOf(views) : null).print(views);
            return 0;
        }
    }

    @Command(name = "show", description = "Show one appointment with its full history.")
    static final class Show extends BaseCommand {
        @Parameters(paramLabel = "REF") String reference;

        @Override
        protected int execute(AppContext ctx) {
            BookingCommands.print(ctx, BookingCommands.service(ctx).show(reference));
            return 0;
        }
    }
}
