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
