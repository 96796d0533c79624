package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.schedctl.Main;
import org.schedctl.store.PoolSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Issue 14, help that teaches: walks the whole command model (commands added later included) and fails on any
 * option or positional without a description, and on any command without an "Examples:" footer.
 */
class HelpModelTest {
    static CommandLine model() {
        AppContext ctx = new AppContext(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                new PrintWriter(new ByteArrayOutputStream()), new PrintWriter(new ByteArrayOutputStream()), Map.of(), Clock.systemUTC());
        return Main.commandLine(ctx, new Backend(ctx, PoolSource.PER_INVOCATION));
    }

    @Test
    void everyOptionAndPositionalHasADescription() {
        List<String> missing = new ArrayList<>();
        walk(model().getCommandSpec(), spec -> {
            for (ArgSpec arg : spec.args()) {
                if (arg.hidden()) {
                    continue;
                }
                String text = String.join(" ", arg.description()).trim();
                if (text.isEmpty()) {
                    missing.add(spec.qualifiedName(" ") + " " + (arg.isOption()
                            ? ((CommandLine.Model.OptionSpec) arg).longestName() : arg.paramLabel()));
                }
            }
        });
        assertEquals(List.of(), missing, "options and positionals without a description");
    }

    @Test
    void everyCommandHasExamples() {
        List<String> missing = new ArrayList<>();
        walk(model().getCommandSpec(), spec -> {
            if (spec.usageMessage().hidden()) {
                return;
            }
            String footer = spec.usageMessage().footerHeading() + String.join("\n", spec.usageMessage().footer());
            if (!footer.contains("Examples:") || !footer.contains("schedctl ")) {
                missing.add(spec.qualifiedName(" "));
            }
        });
        assertEquals(List.of(), missing, "commands without an Examples: footer (add them to org/schedctl/cli/help.properties)");
    }

    private static void walk(CommandSpec spec, java.util.function.Consumer<CommandSpec> check) {
        check.accept(spec);
        for (CommandLine sub : new java.util.LinkedHashSet<>(spec.subcommands().values())) {
            walk(sub.getCommandSpec(), check);
        }
    }
}
