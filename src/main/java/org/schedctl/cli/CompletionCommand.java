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

    /**
     * Added to picocli's bash script: a word that is not an option is completed by {@code schedctl __complete} (the
     * command's subcommands, and values from the school: emails, type slugs, booking references, zones, dates); option
     * names, and anything it has no answer for, by picocli's function, then bash's default (file names).
     */
    static final String BASH_DYNAMIC = """

            # Values from the school: `schedctl __complete -- WORDS... CURRENT` prints the candidates, one per line.
            function _schedctl_dynamic() {
              local cur="${COMP_WORDS[COMP_CWORD]}"
              if [[ "$cur" != -* ]]; then
                local IFS=$'\\n'
                local values=( $(command "${COMP_WORDS[0]}" __complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) )
                if (( ${#values[@]} )); then
                  COMPREPLY=( "${values[@]}" )
                  return 0
                fi
              fi
              _complete_schedctl "$@"
            }
            complete -F _schedctl_dynamic -o default schedctl schedctl.sh schedctl.bash
            """;

    static String script(picocli.CommandLine root, String shell) {
        String bash = AutoComplete.bash("schedctl", root) + BASH_DYNAMIC;
        return switch (shell) {
            // picocli's script is written to work in zsh too, through bashcompinit.
            case "bash" -> bash;
            case "zsh" -> "#compdef schedctl\nautoload -U +X bashcompinit && bashcompinit\n" + bash;
            case "fish" -> FishCompletion.script(root)
                    + "# Values from the school (emails, type slugs, booking references, zones, dates): schedctl __complete\n"
                    + "complete -c schedctl -n 'not string match -q -- \"-*\" (commandline -ct)' -f -a "
                    + "'(schedctl __complete -- (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)'\n";
            default -> throw new InvalidInputException("unknown shell '" + shell + "'. Use bash, zsh or fish");
        };
    }
}
