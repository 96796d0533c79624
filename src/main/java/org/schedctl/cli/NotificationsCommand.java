package org.schedctl.cli;

import java.time.Duration;

import org.schedctl.domain.Checked;
import org.schedctl.domain.Durations;
import org.schedctl.domain.Text;
import org.schedctl.notify.Channels;
import org.schedctl.notify.IcsInvitation;
import org.schedctl.notify.OutboundMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "notifications", description = "The notification outbox: list, retry, and one dispatch pass.",
        subcommands = {NotificationsCommand.ListNotifications.class, NotificationsCommand.Retry.class, NotificationsCommand.SendDue.class,
                NotificationsCommand.Preview.class})
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

    @Command(name = "preview", description = "Print the message KIND about appointment REF as it would be sent now "
            + "(rendered in the recipient's language and zone); sends and writes nothing.")
    static final class Preview extends BaseCommand {
        @Parameters(paramLabel = "REF", description = "Booking reference") String reference;

        @Option(names = "--kind", paramLabel = "KIND", required = true,
                description = "booked, confirmed, declined, rescheduled, cancelled, completed, no_show, reminder or waitlist_offer")
        String kind;

        @Option(names = "--to", paramLabel = "USER", description = "Recipient by email or id: the appointment's student (default) or instructor")
        String to;

        @Option(names = "--channel", paramLabel = "CHANNEL", description = "${COMPLETION-CANDIDATES} (default: email)")
        Channels.Name channel = Channels.Name.email;

        @Option(names = "--before", paramLabel = "DURATION", converter = ReminderOffset.class,
                description = "For --kind reminder: how long before the start it is sent (default: 24h)")
        Checked<Duration> before;

        /** The rendered message; {@code calendar} is the iMIP part of an email invitation, if it carries one. */
        record PreviewView(String kind, String channel, String to, String subject, String body, String html, String calendar) {
        }

        @Override
        protected int execute(AppContext ctx) {
            OutboundMessage m = services().notifications().preview(reference, kind, to, channel, before);
            String calendar = m.invitation() == null ? null : IcsInvitation.render(m.invitation());
            if (ctx.options().output != OutputFormat.table) {
                ctx.output(null).print(new PreviewView(m.kind(), m.channel(), m.recipient(), m.subject(), m.body(), m.html(), calendar));
                return 0;
            }
            var out = ctx.out();
            out.println("To: " + Text.neutralize(m.recipient(), false));
            out.println("Subject: " + Text.neutralize(m.subject(), false));
            out.println();
            out.println(Text.neutralize(m.body(), true));
            if (calendar != null) {
                out.println();
                out.println(Text.neutralize(calendar.replace("\r\n", "\n"), true).stripTrailing());
            }
            out.flush();
            return 0;
        }
    }

    static final class ReminderOffset implements picocli.CommandLine.ITypeConverter<Checked<Duration>> {
        @Override
        public Checked<Duration> convert(String value) {
            return Checked.read(value, text -> Durations.parsePositive(text, "--before"));
        }
    }
}
