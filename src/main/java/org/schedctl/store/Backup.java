package org.schedctl.store;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.schedctl.domain.InvalidInputException;

/**
 * {@code schedctl db backup}: every table of the schema read in one {@code REPEATABLE READ} transaction (a
 * consistent snapshot, taken without stopping anything) and streamed with {@code COPY ... TO STDOUT} into a zip
 * file, one deflated entry per table, followed by {@code manifest.json} that names the schema version and the
 * SHA-256 of each entry's uncompressed bytes. Memory stays flat whatever the size: rows go from the socket to the
 * file through fixed buffers.
 *
 * <p>The file is written under a temporary name beside the target ({@code .NAME.partial-…}), forced to disk and
 * renamed over the target only once the manifest is written: a backup stopped half-way (killed, disk full, server
 * stopped) leaves no file under the requested name, and a reader never sees a file without a manifest.
 *
 * <p>Written by hand on top of PgJDBC's CopyManager and java.util.zip rather than by running {@code pg_dump},
 * because the embedded default ships no {@code pg_dump}, and pg_dump's archive cannot be checked by schedctl
 * before anything is restored.
 */
public final class Backup {
    public static final String FORMAT = "schedctl-backup";
    public static final int FORMAT_VERSION = 1;
    public static final String MANIFEST = "manifest.json";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** One table in the file. */
    public record TablePart(String name, String entry, List<String> columns, long rows, long bytes, String sha256) {
    }

    /** A sequence's state, so that the restored database hands out the ids the original would have. */
    public record SequenceState(String name, long last_value, boolean is_called) {
    }

    /** What {@code manifest.json} holds. */
    public record Manifest(String format, int format_version, String schedctl_version, int schema_version, int migrations,
                           String created_at, String server_version, List<TablePart> tables, List<SequenceState> sequences) {
    }

    /** What `db backup` prints. */
    public record Result(String file, int schema_version, int tables, long rows, long bytes, String created_at) {
    }

    private Backup() {
    }

    /**
     * Tables that are part of a backup: every ordinary table of the public schema except Flyway's history (the
     * restore's own migrations write it) and Quartz's tables (the running daemon's triggers, locks and check-ins,
     * which the daemon recreates when it starts and which would otherwise claim a cluster member that is gone).
     */
    static List<String> tables(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT c.relname FROM pg_class c
                     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
                       AND c.relname <> 'flyway_schema_history' AND c.relname NOT LIKE 'qrtz\\_%'
                     ORDER BY c.relname
                     """)) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    /** The columns COPY may write: every live column but generated ones, in table order. */
    static List<String> columns(Connection c, String table) throws SQLException {
        List<String> cols = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT a.attname FROM pg_attribute a
                WHERE a.attrelid = ('public.' || quote_ident(?))::regclass AND a.attnum > 0 AND NOT a.attisdropped
                  AND a.attgenerated = ''
                ORDER BY a.attnum
                """)) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    cols.add(rs.getString(1));
                }
            }
        }
        return cols;
    }

    static String quoted(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }

    static String columnList(List<String> columns) {
        return String.join(", ", columns.stream().map(Backup::quoted).toList());
    }

    /** Writes a backup of the database behind {@code owner} to {@code file}; see the class comment. */
    public static Result write(Connector.Target owner, Path file, Instant now) {
        Path target = file.toAbsolutePath().normalize();
        Path dir = target.getParent();
        if (Files.isDirectory(target)) {
            throw new InvalidInputException("the backup file " + target + " is a directory. Name a file, e.g. -f " + target.resolve("schedctl.backup"));
        }
        if (dir == null || !Files.isDirectory(dir)) {
            throw new InvalidInputException("the directory " + dir + " for the backup does not exist. Create it, or name another file with -f");
        }
        Path temp;
        try {
            temp = Files.createTempFile(dir, "." + target.getFileName() + ".partial-", "");
        } catch (IOException e) {
            throw writeFailure(target, e);
        }
        boolean done = false;
        try (Connection c = Connector.simpleDataSource(owner).getConnection()) {
            Result result = writeTo(c, temp, target, now);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            forceDirectory(dir);
            done = true;
            return result;
        } catch (SQLException e) {
            throw failure(owner, e);
        } catch (IOException e) {
            throw writeFailure(target, e);
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // The temporary name never looks like a finished backup; an operator may delete it.
                }
            }
        }
    }

    /** A refusal or a lost server, as the product's exception. */
    public static RuntimeException failure(Connector.Target target, SQLException e) {
        org.schedctl.domain.SchedException known = SqlErrors.translate(e);
        return known != null ? known : Connector.unreachable(target, e);
    }

    private static RuntimeException writeFailure(Path target, IOException e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof AccessDeniedException) {
            return new InvalidInputException("cannot write the backup " + target + ": permission denied. Choose a writable place with -f");
        }
        if (e instanceof NoSuchFileException) {
            return new InvalidInputException("cannot write the backup " + target + ": the directory does not exist. Create it, or name another file with -f");
        }
        if (why.contains("No space left") || why.contains("Disk quota")) {
            return new InvalidInputException("cannot write the backup " + target + ": no space left on the device. Free space, or name a file on another disk with -f; nothing was written");
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            why = fse.getReason();
        }
        return new InvalidInputException("cannot write the backup " + target + ": " + why + ". Choose another place with -f; nothing was written");
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Not every file system lets a directory be opened for fsync; the rename itself is still atomic.
        }
    }

    private static Result writeTo(Connection c, Path temp, Path target, Instant now) throws SQLException, IOException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            // The first query fixes the snapshot: everything below sees the database as of this instant.
            st.execute("SET LOCAL search_path = public");
        }
        Schema.Probe probe = Schema.probe(c);
        if (probe.version().isEmpty()) {
            throw new InvalidInputException("the database has no schedctl schema to back up. Run `schedctl db migrate` first, or point --db at the school's database");
        }
        String serverVersion;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW server_version")) {
            rs.next();
            serverVersion = rs.getString(1);
        }
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        List<TablePart> parts = new ArrayList<>();
        long totalRows = 0;
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        try (OutputStream file = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 20);
             ZipOutputStream zip = new ZipOutputStream(file)) {
            // Level 1: most of the size saving of the default level at a fraction of its CPU (COPY text is repetitive).
            zip.setLevel(Deflater.BEST_SPEED);
            for (String table : tables(c)) {
                List<String> cols = columns(c, table);
                String entry = "tables/" + table + ".copy";
                zip.putNextEntry(new ZipEntry(entry));
                Measured out = new Measured(zip);
                long rows = copy.copyOut("COPY public." + quoted(table) + " (" + columnList(cols) + ") TO STDOUT", out);
                zip.closeEntry();
                parts.add(new TablePart(table, entry, cols, rows, out.count, out.hex()));
                totalRows += rows;
            }
            List<SequenceState> sequences = sequences(c);
            Manifest manifest = new Manifest(FORMAT, FORMAT_VERSION, BuildInfo.version(), probe.version().getAsInt(), probe.migrations(),
                    now.toString(), serverVersion, parts, sequences);
            zip.putNextEntry(new ZipEntry(MANIFEST));
            zip.write(JSON.writeValueAsBytes(manifest));
            zip.closeEntry();
            zip.finish();
            file.flush();
            channel.force(true);
        } finally {
            channel.close();
        }
        c.commit();
        return new Result(target.toString(), probe.version().getAsInt(), parts.size(), totalRows, Files.size(temp), now.toString());
    }

    static List<SequenceState> sequences(Connection c) throws SQLException {
        List<SequenceState> list = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT s.relname FROM pg_class s
                     WHERE s.relnamespace = 'public'::regnamespace AND s.relkind = 'S'
                       AND s.relname NOT LIKE 'flyway\\_%' AND s.relname NOT LIKE 'qrtz\\_%'
                     ORDER BY s.relname
                     """)) {
            List<String> names = new ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString(1));
            }
            for (String name : names) {
                try (ResultSet v = st.executeQuery("SELECT last_value, is_called FROM public." + quoted(name))) {
                    v.next();
                    list.add(new SequenceState(name, v.getLong(1), v.getBoolean(2)));
                }
            }
        }
        return list;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Counts and hashes what passes through, and leaves the zip stream open when COPY is done with it. */
    private static final class Measured extends FilterOutputStream {
        final MessageDigest digest = sha256();
        long count;

        Measured(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            digest.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            count += len;
        }

        @Override
        public void close() {
            // The zip entry is closed by the caller.
        }

        String hex() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }
}
