package org.schedctl.cli;

import org.schedctl.notify.NotifyConfig;
import org.schedctl.service.NotificationService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "notifications", description = "The notification outbox: list, retry, and one dispatch pass.",
        subcommands = {NotificationsCommand.ListNotifications.class, NotificationsCommand.Retry.class, NotificationsCommand.SendDue.class})
public final class NotificationsCommand {


    @Command(name = "list", description = "List notifications (every status unless --status narrows it).")
    static final class ListNotifications extends BaseCommand {
        @Option(names = "--status", paramLabel = "STATUS", description = "pending, sending, sent, failed, dead or cancelled") String status;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().notifications().list(status));
            return 0;
        }
    }

    @Command(name = "retry", description = "Put a failed or dead notification back in the queue.")
    static final class Retry extends BaseCommand {
        @Parameters(paramLabel = "ID") String id;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().notifications().retry(id));
            return 0;
        }
    }

    @Command(name = "send-due", description = "One dispatch pass: send every notification that is due (for cron).")
    static final class SendDue extends BaseCommand {
        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().notifications().sendDue());
            return 0;
        }
    }
}
