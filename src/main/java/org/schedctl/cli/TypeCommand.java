package org.schedctl.cli;

import java.time.Duration;

import org.schedctl.service.TypeService;
import org.schedctl.service.TypeService.NewTypeRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "type", description = "Appointment types (service offerings).",
        subcommands = {TypeCommand.Add.class, TypeCommand.ListTypes.class, TypeCommand.Show.class, TypeCommand.Archive.class})
public final class TypeCommand {

    @Command(name = "add", description = "Offer a new appointment type.")
    static final class Add extends BaseCommand {
        @Option(names = "--instructor", required = true, paramLabel = "USER") String instructor;
        @Option(names = "--name", required = true) String name;
        @Option(names = "--duration", required = true, paramLabel = "DURATION") Duration duration;
        @Option(names = "--slug", description = "Short name (default: made from --name)") String slug;
        @Option(names = "--description") String description;
        @Option(names = "--price", paramLabel = "AMOUNT") String price;
        @Option(names = "--currency", paramLabel = "CODE") String currency;
        @Option(names = "--buffer-before", paramLabel = "DURATION") Duration bufferBefore;
        @Option(names = "--buffer-after", paramLabel = "DURATION") Duration bufferAfter;
        @Option(names = "--min-notice", paramLabel = "DURATION") Duration minNotice;
        @Option(names = "--max-advance", paramLabel = "DURATION") Duration maxAdvance;
        @Option(names = "--slot-interval", paramLabel = "DURATION") Duration slotInterval;
        @Option(names = "--requires-confirmation") boolean requiresConfirmation;
        @Option(names = "--capacity", paramLabel = "N", description = "Students per session (default 1)") Integer capacity;
        @Option(names = "--cancel-policy", paramLabel = "POLICY", description = "e.g. free>=24h,50%%>=2h,100%%") String cancelPolicy;
        @Option(names = "--reschedule-policy", paramLabel = "POLICY") String reschedulePolicy;
        @Option(names = "--location") String location;

        @Override
        protected int execute(AppContext ctx) {
            var type = services().types().add(new NewTypeRequest(instructor, name, duration, slug, description,
                    price, currency, bufferBefore, bufferAfter, minNotice, maxAdvance, slotInterval, requiresConfirmation,
                    capacity, cancelPolicy, reschedulePolicy, location));
            ctx.output(null).print(type);
            return 0;
        }
    }

    @Command(name = "list", description = "List appointment types.")
    static final class ListTypes extends BaseCommand {
        @Option(names = "--instructor", paramLabel = "USER") String instructor;
        @Option(names = "--all", description = "Include archived types") boolean all;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().types().list(instructor, all));
            return 0;
        }
    }

    @Command(name = "show", description = "Show one appointment type.")
    static final class Show extends BaseCommand {
        @Parameters(paramLabel = "TYPE", description = "Id or slug") String type;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().types().show(type));
            return 0;
        }
    }

    @Command(name = "archive", description = "Archive a type: no new bookings; existing ones stay.")
    static final class Archive extends BaseCommand {
        @Parameters(paramLabel = "TYPE") String type;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().types().archive(type));
            return 0;
        }
    }
}
