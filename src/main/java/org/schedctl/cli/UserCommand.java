package org.schedctl.cli;

import org.schedctl.domain.Checked;
import org.schedctl.service.UserService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "user", description = "People: students, instructors, administrators, guardians.",
        subcommands = {UserCommand.Add.class, UserCommand.ListUsers.class, UserCommand.Show.class})
public final class UserCommand {

    @Command(name = "add", description = "Add a user.")
    static final class Add extends BaseCommand {
        @Option(names = "--name", required = true, description = "Full name") String name;
        @Option(names = "--email", required = true, description = "Email address (unique)") String email;
        @Option(names = "--role", description = "student, instructor, admin or guardian (default: student)") String role;
        @Option(names = "--phone", description = "Phone number for SMS reminders") String phone;
        @Option(names = "--locale", description = "Language tag for messages (default: en)") String locale;

        @Override
        protected int execute(AppContext ctx) {
            // --tz names the new user's zone here (and shows their times in it).
            var user = services().users().add(new UserService.NewUser(name, email, role, ownZone(), phone, locale));
            ctx.output(null).print(user);
            return 0;
        }
    }

    @Command(name = "list", description = "List users.")
    static final class ListUsers extends BaseCommand {
        @Option(names = "--role", description = "Only this role") String role;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().users().list(role));
            return 0;
        }
    }

    @Command(name = "show", description = "Show one user.")
    static final class Show extends BaseCommand {
        @Parameters(paramLabel = "USER", description = "Email or id") String user;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().users().show(user));
            return 0;
        }
    }
}
