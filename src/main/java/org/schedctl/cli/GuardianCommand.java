package org.schedctl.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "guardian", description = "Guardians and the students they act for (book, cancel, waitlist ... with --as the guardian and --student the child).",
        subcommands = {GuardianCommand.Link.class, GuardianCommand.Unlink.class, GuardianCommand.ListLinks.class})
public final class GuardianCommand {

    @Command(name = "link", description = "Let a guardian act for a student (administrators).")
    static final class Link extends BaseCommand {
        @Parameters(paramLabel = "GUARDIAN", description = "The guardian, by email or id") String guardian;
        @Option(names = "--student", required = true, paramLabel = "USER", description = "The student, by email or id") String student;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().guardians().link(guardian, student));
            return 0;
        }
    }

    @Command(name = "unlink", description = "Stop a guardian acting for a student (administrators).")
    static final class Unlink extends BaseCommand {
        @Parameters(paramLabel = "GUARDIAN", description = "The guardian, by email or id") String guardian;
        @Option(names = "--student", required = true, paramLabel = "USER", description = "The student, by email or id") String student;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().guardians().unlink(guardian, student));
            return 0;
        }
    }

    @Command(name = "list", description = "List guardian links you may see.")
    static final class ListLinks extends BaseCommand {
        @Option(names = "--guardian", paramLabel = "USER", description = "Only this guardian's children") String guardian;
        @Option(names = "--student", paramLabel = "USER", description = "Only this student's guardians") String student;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().guardians().list(guardian, student));
            return 0;
        }
    }
}
