package org.schedctl.cli;

import java.util.List;

import org.flywaydb.core.api.output.MigrateResult;
import org.schedctl.config.Config;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.store.Connector;
import org.schedctl.store.EmbeddedServer;
import org.schedctl.store.Migrations;
import org.schedctl.store.Schema;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "db", description = "The database: migrations, the embedded server's life, the URL in use.",
        subcommands = {DbCommand.Migrate.class, DbCommand.Status.class, DbCommand.Start.class, DbCommand.Stop.class, DbCommand.Url.class,
                DbCommand.BackupCmd.class, DbCommand.RestoreCmd.class, DbCommand.RotateKey.class})
public final class DbCommand {

    public record MigrationResult(String database, int from_version, int to_version, int applied) {
    }

    @Command(name = "migrate", description = "Apply the schema migrations (Flyway).")
    static final class Migrate extends BaseCommand {
        @Override
        protected int execute(AppContext ctx) {
            Connector.Target owner = backend.ownerTarget();
            requireOperator(ctx, backend, "db migrate");
            Connector.RolePreflight preflight = Connector.preflightRuntimeRole(owner, backend.rawPool());
            MigrateResult result = new Migrations(backend.rawPool()).migrate();
            int from = result.initialSchemaVersion == null ? 0 : Integer.parseInt(result.initialSchemaVersion);
            int to = result.targetSchemaVersion == null ? from : Integer.parseInt(result.targetSchemaVersion);
            if (!preflight.runtimeRoleExists() && !owner.isEmbedded()) {
                ctx.progress("created the runtime role " + Connector.RUNTIME_ROLE + " without a password. Give it one (ALTER ROLE "
                        + Connector.RUNTIME_ROLE + " PASSWORD '...';) and run ordinary commands with SCHEDCTL_DB_USER="
                        + Connector.RUNTIME_ROLE + " and SCHEDCTL_DB_PASSWORD");
            }
            ctx.output(null).print(new MigrationResult(owner.displayUrl(), from, to, result.migrationsExecuted));
            return 0;
        }
    }

    public record MigrationRow(String version, String description, String state) {
    }

    @Command(name = "status", description = "List migrations and whether they are applied.")
    static final class Status extends BaseCommand {
        @Override
        protected int execute(AppContext ctx) {
            requireOperator(ctx, backend, "db status");
            List<MigrationRow> rows = new Migrations(backend.rawPool()).status().stream()
                    .map(m -> new MigrationRow(m.version(), m.description(), m.state())).toList();
            ctx.progress("database " + backend.ownerTarget().displayUrl() + "; this build expects schema version " + Schema.EXPECTED_VERSION);
            ctx.output(null).print(rows);
            return 0;
        }
    }

    public record ServerState(String state, String url, String home) {
    }

    @Command(name = "start", description = "Start the embedded server (commands also start it on demand).")
    static final class Start extends BaseCommand {
        @Override
        protected int execute(AppContext ctx) {
            EmbeddedServer server = embedded(ctx, backend);
            boolean wasRunning = server.runningPort().isPresent();
            Connector.Target target = backend.target();
            ctx.output(null).print(new ServerState(wasRunning ? "already running" : "started", target.displayUrl(), server.home().toString()));
            return 0;
        }
    }

    @Command(name = "stop", description = "Stop the embedded server.")
    static final class Stop extends BaseCommand {
        @Override
        protected int execute(AppContext ctx) {
            EmbeddedServer server = embedded(ctx, backend);
            if (server.runningPort().isPresent()) {
                requireOperator(ctx, backend, "db stop");
            }
            boolean stopped = server.stop();
            ctx.output(null).print(new ServerState(stopped ? "stopped" : "not running", "", server.home().toString()));
            return 0;
        }
    }

    @Command(name = "url", description = "Print the JDBC URL in use (never the password).")
    static final class Url extends BaseCommand {
        @Override
        protected int execute(AppContext ctx) {
            String url = backend.target().displayUrl();
            if (ctx.options().output() == OutputFormat.table) {
                ctx.out().println(url);
            } else {
                ctx.output(null).print(new ServerState(backend.target().isEmbedded() ? "embedded" : "external", url, ""));
            }
            return 0;
        }
    }

    /** The file a backup goes to without -f: in the current directory, named by the UTC instant it was taken. */
    public static java.nio.file.Path defaultBackupFile(java.nio.file.Path dir, java.time.Instant now) {
        String stamp = java.time.format.DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC).format(now);
        return dir.resolve("schedctl-" + stamp + ".zip");
    }

    @Command(name = "backup", description = "Write a consistent, checksummed snapshot of the whole database to one file, without stopping anything.")
    static final class BackupCmd extends BaseCommand {
        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Where to write it (default: schedctl-<UTC time>.zip here)")
        String file;

        @Override
        protected int execute(AppContext ctx) {
            requireOperator(ctx, backend, "db backup");
            java.time.Instant now = ctx.clock().instant();
            java.nio.file.Path path = file == null ? defaultBackupFile(java.nio.file.Path.of("").toAbsolutePath(), now) : java.nio.file.Path.of(file);
            ctx.output(null).print(org.schedctl.store.Backup.write(backend.ownerTarget(), path, now));
            return 0;
        }
    }

    @Command(name = "restore", description = "Restore a file written by `db backup` into an empty database (checked before anything is written), then migrate it.")
    static final class RestoreCmd extends BaseCommand {
        @Parameters(index = "0", paramLabel = "FILE", description = "A file written by `schedctl db backup`")
        String file;

        @Option(names = "--replace", description = "Overwrite a database that already holds a school (asks first; --yes answers)")
        boolean replace;

        @Override
        protected int execute(AppContext ctx) throws Exception {
            java.nio.file.Path path = java.nio.file.Path.of(file).toAbsolutePath();
            // The whole file is checked before the database is touched.
            org.schedctl.store.Backup.Manifest manifest = org.schedctl.store.Restore.verify(path);
            // The keys that must open what the file holds sealed (checked inside the load's transaction).
            org.schedctl.store.ContentCipher cipher = org.schedctl.store.ContentCipher.from(backend.config());
            Connector.Target owner = backend.ownerTarget();
            requireOperator(ctx, backend, "db restore");
            javax.sql.DataSource pool = backend.rawPool();
            Schema.Probe probe;
            boolean holdsData;
            try (java.sql.Connection c = pool.getConnection()) {
                probe = Schema.probe(c);
                holdsData = org.schedctl.store.Restore.holdsData(c);
            } catch (java.sql.SQLException e) {
                throw Connector.unreachable(owner, e);
            }
            if (holdsData && !replace) {
                throw new org.schedctl.domain.ConflictException("the database " + owner.displayUrl()
                        + " already holds a school; nothing was restored. Restore into an empty database, or add --replace to overwrite it");
            }
            int have = probe.version().orElse(0);
            if (have > manifest.schema_version()) {
                throw new org.schedctl.domain.ConflictException("the database " + owner.displayUrl() + " is at schema version " + have
                        + ", newer than the backup's " + manifest.schema_version() + "; nothing was restored. Restore into a new, empty database "
                        + "(a fresh SCHEDCTL_HOME, or a new database in --db); it is migrated after the restore");
            }
            if (holdsData) {
                ctx.confirm("restoring " + path.getFileName() + " replaces every row of " + owner.displayUrl());
            }
            if (have < manifest.schema_version()) {
                Connector.preflightRuntimeRole(owner, pool);
                new Migrations(pool, String.valueOf(manifest.schema_version())).migrate();
            }
            org.schedctl.store.Restore.Result loaded;
            try (java.sql.Connection c = pool.getConnection()) {
                loaded = org.schedctl.store.Restore.load(c, path, manifest, replace, cipher);
            } catch (java.sql.SQLException e) {
                throw org.schedctl.store.Backup.failure(owner, e);
            }
            MigrateResult migrated = new Migrations(pool).migrate();
            int to = migrated.targetSchemaVersion == null ? manifest.schema_version() : Integer.parseInt(migrated.targetSchemaVersion);
            ctx.output(null).print(new org.schedctl.store.Restore.Result(loaded.file(), loaded.backup_schema_version(), to,
                    loaded.tables(), loaded.rows(), loaded.replaced()));
            return 0;
        }
    }

    @Command(name = "rotate-key", description = "Re-encrypt attachment contents and phone numbers under encryption.key (those under encryption.old_keys, or in clear), in batches; resumable.")
    static final class RotateKey extends BaseCommand {
        @Option(names = "--batch", paramLabel = "N", description = "Rows per transaction (default 100)")
        int batch = 100;

        @Override
        protected int execute(AppContext ctx) throws Exception {
            if (batch < 1 || batch > 100_000) {
                throw new org.schedctl.domain.InvalidInputException("--batch " + batch + " is out of range. Give 1 to 100000");
            }
            org.schedctl.store.ContentCipher cipher = org.schedctl.store.ContentCipher.from(backend.config());
            requireOperator(ctx, backend, "db rotate-key");
            try {
                ctx.output(null).print(org.schedctl.store.KeyRotation.rotate(backend.rawPool(), cipher, batch));
            } catch (java.sql.SQLException e) {
                throw org.schedctl.store.Backup.failure(backend.ownerTarget(), e);
            }
            return 0;
        }
    }

    /**
     * The db commands work as the schema's owner, outside row-level security: operator work. With no --as (or
     * SCHEDCTL_USER) the operator acts as the built-in administrator; a named acting user must exist (else "not
     * found", exactly as for every other command) and be an administrator (else exit 6). Checked on the owner's
     * connection, since the schema may not be migrated yet; a database without the schema has no users and no
     * school data, so there is nothing to check.
     */
    static void requireOperator(AppContext ctx, Backend backend, String command) {
        String ident = ctx.actor();
        if (ident == null || ident.isBlank()) {
            return;
        }
        org.jdbi.v3.core.Jdbi owner = org.jdbi.v3.core.Jdbi.create(backend.rawPool());
        boolean migrated = owner.withHandle(h -> h.createQuery("SELECT to_regprocedure('public.resolve_actor(text)') IS NOT NULL")
                .mapTo(Boolean.class).one());
        if (!migrated) {
            // An empty database holds no school data and no users to be: whoever holds the owner's credentials
            // creates it (the embedded default migrates itself on first use in the same way, whatever --as says).
            return;
        }
        String role = owner.withHandle(h -> h.createQuery("SELECT role FROM users WHERE id = resolve_actor(:ident)")
                .bind("ident", ident.trim()).mapTo(String.class).findOne().orElse(null));
        if (role == null) {
            throw new org.schedctl.domain.NotFoundException(org.schedctl.store.Database.unknownActorMessage(ident.trim()));
        }
        if (!"admin".equals(role)) {
            throw new org.schedctl.domain.PermissionDeniedException("only administrators can run `" + command
                    + "`. Run it without --as/SCHEDCTL_USER (as the operator), or as an administrator");
        }
    }

    private static EmbeddedServer embedded(AppContext ctx, Backend backend) {
        Config config = backend.config();
        if (ctx.options().db() != null || config.get("db.url").isPresent()) {
            throw new InvalidInputException("`db start` and `db stop` manage the embedded server, but a database URL is configured. "
                    + "Manage that server with its own tools, or unset --db/SCHEDCTL_DB_URL/db.url");
        }
        return new EmbeddedServer(config.dataHome());
    }
}
