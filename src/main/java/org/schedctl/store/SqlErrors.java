package org.schedctl.store;

import java.sql.SQLException;
import java.util.Map;

import org.jdbi.v3.core.JdbiException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.PermissionDeniedException;
import org.schedctl.domain.SchedException;
import org.schedctl.domain.UnavailableException;

/**
 * Turns the database's refusals into the product's exceptions, in one place. Constraint names map to
 * messages a person can act on; anything unnamed still gets the right exit code.
 */
public final class SqlErrors {
    /** The exclusion constraint (V1) that refuses two overlapping appointments or holds of one instructor. */
    public static final String OVERLAP_CONSTRAINT = "appointments_no_overlap";
    /** The executor routine that refuses a new row by a row-level security policy's WITH CHECK (SQLSTATE 42501). */
    static final String RLS_CHECK_ROUTINE = "ExecWithCheckOptions";
    /** SQLSTATE exclusion_violation. */
    public static final String EXCLUSION_VIOLATION = "23P01";

    private static final Map<String, String> CONSTRAINT_MESSAGES = Map.ofEntries(
            Map.entry("users_email_key", "a user with this email already exists. Use another email, or `schedctl user show EMAIL`"),
            Map.entry("appointment_types_slug_key", "an appointment type with this slug already exists. Choose another --slug"),
            Map.entry(OVERLAP_CONSTRAINT, "the slot is taken: it overlaps another booking or hold of this instructor. Pick another time"),
            Map.entry("users_timezone_fkey", "unknown time zone. Give an IANA zone such as Europe/Berlin"),
            Map.entry("appointments_idempotency_key", "this idempotency key was already used for another booking. Use a new --idempotency-key"));

    private SqlErrors() {
    }

    public static SchedException translate(Throwable error) {
        if (error instanceof SchedException s) {
            return s;
        }
        SQLException sql = findSql(error);
        if (sql == null) {
            return connectionLost(error) ? new UnavailableException("lost the connection to the database ("
                    + rootMessage(error) + "). Check that the server runs, then run the command again", error) : null;
        }
        String state = sql.getSQLState() == null ? "" : sql.getSQLState();
        String constraint = constraintOf(sql);
        String known = constraint == null ? null : CONSTRAINT_MESSAGES.get(constraint);
        String detail = serverMessage(sql);
        if (state.startsWith("08") || (state.isEmpty() && connectionLost(error)) || state.equals("57P01") || state.equals("57P02") || state.equals("57P03") || state.equals("53300")) {
            return new UnavailableException("cannot reach the database (" + detail
                    + "). Check that the server runs and the URL, user and password are right, then run the command again", sql);
        }
        // Out of disk or memory on the server (a full disk fails a commit's WAL write with 53100 and the server
        // restarts): nothing was written, and it is the server's state, not the input, that must change.
        if (state.startsWith("53") || state.equals("58030")) {
            return new UnavailableException("the database server cannot write (" + detail
                    + "). Free disk space or memory on the server, then run the command again", sql);
        }
        if (connectionLost(error) && !state.startsWith("2") && !state.startsWith("4")) {
            return new UnavailableException("lost the connection to the database (" + detail
                    + "). Check that the server runs, then run the command again", sql);
        }
        return switch (state) {
            case "23505" -> new ConflictException(known != null ? known : "it already exists (" + detail + ")", sql);
            case "23P01" -> new ConflictException(known != null ? known : "conflicts with an existing entry (" + detail + ")", sql);
            case "23503" -> known != null ? new InvalidInputException(known, sql)
                    : new NotFoundException("a referenced record does not exist (" + detail + ")", sql);
            case "23514", "23502", "22000", "22001", "22003", "22007", "22008", "22023", "22P02", "22004", "2200G" ->
                    new InvalidInputException(known != null ? known : "the database refused the value (" + detail + "). Correct it and try again", sql);
            case "42501" -> new PermissionDeniedException(RLS_CHECK_ROUTINE.equals(routineOf(sql))
                    ? "permission denied: only the owner of these rows (e.g. the instructor themselves) or an administrator can write them ("
                            + detail + "). Run it with --as the owner, or ask an administrator"
                    : "permission denied (" + detail + ")", sql);
            case "40001", "40P01" -> new ConflictException("a concurrent change interfered. Run the command again", sql);
            case "42P01", "42883" -> new UnavailableException("the database schema is missing or old (" + detail
                    + "). Run `schedctl db migrate`", sql);
            case "P0001" -> new ConflictException(detail, sql);
            default -> null;
        };
    }

    /**
     * Whether {@code error} (or a cause) is the database refusing an overlapping appointment: SQLSTATE 23P01 raised by
     * {@link #OVERLAP_CONSTRAINT}. Decided by code and constraint name, never by the message's text.
     */
    public static boolean isOverlap(Throwable error) {
        return violates(error, EXCLUSION_VIOLATION, OVERLAP_CONSTRAINT);
    }

    /** Whether {@code error} (or a cause) is an SQL error with this SQLSTATE raised by this constraint. */
    public static boolean violates(Throwable error, String sqlState, String constraint) {
        SQLException sql = findSql(error);
        return sql != null && sqlState.equals(sql.getSQLState()) && constraint.equals(constraintOf(sql));
    }

    /** The message a person reads when the database refused a write by this constraint, or null if it has none. */
    public static String constraintMessage(String constraint) {
        return CONSTRAINT_MESSAGES.get(constraint);
    }

    private static SQLException findSql(Throwable error) {
        for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLException s) {
                return s;
            }
        }
        return null;
    }

    /** A server stopped or crashed mid-command shows up as closed connections and socket errors, not SQLSTATEs. */
    private static boolean connectionLost(Throwable error) {
        for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof java.net.SocketException || t instanceof java.io.EOFException
                    || t instanceof java.sql.SQLTransientConnectionException || t instanceof java.sql.SQLNonTransientConnectionException
                    || t instanceof org.jdbi.v3.core.ConnectionException
                    || t instanceof org.jdbi.v3.core.transaction.UnableToManipulateTransactionIsolationLevelException
                    || (t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08"))) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    /**
     * The server routine that raised the error (the {@code R} field of the error report): how a row-level security
     * refusal ({@link #RLS_CHECK_ROUTINE}) is told from a missing grant, which share SQLSTATE 42501, without reading
     * the message.
     */
    public static String routineOf(SQLException sql) {
        if (sql instanceof PSQLException p && p.getServerErrorMessage() != null) {
            return p.getServerErrorMessage().getRoutine();
        }
        return null;
    }

    private static String constraintOf(SQLException sql) {
        if (sql instanceof PSQLException p && p.getServerErrorMessage() != null) {
            return p.getServerErrorMessage().getConstraint();
        }
        return null;
    }

    private static String serverMessage(SQLException sql) {
        if (sql instanceof PSQLException p) {
            ServerErrorMessage m = p.getServerErrorMessage();
            if (m != null && m.getMessage() != null) {
                return m.getMessage();
            }
        }
        String message = sql.getMessage() == null ? sql.getClass().getSimpleName() : sql.getMessage();
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
