package org.schedctl.cli;

import java.util.List;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code schedctl __complete WORD… CURRENT}: the candidates for the last word, one per line, for the completion
 * scripts. The fast path: no schema check, no embedded server started, a short statement timeout, and nothing
 * printed (exit 0) on any error, so a Tab never shows an error in the middle of a command line.
 */
@Command(name = "__complete", hidden = true, description = "Completion candidates for the completion scripts (internal).")
public final class CompleteCommand extends BaseCommand {
    @Parameters(paramLabel = "WORD", arity = "0..*", description = "The command line after 'schedctl', the word being completed last")
    List<String> words = List.of();

    @Override
    protected int execute(AppContext ctx) {
        try {
            List<String> line = words.isEmpty() ? List.of("") : words;
            Completions.Slot slot = Completions.slot(spec.root(), line);
            var db = slot.kind() == Completions.Kind.NONE || slot.kind() == Completions.Kind.ZONES || slot.kind() == Completions.Kind.DATES
                    ? null : backend.completionDatabase();
            for (String c : Completions.candidates(slot, line.get(line.size() - 1), db, ctx.displayZone(null), ctx.clock())) {
                ctx.out().println(c);
            }
        } catch (RuntimeException e) {
            // Nothing: a completion that cannot be computed offers nothing.
        }
        ctx.out().flush();
        return 0;
    }
}
