package org.schedctl.cli;

import org.schedctl.service.AppointmentQueries.ListFilter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "appointments", description = "Read appointments, with their history.",
        subcommands = {AppointmentsCommand.ListAppointments.class, AppointmentsCommand.Show.class})
public final class AppointmentsCommand {

    @Command(name = "list", description = "List appointments, earliest first.")
    static final class ListAppointments extends BaseCommand {
        @Mixin InstructorOption instructor;
        @Mixin StudentOption student;
        @Option(names = "--status", paramLabel = "STATUS") String status;
        @Mixin DateRangeOptions days;

        @Override
        protected int execute(AppContext ctx) {
            var views = services().appointments().list(new ListFilter(instructor.value(), student.value(), status,
                    days.from(), days.to(), ctx.zoneArg()));
            ctx.output(instructor.value() != null ? BookingCommands.zoneOf(views) : null).print(views);
            return 0;
        }
    }

    @Command(name = "show", description = "Show one appointment with its full history.")
    static final class Show extends BaseCommand {
        @Parameters(paramLabel = "REF") String reference;

        @Override
        protected int execute(AppContext ctx) {
            BookingCommands.print(ctx, services().appointments().show(reference));
            return 0;
        }
    }
}
