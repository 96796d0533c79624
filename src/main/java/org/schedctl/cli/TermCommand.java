package org.schedctl.cli;

import java.time.LocalDate;

import org.schedctl.domain.Checked;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "term", description = "School terms: named date ranges a series can be booked for (book --for-term).",
        subcommands = {TermCommand.Add.class, TermCommand.ListTerms.class})
public final class TermCommand {

    @Command(name = "add", description = "Add a term (administrators).")
    static final class Add extends BaseCommand {
        @Parameters(paramLabel = "NAME", description = "The term's name, e.g. \"Autumn 2027\"") String name;
        @Option(names = "--from", required = true, paramLabel = "DATE", converter = Converters.CheckedDate.class,
                description = "First day (YYYY-MM-DD)") Checked<LocalDate> from;
        @Option(names = "--to", required = true, paramLabel = "DATE", converter = Converters.CheckedDate.class,
                description = "Last day (YYYY-MM-DD), included") Checked<LocalDate> to;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().terms().add(name, from.get(), to.get()));
            return 0;
        }
    }

    @Command(name = "list", description = "List the terms.")
    static final class ListTerms extends BaseCommand {
        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().terms().list());
            return 0;
        }
    }
}
