package org.schedctl.store;

import java.util.Objects;

import javax.sql.DataSource;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.SchedException;
import org.schedctl.domain.notify.ReminderPolicy;

/**
 * The one Jdbi of a process and the rule every transaction follows: it names its acting user and command
 * with {@code set_config(..., true)}, scoped to the transaction, so a pooled connection never carries one
 * user's identity into the next transaction and row-level security always sees who acts. The same query names the
 * school's default reminder offsets ({@code app.reminder_offsets}, from the config key {@code reminders.offsets}),
 * which the outbox SQL uses for instructors without offsets of their own; unset, the SQL falls back on 24h,1h,15m.
 */
public final class Database {
    private final Jdbi jdbi;
    private final DataSource dataSource;
    private final String actorIdent;
    private final String command;
    private final ReminderPolicy reminderDefault;
    private volatile Long actorId;

    public Database(DataSource dataSource, String actorIdent, String command) {
        this(dataSource, actorIdent, command, null);
    }

    private Database(DataSource dataSource, String actorIdent, String command, ReminderPolicy reminderDefault) {
        this.dataSource = Objects.requireNonNull(dataSource);
        this.jdbi = Jdbi.create(dataSource).installPlugin(new SqlObjectPlugin()).installPlugin(new PostgresPlugin());
        this.actorIdent = actorIdent == null || actorIdent.isBlank() ? null : actorIdent.trim();
        this.command = command;
        this.reminderDefault = reminderDefault;
    }

    /**
     * The same database acting as another user (or running another command); shares the connection pool and keeps
     * the school's reminder default.
     */
    public Database as(String otherActor, String otherCommand) {
        return new Database(dataSource, otherActor, otherCommand, reminderDefault);
    }

    /**
     * The same database with the school's default reminder offsets ({@code reminders.offsets}); {@code null} leaves
     * the SQL's own fallback (24h,1h,15m).
     */
    public Database withReminderDefault(ReminderPolicy policy) {
        return new Database(dataSource, actorIdent, command, policy);
    }

    /** The school's default reminder offsets this database names per transaction, or null for the SQL's fallback. */
    public ReminderPolicy reminderDefault() {
        return reminderDefault;
    }

    public String actorIdent() {
        return actorIdent;
    }

    public String command() {
        return command;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public <T> T inTransaction(HandleCallback<T, RuntimeException> work) {
        return inTransaction(TransactionIsolationLevel.READ_COMMITTED, work);
    }

    public <T> T inTransaction(TransactionIsolationLevel isolation, HandleCallback<T, RuntimeException> work) {
        HandleCallback<T, RuntimeException> body = handle -> {
            actAs(handle, isolation == TransactionIsolationLevel.READ_COMMITTED);
            return work.withHandle(handle);
        };
        try {
            // Connector.pool opens every connection in READ COMMITTED, so the default level needs no switching:
            // Jdbi's switch asks the server for the current level (SHOW TRANSACTION ISOLATION LEVEL) before and
            // after, six round trips per transaction. actAs verifies the level in the query it runs anyway.
            return isolation == TransactionIsolationLevel.READ_COMMITTED
                    ? jdbi.inTransaction(body)
                    : jdbi.inTransaction(isolation, body);
        } catch (RuntimeException e) {
            SchedException translated = SqlErrors.translate(e);
            if (translated != null) {
                throw translated;
            }
            throw e;
        }
    }

    public void useTransaction(java.util.function.Consumer<Handle> work) {
        inTransaction(handle -> {
            work.accept(handle);
            return null;
        });
    }

    /** The id of the acting user, resolving it on first use. */
    public long actorId() {
        Long id = actorId;
        if (id == null) {
            inTransaction(handle -> null);
            id = actorId;
        }
        return id;
    }

    /**
     * The one answer for an acting user that cannot act: missing and inactive alike, named by email or by id. The
     * CLI's operator holds the database credentials and is the administrator by default, so telling them that a
     * name does not resolve reveals nothing they could not read anyway; the message stays the same for every case.
     */
    public static String unknownActorMessage(String ident) {
        return "acting user '" + org.schedctl.domain.Text.printable(ident) + "' does not exist or is inactive. Check --as or SCHEDCTL_USER";
    }

    private void actAs(Handle handle, boolean readCommitted) {
        Long known = actorId;
        String[] row = handle.createQuery("""
                        SELECT set_config('app.user_id', coalesce(
                                   CASE WHEN :known::bigint IS NOT NULL THEN resolve_actor(:known::text)
                                        WHEN :ident::text IS NULL THEN builtin_admin_id()
                                        ELSE resolve_actor(:ident::text) END::text, ''), true) AS id,
                               set_config('app.command', :command, true) AS command,
                               set_config('app.reminder_offsets', :reminders, true) AS reminders,
                               current_setting('transaction_isolation') AS isolation
                        """)
                .bind("known", known)
                .bind("ident", actorIdent)
                .bind("command", command == null ? "" : command)
                .bind("reminders", reminderDefault == null ? "" : reminderDefault.toSqlArray())
                .map((rs, ctx) -> new String[] {rs.getString("id"), rs.getString("isolation")})
                .one();
        String idText = row[0];
        if (readCommitted && !"read committed".equals(row[1])) {
            throw new IllegalStateException("this connection runs transactions in " + row[1]
                    + ", not read committed; open the pool with Connector.pool");
        }
        if (idText.isEmpty()) {
            throw new NotFoundException(actorIdent == null
                    ? "the built-in administrator is missing from this database. Run `schedctl db migrate`"
                    : unknownActorMessage(actorIdent));
        }
        actorId = Long.parseLong(idText);
    }
}
