package org.schedctl.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;

import com.zaxxer.hikari.HikariDataSource;
import org.schedctl.config.Config;
import org.schedctl.domain.Zones;
import org.schedctl.store.Connector;
import org.schedctl.store.Database;

/**
 * What one invocation works with: its streams and environment, and — built lazily, once — the config, the
 * database target, the pool and the {@link Database}. A command that needs no database never touches them.
 */
public final class AppContext implements AutoCloseable {
    private final InputStream in;
    private final PrintWriter out;
    private final java.io.OutputStream binaryOut;
    private final PrintWriter err;
    private final Map<String, String> env;
    private final Clock clock;
    private GlobalOptions options;
    private String commandName = "";
    private String tz;
    private Config config;
    private Connector.Target target;
    private Connector.Target ownerTarget;
    private HikariDataSource pool;
    private Database database;

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

    public Config config() {
        if (config == null) {
            config = Config.load(env, Config.flags("db.url", options.db));
        }
        return config;
    }

    /** Where ordinary commands connect, as the runtime role. */
    public Connector.Target target() {
        if (target == null) {
            target = Connector.resolve(config(), options.db);
        }
        return target;
    }

    /** Where {@code db migrate} and {@code db status} connect, as the owner of the schema. */
    public Connector.Target ownerTarget() {
        if (ownerTarget == null) {
            ownerTarget = Connector.resolveOwner(config(), options.db, target());
        }
        return ownerTarget;
    }

    /** Where the daemon's scheduler (Quartz) connects: db.daemon.user, else the owner. */
    public Connector.Target daemonTarget() {
        return Connector.resolveDaemon(config(), options.db, target(), ownerTarget());
    }

    /**
     * The database as the runtime role, with the schema checked against this build. The embedded default first
     * creates and migrates itself as its owner.
     */
    public Database database() {
        if (database == null) {
            // Checked before connecting: a bad reminders.offsets is a usage error (exit 2) naming the key.
            var reminderDefault = config().reminderOffsets().orElse(null);
            if (target().isEmbedded()) {
                // The warm path is one connection as the runtime role; only a new or outdated embedded
                // database (no role yet, or migrations pending) pays for the owner's connection and Flyway.
                try {
                    pool = Connector.pool(target(), 4);
                    Connector.checkSchema(target(), pool, this::progress);
                } catch (RuntimeException notReady) {
                    if (pool != null) {
                        pool.close();
                    }
                    Connector.prepareEmbedded(ownerTarget(), this::progress);
                    pool = Connector.pool(target(), 4);
                    Connector.checkSchema(target(), pool, this::progress);
                }
            } else {
                pool = Connector.pool(target(), 4);
                Connector.checkSchema(target(), pool, this::progress);
            }
            database = new Database(pool, actor(), commandName).withReminderDefault(reminderDefault);
        }
        // In the shell one context runs many commands: each gets its own acting user and command name.
        if (!java.util.Objects.equals(database.actorIdent(), actor()) || !java.util.Objects.equals(database.command(), commandName)) {
            database = database.as(actor(), commandName);
        }
        return database;
    }

    /** A pool to the target as its owner, without any schema check, for {@code db migrate} and {@code db status}. */
    public HikariDataSource rawPool() {
        if (pool == null) {
            Connector.ensureDatabaseExists(ownerTarget());
            pool = Connector.pool(ownerTarget(), 2);
        }
        return pool;
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

    @Override
    public void close() {
        if (pool != null) {
            pool.close();
        }
    }
}
