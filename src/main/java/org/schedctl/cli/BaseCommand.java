package org.schedctl.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every leaf command shares: access to the invocation's {@link AppContext} and the process's {@link Backend}. A command parses, calls one
 * service method and renders; it returns 0, and failures travel as domain exceptions to {@code Main}.
 */
public abstract class BaseCommand implements Callable<Integer> {
    @Spec
    protected CommandSpec spec;

    /**
     * The global --tz of CLI.md, declared per command rather than inherited because `user add` and
     * `instructor settings` read it as the zone of the person they create or change.
     */
    @Option(names = "--tz", paramLabel = "ZONE", description = "IANA zone used to show and read times")
    protected String tz;

    /** The process's database and services, handed in by {@link CommandFactory}. */
    protected Backend backend;

    void inject(Backend backend) {
        this.backend = backend;
    }

    /** The services, acting as this command's user; call only from {@link #execute}. */
    protected org.schedctl.service.Services services() {
        return backend.services();
    }

    /** This command's own --tz (not one given before the command), read as a zone and refused where it is checked. */
    protected org.schedctl.domain.Checked<java.time.ZoneId> ownZone() {
        return org.schedctl.domain.Checked.readOrNull(tz, org.schedctl.domain.Zones::parse);
    }

    @Override
    public final Integer call() throws Exception {
        RootCommand root = (RootCommand) spec.root().userObject();
        AppContext ctx = root.context();
        String qualified = spec.qualifiedName(" ");
        ctx.bind(root.options(), qualified.startsWith("schedctl ") ? qualified.substring("schedctl ".length()) : qualified,
                tz != null ? tz : root.options().tz);
        return execute(ctx);
    }

    protected abstract int execute(AppContext ctx) throws Exception;
}
