package org.schedctl.cli;

import org.schedctl.store.BuildInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "schedctl", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, versionProvider = RootCommand.Version.class,
        description = "Educational appointment scheduling: instructors, availability, bookings, reminders, analytics.",
        subcommands = {
                DbCommand.class,
                UserCommand.class,
                GuardianCommand.class,
                ConferenceCommand.class,
                InstructorCommand.class,
                TypeCommand.class,
                AvailabilityCommand.class,
                NotificationsCommand.class,
                DaemonCommand.class,
                FsckCommand.class,
                BookingCommands.Book.class,
                BookingCommands.Hold.class,
                BookingCommands.Confirm.class,
                BookingCommands.Decline.class,
                BookingCommands.Cancel.class,
                BookingCommands.Reschedule.class,
                BookingCommands.Complete.class,
                BookingCommands.NoShow.class,
                SeriesCommand.class,
                TermCommand.class,
                ClosureCommand.class,
                AppointmentsCommand.class,
                WaitlistCommand.class,
                AttachmentsCommand.class,
                ExportCommand.class,
                ImportCommand.class,
                CalendarCommand.class,
                AnalyticsCommand.class,
                AuditCommand.class,
                CompletionCommand.class,
                ShellCommand.class,
                BatchCommand.class,
                CompleteCommand.class,
                DemoCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class RootCommand implements Runnable {
    @Mixin
    private GlobalOptions options = new GlobalOptions();

    @Spec
    private CommandSpec spec;

    private final AppContext context;

    public RootCommand(AppContext context) {
        this.context = context;
    }

    AppContext context() {
        return context;
    }

    GlobalOptions options() {
        return options;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"schedctl " + BuildInfo.version()};
        }
    }
}
