package org.schedctl.service;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.PermissionDeniedException;
import org.schedctl.domain.Text;
import org.schedctl.domain.booking.BookingReference;
import org.schedctl.store.Database;

/**
 * Files attached to an appointment (the seed's appointment_attachments): lesson material, a signed form, a
 * recording's notes. Whoever may see the appointment may attach, list and fetch; the uploader or an administrator
 * may remove. Row-level security decides visibility; this class turns its answers into one-line reasons.
 */
public final class AttachmentService {
    /** The database's own limit (a CHECK on size_bytes): 25 MiB. */
    public static final long MAX_BYTES = 25L * 1024 * 1024;
    static final int MAX_NAME = 255;
    private static final Pattern MEDIA_TYPE = Pattern.compile(
            "^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$");
    private static final String DEFAULT_TYPE = "application/octet-stream";

    private final Database db;
    private final org.schedctl.store.ContentCipher cipher;

    public AttachmentService(Database db) {
        this(db, org.schedctl.store.ContentCipher.none());
    }

    /** With {@code encryption.key} configured, contents are stored sealed under it (README, Backups). */
    public AttachmentService(Database db, org.schedctl.store.ContentCipher cipher) {
        this.db = db;
        this.cipher = cipher;
    }

    /** An attachment's metadata; its content is fetched with {@link #content}. */
    public record AttachmentView(long id, String reference, String fileName, String contentType, long sizeBytes,
                                 String sha256, String uploadedBy, Instant createdAt) {
    }

    /** A fetched attachment: its metadata and bytes. */
    public record Content(AttachmentView attachment, byte[] bytes) {
    }

    private static final RowMapper<AttachmentView> VIEW = ConstructorMapper.of(AttachmentView.class);

    private static final String SELECT_VIEW = """
            SELECT f.id, a.reference, f.file_name, f.content_type, f.size_bytes, f.sha256,
                   coalesce(u.email, 'user ' || f.uploaded_by) AS uploaded_by, f.created_at
              FROM appointment_attachments f
              JOIN appointments a ON a.id = f.appointment_id
              LEFT JOIN users u ON u.id = f.uploaded_by
            """;

    /**
     * Attaches a file, read from {@code path} or, when {@code path} is "-", from {@code stdin} (then {@code name}
     * is required). The content type is {@code contentType}, else guessed from the name, else
     * application/octet-stream.
     */
    public AttachmentView add(String referenceText, String path, InputStream stdin, String name, String contentType) {
        BookingReference reference = BookingReference.parse(referenceText);
        boolean fromStdin = "-".equals(path);
        if (fromStdin && name == null) {
            throw new InvalidInputException("reading the attachment from stdin needs a file name. Add --name NAME");
        }
        String fileName = fileName(name != null ? name : fileNameOf(path));
        String type = contentType != null ? mediaType(contentType) : guessType(fileName);
        byte[] bytes = fromStdin ? readStdin(stdin) : readFile(path);
        String sha256 = sha256(bytes);
        org.schedctl.store.ContentCipher.Sealed sealed = cipher.seal(bytes, sha256);
        return db.inTransaction(handle -> {
            long appointmentId = appointmentId(handle, reference);
            // The unique index decides, also between two uploads at once; the loser learns which attachment won.
            long id = handle.createQuery("""
                            INSERT INTO appointment_attachments (appointment_id, file_name, content_type, size_bytes,
                                                                 sha256, content, content_key_id, uploaded_by)
                            VALUES (:a, :name, :type, :size, :sha, :content, :key, app_current_user_id())
                            ON CONFLICT (appointment_id, sha256) DO NOTHING
                            RETURNING id
                            """)
                    .bind("a", appointmentId).bind("name", fileName).bind("type", type).bind("size", (long) bytes.length)
                    .bind("sha", sha256).bind("content", sealed.bytes()).bind("key", sealed.keyId()).mapTo(Long.class).findOne()
                    .orElseThrow(() -> alreadyAttached(reference, handle.createQuery(
                                    "SELECT id FROM appointment_attachments WHERE appointment_id = :a AND sha256 = :sha")
                            .bind("a", appointmentId).bind("sha", sha256).mapTo(Long.class).one()));
            return find(handle, id);
        });
    }

    public List<AttachmentView> list(String referenceText) {
        BookingReference reference = BookingReference.parse(referenceText);
        return db.inTransaction(handle -> {
            long appointmentId = appointmentId(handle, reference);
            return handle.createQuery(SELECT_VIEW + " WHERE f.appointment_id = :a ORDER BY f.created_at, f.id")
                    .bind("a", appointmentId).map(VIEW).list();
        });
    }

    /** The attachment and its bytes; the stored SHA-256 is checked against what comes back. */
    public Content content(String idText) {
        long id = Text.positiveId(idText, "attachment id", "Give the id shown by `schedctl attachments list REF`");
        return db.inTransaction(handle -> {
            AttachmentView view = find(handle, id);
            byte[] bytes = handle.createQuery("SELECT content, content_key_id FROM appointment_attachments WHERE id = :id")
                    .bind("id", id).map((rs, ctx) -> cipher.open(rs.getString("content_key_id"), rs.getBytes("content"), view.sha256(),
                            "attachment " + id)).one();
            if (!sha256(bytes).equals(view.sha256())) {
                throw new IllegalStateException("attachment " + id + " does not match its stored SHA-256");
            }
            return new Content(view, bytes);
        });
    }

    public AttachmentView remove(String idText) {
        long id = Text.positiveId(idText, "attachment id", "Give the id shown by `schedctl attachments list REF`");
        return db.inTransaction(handle -> {
            AttachmentView view = find(handle, id);
            Long uploader = handle.createQuery("SELECT uploaded_by FROM appointment_attachments WHERE id = :id")
                    .bind("id", id).mapTo(Long.class).one();
            Access.Actor actor = Access.actor(handle);
            if (!actor.isAdmin() && (uploader == null || uploader != actor.id())) {
                throw new PermissionDeniedException("only the user who attached " + view.fileName()
                        + " or an administrator can remove it. Ask them, or an administrator");
            }
            handle.createUpdate("DELETE FROM appointment_attachments WHERE id = :id").bind("id", id).execute();
            return view;
        });
    }

    private static AttachmentView find(Handle handle, long id) {
        return handle.createQuery(SELECT_VIEW + " WHERE f.id = :id").bind("id", id).map(VIEW).findOne()
                .orElseThrow(() -> new NotFoundException("no attachment " + id
                        + ". See `schedctl attachments list REF` for the attachments of an appointment"));
    }

    /** Not visible and not there answer alike: an appointment's existence is not told to those who may not see it. */
    private static long appointmentId(Handle handle, BookingReference reference) {
        return handle.createQuery("SELECT id FROM appointments WHERE reference = :r")
                .bind("r", reference.value()).mapTo(Long.class).findOne()
                .orElseThrow(() -> new NotFoundException("no appointment " + reference.value()
                        + ". Check the reference with `schedctl appointments list`"));
    }

    private static ConflictException alreadyAttached(BookingReference reference, long existing) {
        return new ConflictException("this file is already attached to " + reference.value() + " as attachment "
                + existing + ". See `schedctl attachments list " + reference.value() + "`");
    }

    static String fileName(String name) {
        String n = Text.line(name, "attachment name", MAX_NAME);
        if (n.contains("/") || n.contains("\\")) {
            throw new InvalidInputException("attachment name '" + Text.printable(n)
                    + "' contains a path separator. Give a plain file name with --name");
        }
        if (n.equals(".") || n.equals("..")) {
            throw new InvalidInputException("attachment name '" + n + "' is not a file name. Give a file name with --name");
        }
        return n;
    }

    private static String fileNameOf(String path) {
        Path p = Path.of(path).getFileName();
        if (p == null) {
            throw new InvalidInputException("'" + path + "' names no file. Give the path of a file to attach");
        }
        return p.toString();
    }

    static String mediaType(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (!MEDIA_TYPE.matcher(t).matches()) {
            throw new InvalidInputException("content type '" + Text.printable(text)
                    + "' is not a media type. Give TYPE/SUBTYPE, e.g. application/pdf");
        }
        return t;
    }

    /** From the name's extension through the JDK's own table (the same on every machine), else octet-stream. */
    static String guessType(String fileName) {
        String guessed = URLConnection.guessContentTypeFromName(fileName.toLowerCase(Locale.ROOT));
        return guessed == null ? DEFAULT_TYPE : guessed;
    }

    private static byte[] readFile(String path) {
        Path p = Path.of(path);
        try {
            if (Files.isDirectory(p)) {
                throw new InvalidInputException("'" + path + "' is a directory. Give the path of a file to attach");
            }
            long size = Files.size(p);
            if (size > MAX_BYTES) {
                throw tooLarge(size);
            }
            try (InputStream in = Files.newInputStream(p)) {
                return bounded(in);
            }
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("no file '" + path + "'. Check the path");
        } catch (IOException e) {
            throw new InvalidInputException("cannot read '" + path + "' (" + e.getMessage() + "). Check the path and permissions");
        }
    }

    private static byte[] readStdin(InputStream in) {
        try {
            return bounded(in);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read the attachment from stdin (" + e.getMessage() + ")");
        }
    }

    /** Reads at most one byte past the limit, so a huge or endless stream costs bounded memory. */
    private static byte[] bounded(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes((int) MAX_BYTES + 1);
        if (bytes.length > MAX_BYTES) {
            throw tooLarge(-1);
        }
        return bytes;
    }

    private static InvalidInputException tooLarge(long size) {
        return new InvalidInputException("the file is " + (size < 0 ? "larger than 25 MiB" : size + " bytes")
                + "; attachments are limited to 25 MiB (" + MAX_BYTES + " bytes). Attach a smaller file or a link in --notes");
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
