package org.schedctl.cli;

import org.schedctl.domain.InvalidInputException;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "completion", description = "Print a shell completion script: bash, zsh or fish.")
public final class CompletionCommand extends BaseCommand {
    @Parameters(paramLabel = "SHELL", description = "bash, zsh or fish") String shell;

    @Override
    protected int execute(AppContext ctx) {
        ctx.out().print(script(spec.root().commandLine(), shell));
        ctx.out().flush();
        return 0;
    }

    static String script(picocli.CommandLine root, String shell) {
        String bash = AutoComplete.bash("schedctl", root);
        return switch (shell) {
            // picocli's script is written to work in zsh too, through bashcompinit.
            case "bash" -> bash;
            case "zsh" -> "#compdef schedctl\nautoload -U +X bashcompinit && bashcompinit\n" + bash;
            case "fish" -> FishCompletion.script(root);
            default -> throw new InvalidInputException("unknown shell '" + shell + "'. Use bash, zsh or fish");
        };
    }
}
