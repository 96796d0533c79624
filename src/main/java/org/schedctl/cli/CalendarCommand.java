package org.schedctl.cli;

import org.schedctl.service.CalendarSubscriptionService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "calendar", description = "Subscriptions to instructors' external calendars, whose busy times block bookings.",
        subcommands = {CalendarCommand.Subscribe.class, CalendarCommand.ListSubscriptions.class,
                CalendarCommand.Unsubscribe.class, CalendarCommand.Sync.class})
public final class CalendarCommand {

    @Command(name = "subscribe", description = "Follow an instructor's calendar at a URL (http, https or webcal).")
    static final class Subscribe extends BaseCommand {
        @Parameters(paramLabel = "USER", description = "The instructor") String instructor;
        @Option(names = "--url", required = true, paramLabel = "URL", description = "The calendar's address; never with user:password@") String url;
        @Option(names = "--every", paramLabel = "DURATION", converter = Converters.RefreshEvery.class,
                description = "How often to refresh (default 15m)") org.schedctl.domain.Checked<java.time.Duration> every;
        @Option(names = "--name", paramLabel = "NAME", description = "The calendar's name (default: the URL's host)") String name;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().calendarSubscriptions().subscribe(instructor, url, every, name));
            return 0;
        }
    }

    @Command(name = "list", description = "Subscriptions with their last sync and state.")
    static final class ListSubscriptions extends BaseCommand {
        @Option(names = "--instructor", paramLabel = "USER") String instructor;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().calendarSubscriptions().list(instructor));
            return 0;
        }
    }

    @Command(name = "unsubscribe", description = "Stop following a calendar and remove the busy times it brought.")
    static final class Unsubscribe extends BaseCommand {
        @Parameters(paramLabel = "ID") String id;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().calendarSubscriptions().unsubscribe(id));
            return 0;
        }
    }

    @Command(name = "sync", description = "Fetch and import now: one subscription, or all. Exit 1 if one failed.")
    static final class Sync extends BaseCommand {
        @Parameters(paramLabel = "ID", arity = "0..1") String id;

        @Override
        protected int execute(AppContext ctx) {
            var results = services().calendarSubscriptions().sync(id);
            boolean ok = true;
            for (var r : results) {
                r.warnings().forEach(ctx.err()::println);
                if (r.error() != null) {
                    ctx.err().println("schedctl: error: " + r.error());
                    ok = false;
                }
            }
            ctx.err().flush();
            ctx.output(null).print(results);
            return ok ? 0 : 1;
        }
    }
}
