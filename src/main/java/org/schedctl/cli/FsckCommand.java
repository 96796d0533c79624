package org.schedctl.cli;

import java.util.List;

import org.schedctl.service.FsckService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "fsck", description = "Check the invariants the application relies on; with --fix, repair what can be repaired. Exit 3 while violations remain.")
public final class FsckCommand extends BaseCommand {
    @Option(names = "--fix", description = "Repair what can be repaired (each violation says what that does)")
    boolean fix;

    @Override
    protected int execute(AppContext ctx) {
        List<FsckService.Violation> found = services().fsck().run(fix);
        ctx.output(null).print(found);
        long remaining = found.stream().filter(v -> !v.fixed()).count();
        if (remaining > 0) {
            ctx.err().println("schedctl: " + remaining + " violation(s) remain" + (found.size() > remaining ? " (" + (found.size() - remaining) + " fixed)" : "")
                    + (fix ? "; the rest need a person: see each one's fix" : ". Run `schedctl fsck --fix` to repair what can be repaired"));
            ctx.err().flush();
            return 3;
        }
        ctx.progress(found.isEmpty() ? "clean: " + FsckService.CHECKS.size() + " checks found nothing" : "fixed " + found.size() + " violation(s)");
        return 0;
    }
}
