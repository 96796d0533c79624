package org.schedctl.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.OptionalInt;

/**
 * The schema version this build expects. Ordinary commands compare it with the database in one query
 * instead of letting Flyway scan the classpath; {@code SchemaTest} keeps the constant equal to the newest
 * file in db/migration.
 */
public final class Schema {
    public static final int EXPECTED_VERSION = 63;
    /**
     * How many migrations this build ships. Branches add migrations out of version order (Flyway runs with
     * outOfOrder), so the newest version alone cannot tell that an older one is missing.
     */
    public static final int EXPECTED_MIGRATIONS = 18;

    private Schema() {
    }

    /** The applied version and whether the connected role escapes row-level security (superuser, BYPASSRLS, owner). */
    public record Probe(OptionalInt version, int migrations, String role, boolean bypassesRowSecurity) {
        public boolean behind() {
            return version.orElse(0) < EXPECTED_VERSION || migrations < EXPECTED_MIGRATIONS;
        }
    }

    /** One query on an autocommit connection: what ordinary commands check before they start. */
    public static Probe probe(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT (SELECT max(version::int) FROM flyway_schema_history WHERE success AND version IS NOT NULL),
                            (SELECT count(*) FROM flyway_schema_history WHERE success AND version IS NOT NULL),
                            r.rolname,
                            r.rolsuper OR r.rolbypassrls OR EXISTS (
                                SELECT 1 FROM pg_class c
                                WHERE c.relowner = r.oid AND c.relnamespace = 'public'::regnamespace AND c.relkind = 'r')
                     FROM pg_roles r WHERE r.rolname = current_user
                     """)) {
            rs.next();
            int v = rs.getInt(1);
            OptionalInt version = rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(v);
            return new Probe(version, rs.getInt(2), rs.getString(3), rs.getBoolean(4));
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) { // undefined_table: never migrated
                return new Probe(OptionalInt.empty(), 0, "", false);
            }
            throw e;
        }
    }
}
