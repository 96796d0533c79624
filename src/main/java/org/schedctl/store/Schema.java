package org.schedctl.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.zip.CRC32;

/**
 * The schema this build expects. Ordinary commands compare it with the database in one query instead of letting
 * Flyway scan the classpath; {@code SchemaTest} keeps the constants equal to the files in db/migration.
 *
 * <p>Versioned migrations ({@code V…}) hold structure; repeatable ones ({@code R__…}) hold the live functions,
 * triggers, views and function-calling policies, and are re-applied whenever their text changes. So "up to date"
 * means: the newest version is applied, all versioned migrations are, and every repeatable migration was last
 * applied with exactly the text this build ships (same Flyway checksum).
 */
public final class Schema {
    public static final int EXPECTED_VERSION = 68;
    /** How many versioned migrations this build ships: the newest version alone cannot tell that an older one is missing. */
    public static final int EXPECTED_MIGRATIONS = 26;
    /** The repeatable migrations this build ships, in the order Flyway applies them. */
    public static final List<String> REPEATABLE_MIGRATIONS = List.of(
            "R__10_common.sql",
            "R__20_availability.sql",
            "R__25_slots.sql",
            "R__30_booking.sql",
            "R__40_outbox.sql",
            "R__45_calendar_analytics.sql",
            "R__50_security.sql",
            "R__60_calendar.sql",
            "R__65_analytics.sql",
            "R__70_series.sql",
            "R__75_conference.sql");

    private static volatile Map<String, Integer> expectedRepeatables;

    private Schema() {
    }

    /**
     * The applied version and whether the connected role escapes row-level security (superuser, BYPASSRLS, owner);
     * {@code repeatables} maps each applied repeatable script to the checksum of its latest successful application.
     */
    public record Probe(OptionalInt version, int migrations, Map<String, Integer> repeatables, String role,
                        boolean bypassesRowSecurity) {
        public boolean behind() {
            return version.orElse(0) < EXPECTED_VERSION || migrations < EXPECTED_MIGRATIONS
                    || !repeatables.equals(expectedRepeatableChecksums());
        }

        /** How many repeatable migrations are not applied or were applied with other text than this build's. */
        public int staleRepeatables() {
            Map<String, Integer> expected = expectedRepeatableChecksums();
            return (int) expected.entrySet().stream()
                    .filter(e -> !e.getValue().equals(repeatables.get(e.getKey())))
                    .count();
        }
    }

    /** One query on an autocommit connection: what ordinary commands check before they start. */
    public static Probe probe(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT (SELECT max(version::int) FROM flyway_schema_history WHERE success AND version IS NOT NULL),
                            (SELECT count(*) FROM flyway_schema_history WHERE success AND version IS NOT NULL),
                            (SELECT string_agg(script || '=' || checksum, ',') FROM (
                                SELECT DISTINCT ON (script) script, checksum FROM flyway_schema_history
                                WHERE success AND version IS NULL AND type = 'SQL'
                                ORDER BY script, installed_rank DESC) r),
                            r.rolname,
                            r.rolsuper OR r.rolbypassrls OR EXISTS (
                                SELECT 1 FROM pg_class c
                                WHERE c.relowner = r.oid AND c.relnamespace = 'public'::regnamespace AND c.relkind = 'r')
                     FROM pg_roles r WHERE r.rolname = current_user
                     """)) {
            rs.next();
            int v = rs.getInt(1);
            OptionalInt version = rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(v);
            Map<String, Integer> repeatables = new HashMap<>();
            String applied = rs.getString(3);
            if (applied != null) {
                for (String entry : applied.split(",")) {
                    int eq = entry.lastIndexOf('=');
                    repeatables.put(entry.substring(0, eq), Integer.parseInt(entry.substring(eq + 1)));
                }
            }
            return new Probe(version, rs.getInt(2), Map.copyOf(repeatables), rs.getString(4), rs.getBoolean(5));
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) { // undefined_table: never migrated
                return new Probe(OptionalInt.empty(), 0, Map.of(), "", false);
            }
            throw e;
        }
    }

    /** The Flyway checksum of each repeatable migration this build ships, read once from the classpath. */
    public static Map<String, Integer> expectedRepeatableChecksums() {
        Map<String, Integer> m = expectedRepeatables;
        if (m == null) {
            Map<String, Integer> computed = new LinkedHashMap<>();
            for (String script : REPEATABLE_MIGRATIONS) {
                String resource = "db/migration/" + script;
                try (InputStream in = Schema.class.getClassLoader().getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IllegalStateException("this build lacks its migration " + resource);
                    }
                    computed.put(script, checksum(in.readAllBytes()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            m = Map.copyOf(computed);
            expectedRepeatables = m;
        }
        return m;
    }

    /**
     * Flyway's checksum of a migration script (UTF-8): CRC-32 over the bytes of each line without its line break
     * (\n, \r\n or \r; a leading byte-order mark dropped), as Flyway records it in flyway_schema_history.checksum.
     * Written out because Flyway's own calculator is internal API, and over the raw bytes because every ordinary
     * command computes it for the repeatable migrations (about 100 kB) in a cold JVM, where decoding and re-encoding
     * each line as Flyway does costs several milliseconds. {@code MigrationUpgradeIT} checks both agree.
     */
    public static int checksum(byte[] utf8) {
        CRC32 crc = new CRC32();
        int start = utf8.length >= 3 && (utf8[0] & 0xFF) == 0xEF && (utf8[1] & 0xFF) == 0xBB && (utf8[2] & 0xFF) == 0xBF ? 3 : 0;
        // One byte per char, so String.indexOf (vectorised) finds the line breaks at their byte offsets.
        String bytes = new String(utf8, StandardCharsets.ISO_8859_1);
        int cr = bytes.indexOf('\r', start);
        while (start < utf8.length) {
            int lf = bytes.indexOf('\n', start);
            if (cr >= 0 && cr < start) {
                cr = bytes.indexOf('\r', start);
            }
            int end = lf < 0 ? (cr < 0 ? utf8.length : cr) : (cr < 0 ? lf : Math.min(lf, cr));
            crc.update(utf8, start, end - start);
            start = end < utf8.length && utf8[end] == '\r' && end + 1 < utf8.length && utf8[end + 1] == '\n' ? end + 2 : end + 1;
        }
        return (int) crc.getValue();
    }
}
