package org.schedctl.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;

import org.schedctl.domain.Zones;

/**
 * What one invocation works with: its streams, environment and clock, the global options, and facts about the
 * terminal (whether stdout is one, whether a confirmation can be asked). The database and the services are the
 * {@link Backend}'s, which {@code CommandFactory} hands to commands.
 */
public final class AppContext {
    private final InputStream in;
    private final PrintWriter out;
    private final java.io.OutputStream binaryOut;
    private final PrintWriter err;
    private final Map<String, String> env;
    private final Clock clock;
    private GlobalOptions options;
    private String commandName = "";
    private String tz;

    public AppContext(InputStream in, java.io.OutputStream binaryOut, PrintWriter out, PrintWriter err, Map<String, String> env,
                      Clock clock) {
        this.in = in;
        this.binaryOut = binaryOut;
        this.out = out;
        this.err = err;
        this.env = env;
        this.clock = clock;
    }

    void bind(GlobalOptions options, String commandName, String tz) {
        this.options = options;
        this.commandName = commandName;
        this.tz = tz;
    }

    public InputStream in() {
        return in;
    }

    public PrintWriter out() {
        return out;
    }

    /** Stdout for bytes (an attachment's content); flush {@link #out()} first if text was written. */
    public java.io.OutputStream binaryOut() {
        return binaryOut;
    }

    /** Whether stdout is the process's own and a terminal (where raw bytes would garble the screen). */
    public boolean stdoutIsTerminal() {
        return binaryOut == System.out && System.console() != null;
    }

    /** Whether stderr is this process's own and the process runs on a terminal (progress lines are drawn only then). */
    public boolean stderrIsTerminal() {
        return err != null && binaryOut == System.out && System.console() != null;
    }

    public PrintWriter err() {
        return err;
    }

    public Map<String, String> env() {
        return env;
    }

    public Clock clock() {
        return clock;
    }

    public GlobalOptions options() {
        return options;
    }

    public String commandName() {
        return commandName;
    }

    public String actor() {
        return Optional.ofNullable(options.as).orElse(env.get("SCHEDCTL_USER"));
    }

    /** The zone used to show times: --tz, else the given fallback (e.g. the instructor's zone), else the system zone. */
    public ZoneId displayZone(ZoneId fallback) {
        if (tz != null) {
            return Zones.parse(tz);
        }
        return fallback != null ? fallback : systemZone();
    }

    public ZoneId systemZone() {
        String tz = env.get("TZ");
        if (tz != null && !tz.isBlank()) {
            try {
                return Zones.parse(tz.startsWith(":") ? tz.substring(1) : tz);
            } catch (RuntimeException e) {
                return ZoneId.systemDefault();
            }
        }
        return ZoneId.systemDefault();
    }

    /** The --tz given to this command (or before it), read as a zone but refused only where the command checks it. */
    public org.schedctl.domain.Checked<ZoneId> zoneArg() {
        return org.schedctl.domain.Checked.readOrNull(tz, Zones::parse);
    }

    /** The --tz given to this command, if any. */
    public String tz() {
        return tz;
    }

    public Output output(ZoneId fallbackZone) {
        return new Output(out, options.output, displayZone(fallbackZone));
    }

    /**
     * Asks before destructive work: --yes answers for the operator; on a terminal the question goes to stderr;
     * without a terminal (cron, scripts) the command refuses rather than guess.
     */
    public void confirm(String action) {
        if (options.yes()) {
            return;
        }
        java.io.Console console = in == System.in ? System.console() : null;
        if (console == null) {
            throw new org.schedctl.domain.InvalidInputException(action + " needs confirmation, and stdin is not a terminal. Add --yes");
        }
        err.print("schedctl: " + action + ": continue? [y/N] ");
        err.flush();
        String answer = console.readLine();
        if (answer == null || !(answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"))) {
            throw new org.schedctl.domain.ConflictException("not confirmed; nothing was changed. Answer y, or add --yes");
        }
    }

    /**
     * Whether {@link #confirm} would ask a person rather than answer or refuse: no --yes, and stdin is this
     * process's terminal. Commands whose confirmation must not break scripts ask only then.
     */
    public boolean wouldAsk() {
        return !options.yes() && in == System.in && System.console() != null;
    }

    /** Progress and notes go to stderr, and not at all with -q. */
    public void progress(String message) {
        if (!options.quiet) {
            err.println("schedctl: " + message);
            err.flush();
        }
    }
}
