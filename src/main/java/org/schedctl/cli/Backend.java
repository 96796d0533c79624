package org.schedctl.cli;

import com.zaxxer.hikari.HikariDataSource;
import org.schedctl.config.Config;
import org.schedctl.service.Services;
import org.schedctl.store.Connector;
import org.schedctl.store.Database;
import org.schedctl.store.PoolSource;

/**
 * What a process works against, built lazily and once: the config, the database target, the pool, the
 * {@link Database} and the {@link Services} over it. A command that needs no database never touches them; the shell's
 * commands share them. {@code CommandFactory} hands it to every command.
 */
public final class Backend implements AutoCloseable {
    private final AppContext ctx;
    private final PoolSource pools;
    private Config config;
    private Connector.Target target;
    private Connector.Target ownerTarget;
    private HikariDataSource pool;
    private Database database;
    private Services services;

    public Backend(AppContext ctx, PoolSource pools) {
        this.ctx = ctx;
        this.pools = pools;
    }

    public Config config() {
        if (config == null) {
            config = Config.load(ctx.env(), Config.flags("db.url", ctx.options().db));
        }
        return config;
    }

    /** Where ordinary commands connect, as the runtime role. */
    public Connector.Target target() {
        if (target == null) {
            target = Connector.resolve(config(), ctx.options().db);
        }
        return target;
    }

    /** Where {@code db migrate} and {@code db status} connect, as the owner of the schema. */
    public Connector.Target ownerTarget() {
        if (ownerTarget == null) {
            ownerTarget = Connector.resolveOwner(config(), ctx.options().db, target());
        }
        return ownerTarget;
    }

    /** Where the daemon's scheduler (Quartz) connects: db.daemon.user, else the owner. */
    public Connector.Target daemonTarget() {
        return Connector.resolveDaemon(config(), ctx.options().db, target(), ownerTarget());
    }

    /**
     * The database as the runtime role, acting as this command's user, with the schema checked against this build.
     * The embedded default first creates and migrates itself as its owner.
     */
    public Database database() {
        return services().database();
    }

    /** The services of the process, acting as this command's user and named after it. */
    public Services services() {
        if (services == null) {
            services = Services.create(connect(), config(), ctx.clock());
        }
        // In the shell one process runs many commands: each gets its own acting user and command name.
        return services.as(ctx.actor(), ctx.commandName());
    }

    private Database connect() {
        if (database == null) {
            // Checked before connecting: a bad reminders.offsets is a usage error (exit 2) naming the key.
            var reminderDefault = config().reminderOffsets().orElse(null);
            if (target().isEmbedded()) {
                // The warm path is one connection as the runtime role; only a new or outdated embedded
                // database (no role yet, or migrations pending) pays for the owner's connection and Flyway.
                try {
                    pool = pools.open(target(), 4);
                    Connector.checkSchema(target(), pool, ctx::progress);
                } catch (RuntimeException notReady) {
                    if (pool != null) {
                        pools.release(pool);
                        pool = null;
                    }
                    Connector.prepareEmbedded(ownerTarget(), ctx::progress);
                    pool = pools.open(target(), 4);
                    Connector.checkSchema(target(), pool, ctx::progress);
                }
            } else {
                pool = pools.open(target(), 4);
                Connector.checkSchema(target(), pool, ctx::progress);
            }
            database = new Database(pool, ctx.actor(), ctx.commandName()).withReminderDefault(reminderDefault);
        }
        return database;
    }

    /**
     * Cancels the statements this process's connections are running (the shell's Ctrl-C), from another connection of
     * the pool: pg_cancel_backend on the sessions named after this process. Quiet when there is nothing to cancel.
     */
    public void cancelRunningStatements() {
        if (pool == null) {
            return;
        }
        try (java.sql.Connection c = pool.getConnection();
             java.sql.PreparedStatement st = c.prepareStatement("""
                     SELECT pg_cancel_backend(pid) FROM pg_stat_activity
                     WHERE application_name = ? AND pid <> pg_backend_pid() AND state = 'active'""")) {
            st.setString(1, Connector.applicationName());
            st.setQueryTimeout(5);
            st.executeQuery().close();
        } catch (java.sql.SQLException | RuntimeException e) {
            // Nothing more to do: the command keeps running until its statement ends.
        }
    }

    /**
     * The database for Tab completion: no schema check, the embedded server only if it already runs, a one-second
     * connect and 500 ms statement timeout, no pool. Null when there is nothing to ask.
     */
    public Database completionDatabase() {
        Connector.Target where;
        if (config().get("db.url").isPresent()) {
            where = target();
        } else {
            var port = new org.schedctl.store.EmbeddedServer(config().dataHome()).runningPort();
            if (port.isEmpty()) {
                return null;
            }
            where = new Connector.Target("jdbc:postgresql://127.0.0.1:" + port.get() + "/" + Connector.EMBEDDED_DATABASE,
                    Connector.RUNTIME_ROLE, null, null);
        }
        org.postgresql.ds.PGSimpleDataSource ds = (org.postgresql.ds.PGSimpleDataSource) Connector.simpleDataSource(where);
        ds.setConnectTimeout(1);
        ds.setLoginTimeout(1);
        ds.setOptions("-c statement_timeout=500");
        ds.setApplicationName("schedctl-complete");
        return new Database(ds, ctx.actor(), "__complete");
    }

    /** A pool to the target as its owner, without any schema check, for {@code db migrate} and {@code db status}. */
    public HikariDataSource rawPool() {
        if (pool == null) {
            Connector.ensureDatabaseExists(ownerTarget());
            pool = pools.open(ownerTarget(), 2);
        }
        return pool;
    }

    @Override
    public void close() {
        if (pool != null) {
            pools.release(pool);
        }
    }
}
