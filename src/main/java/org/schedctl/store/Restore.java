package org.schedctl.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;

/**
 * {@code schedctl db restore}: checks the whole file first (manifest, format, schema version, and the SHA-256 of
 * every entry), then loads it in one transaction. A corrupt, truncated or foreign file is refused before the
 * database is touched; a load that fails half-way (a constraint, the server stopping) rolls back and leaves the
 * target as it was.
 *
 * <p>Inside the transaction, as the owner of the schema: user triggers are disabled (the rows are history, not
 * new events: no audit rows, no derived columns recomputed, no outbox rows), foreign keys are dropped and added
 * back after the load (the schema has a cycle of them, and re-adding validates every row), forced row-level
 * security is lifted for COPY and forced again, and sequences are set to the values they had. All of it is
 * transactional DDL: it commits with the rows or not at all.
 */
public final class Restore {
    /** What `db restore` prints. */
    public record Result(String file, int backup_schema_version, int schema_version, int tables, long rows, boolean replaced) {
    }

    private Restore() {
    }

    /** Reads and checks the file; every failure is exit 2 with what is wrong. */
    public static Backup.Manifest verify(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new NotFoundException("no backup file at " + file + ". Check the path");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry m = zip.getEntry(Backup.MANIFEST);
            if (m == null) {
                throw corrupt(file, "it has no manifest");
            }
            Backup.Manifest manifest;
            try (InputStream in = zip.getInputStream(m)) {
                manifest = Backup.JSON.readValue(in, Backup.Manifest.class);
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw corrupt(file, "its manifest is not readable");
            }
            if (!Backup.FORMAT.equals(manifest.format()) || manifest.tables() == null || manifest.sequences() == null) {
                throw new InvalidInputException(file + " is not a schedctl backup. Name a file written by `schedctl db backup`");
            }
            if (manifest.format_version() > Backup.FORMAT_VERSION || manifest.schema_version() > Schema.EXPECTED_VERSION) {
                throw new InvalidInputException("the backup " + file + " was made by a newer schedctl (" + manifest.schedctl_version()
                        + ", schema version " + manifest.schema_version() + "; this one knows " + Schema.EXPECTED_VERSION
                        + "). Restore it with that version of schedctl or a later one");
            }
            byte[] buffer = new byte[1 << 16];
            for (Backup.TablePart part : manifest.tables()) {
                ZipEntry e = zip.getEntry(part.entry());
                if (e == null) {
                    throw corrupt(file, "the part " + part.entry() + " is missing");
                }
                MessageDigest digest = Backup.sha256();
                long n = 0;
                try (InputStream in = zip.getInputStream(e)) {
                    for (int r; (r = in.read(buffer)) > 0; ) {
                        digest.update(buffer, 0, r);
                        n += r;
                    }
                }
                if (n != part.bytes() || !HexFormat.of().formatHex(digest.digest()).equals(part.sha256())) {
                    throw corrupt(file, "the checksum of " + part.entry() + " does not match its manifest");
                }
            }
            return manifest;
        } catch (ZipException e) {
            throw corrupt(file, "it is truncated or not a zip file");
        } catch (java.io.EOFException e) {
            throw corrupt(file, "it is truncated");
        } catch (IOException e) {
            throw corrupt(file, e.getMessage());
        }
    }

    private static InvalidInputException corrupt(Path file, String why) {
        return new InvalidInputException("the backup " + file + " is damaged (" + why + "); nothing was restored. Restore from another backup");
    }

    /**
     * The restored rows sealed under a key this configuration lacks (a wrong or missing encryption.key) would be
     * unreadable: refused, inside the load's transaction, so nothing is written. Key ids are hashes of the keys, so
     * a configured id is the right key.
     */
    private static void requireKeys(Connection c, ContentCipher cipher) throws SQLException {
        List<String> parts = new ArrayList<>();
        try (ResultSet rs = c.createStatement().executeQuery("""
                SELECT table_name, column_name FROM information_schema.columns
                WHERE table_schema = 'public'
                  AND (table_name, column_name) IN (('appointment_attachments', 'content_key_id'), ('users', 'phone_key_id'))
                """)) {
            while (rs.next()) {
                parts.add("SELECT " + rs.getString(2) + " AS k FROM public." + rs.getString(1) + " WHERE " + rs.getString(2) + " IS NOT NULL");
            }
        }
        if (parts.isEmpty()) {
            return;
        }
        try (ResultSet rs = c.createStatement().executeQuery("SELECT DISTINCT k FROM (" + String.join(" UNION ALL ", parts) + ") s ORDER BY k")) {
            while (rs.next()) {
                String keyId = rs.getString(1);
                if (!cipher.knows(keyId)) {
                    throw new InvalidInputException("the backup holds data encrypted under key " + keyId + ", which is not configured here"
                            + (cipher.enabled() ? " (encryption.key is " + cipher.currentKeyId() + ")" : " (no encryption.key is set)")
                            + "; nothing was restored. Set encryption.key (or encryption.old_keys) to the key the school used, then restore again");
                }
            }
        }
    }

    /** Whether the database holds school data beyond what the migrations themselves put there. */
    public static boolean holdsData(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT to_regclass('public.users') IS NOT NULL AND (
                            EXISTS (SELECT 1 FROM users WHERE NOT is_builtin)
                         OR EXISTS (SELECT 1 FROM appointment_types)
                         OR EXISTS (SELECT 1 FROM appointments))
                     """)) {
            rs.next();
            return rs.getBoolean(1);
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Loads a verified file into a database already at the backup's schema version, in one transaction. With
     * {@code replace} false, a database holding school data is refused (exit 3) and nothing is changed.
     */
    public static Result load(Connection c, Path file, Backup.Manifest manifest, boolean replace, ContentCipher cipher) throws SQLException, IOException {
        c.setAutoCommit(false);
        try (ZipFile zip = new ZipFile(file.toFile()); Statement st = c.createStatement()) {
            st.execute("SET LOCAL search_path = public");
            List<String> tables = new ArrayList<>();
            for (Backup.TablePart p : manifest.tables()) {
                tables.add(p.name());
            }
            List<String> present = Backup.tables(c);
            for (String t : tables) {
                if (!present.contains(t)) {
                    throw new InvalidInputException("the backup holds table " + t + ", which schema version " + manifest.schema_version()
                            + " of this database does not have. Restore into an empty database");
                }
            }
            // Every table of the schema is locked first: no command reads a half-restored school.
            st.execute("LOCK TABLE " + String.join(", ", present.stream().map(t -> "public." + Backup.quoted(t)).toList())
                    + " IN ACCESS EXCLUSIVE MODE");
            boolean hadData = holdsData(c);
            if (hadData && !replace) {
                throw new ConflictException("the database already holds a school; nothing was restored. Restore into an empty database, or add --replace to overwrite it");
            }
            // Foreign keys among the restored tables, dropped now and added back (validated) after the load.
            Map<String, String[]> foreignKeys = new LinkedHashMap<>();
            try (ResultSet rs = c.createStatement().executeQuery("""
                    SELECT conname, conrelid::regclass::text, pg_get_constraintdef(oid)
                    FROM pg_constraint
                    WHERE contype = 'f' AND connamespace = 'public'::regnamespace
                    ORDER BY conrelid::regclass::text, conname
                    """)) {
                while (rs.next()) {
                    foreignKeys.put(rs.getString(1) + "@" + rs.getString(2), new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                }
            }
            List<String> forced = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery("""
                    SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relforcerowsecurity
                    """)) {
                while (rs.next()) {
                    if (present.contains(rs.getString(1))) {
                        forced.add(rs.getString(1));
                    }
                }
            }
            for (String[] fk : foreignKeys.values()) {
                st.execute("ALTER TABLE " + fk[1] + " DROP CONSTRAINT " + Backup.quoted(fk[0]));
            }
            for (String t : present) {
                st.execute("ALTER TABLE public." + Backup.quoted(t) + " DISABLE TRIGGER USER");
            }
            for (String t : forced) {
                st.execute("ALTER TABLE public." + Backup.quoted(t) + " NO FORCE ROW LEVEL SECURITY");
            }
            st.execute("TRUNCATE " + String.join(", ", present.stream().map(t -> "public." + Backup.quoted(t)).toList()));
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            long rows = 0;
            for (Backup.TablePart p : manifest.tables()) {
                ZipEntry e = zip.getEntry(p.entry());
                if (e == null) {
                    throw corrupt(file, "the part " + p.entry() + " is missing");
                }
                try (Hashed in = new Hashed(zip.getInputStream(e))) {
                    rows += copy.copyIn("COPY public." + Backup.quoted(p.name()) + " (" + Backup.columnList(p.columns()) + ") FROM STDIN", in, 1 << 16);
                    // Checked again while loading: the file must not have changed since it was verified.
                    if (!in.hex().equals(p.sha256())) {
                        throw corrupt(file, "the checksum of " + p.entry() + " changed while it was read");
                    }
                }
            }
            for (String[] fk : foreignKeys.values()) {
                st.execute("ALTER TABLE " + fk[1] + " ADD CONSTRAINT " + Backup.quoted(fk[0]) + " " + fk[2]);
            }
            for (String t : present) {
                st.execute("ALTER TABLE public." + Backup.quoted(t) + " ENABLE TRIGGER USER");
            }
            for (String t : forced) {
                st.execute("ALTER TABLE public." + Backup.quoted(t) + " FORCE ROW LEVEL SECURITY");
            }
            for (Backup.SequenceState s : manifest.sequences()) {
                try (ResultSet rs = st.executeQuery("SELECT to_regclass('public." + Backup.quoted(s.name()).replace("'", "''") + "')")) {
                    rs.next();
                    if (rs.getString(1) == null) {
                        continue;
                    }
                }
                try (var ps = c.prepareStatement("SELECT setval(?::regclass, ?, ?)")) {
                    ps.setString(1, "public." + Backup.quoted(s.name()));
                    ps.setLong(2, s.last_value());
                    ps.setBoolean(3, s.is_called());
                    ps.execute();
                }
            }
            requireKeys(c, cipher);
            c.commit();
            return new Result(file.toString(), manifest.schema_version(), manifest.schema_version(), manifest.tables().size(), rows, hadData);
        } catch (SQLException | IOException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // The connection is gone: the server rolls the transaction back itself.
            }
            throw e;
        }
    }

    /** Hashes what COPY reads. */
    private static final class Hashed extends FilterInputStream {
        final MessageDigest digest = Backup.sha256();

        Hashed(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                digest.update((byte) b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                digest.update(b, off, n);
            }
            return n;
        }

        String hex() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }
}
