package org.schedctl.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.schedctl.domain.InvalidInputException;

/**
 * {@code db rotate-key}: re-seals every attachment and every user's phone number not under the current
 * {@code encryption.key} (sealed under an old key, or stored in clear before a key was set), one batch per
 * transaction. Rows are claimed with
 * {@code FOR UPDATE SKIP LOCKED} and each batch commits on its own, so a rotation that stops half-way (killed,
 * server gone) is resumed by running it again, and two at once share the work. One attachment is in memory at a
 * time, whatever the batch size.
 */
public final class KeyRotation {
    /** What `db rotate-key` prints. */
    public record Result(String key_id, long rotated, int batches, long remaining) {
    }

    /** Users whose phone number is in clear or sealed under another key than the parameter's. */
    private static final String PHONES_TO_ROTATE = """
            SELECT id, phone, phone_sealed, phone_key_id FROM users
            WHERE (phone IS NOT NULL OR phone_sealed IS NOT NULL) AND phone_key_id IS DISTINCT FROM ?""";

    private KeyRotation() {
    }

    public static Result rotate(DataSource owner, ContentCipher cipher, int batchSize) throws SQLException {
        if (!cipher.enabled()) {
            throw new InvalidInputException("no encryption.key is set, so there is nothing to rotate to. Set encryption.key (and the "
                    + "previous key in encryption.old_keys) in the environment or the config file");
        }
        String current = cipher.currentKeyId();
        long rotated = 0;
        int batches = 0;
        try (Connection c = owner.getConnection()) {
            c.setAutoCommit(false);
            while (true) {
                List<Long> ids = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("""
                        SELECT id FROM appointment_attachments WHERE content_key_id IS DISTINCT FROM ?
                        ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED""")) {
                    ps.setString(1, current);
                    ps.setInt(2, batchSize);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getLong(1));
                        }
                    }
                }
                if (ids.isEmpty()) {
                    c.commit();
                    break;
                }
                for (long id : ids) {
                    byte[] sealed;
                    String keyId;
                    String sha;
                    try (PreparedStatement ps = c.prepareStatement("SELECT content, content_key_id, sha256 FROM appointment_attachments WHERE id = ?")) {
                        ps.setLong(1, id);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            sealed = rs.getBytes(1);
                            keyId = rs.getString(2);
                            sha = rs.getString(3);
                        }
                    }
                    byte[] plain = cipher.open(keyId, sealed, sha, "attachment " + id);
                    ContentCipher.Sealed again = cipher.seal(plain, sha);
                    try (PreparedStatement ps = c.prepareStatement("UPDATE appointment_attachments SET content = ?, content_key_id = ? WHERE id = ?")) {
                        ps.setBytes(1, again.bytes());
                        ps.setString(2, again.keyId());
                        ps.setLong(3, id);
                        ps.executeUpdate();
                    }
                }
                c.commit();
                rotated += ids.size();
                batches++;
            }
            // Then the phone numbers (V68): clear ones are sealed, ones under an older key re-sealed.
            while (true) {
                List<Long> ids = new ArrayList<>();
                List<String> clear = new ArrayList<>();
                List<byte[]> sealed = new ArrayList<>();
                List<String> keyIds = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(PHONES_TO_ROTATE + " ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED")) {
                    ps.setString(1, current);
                    ps.setInt(2, batchSize);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getLong(1));
                            clear.add(rs.getString(2));
                            sealed.add(rs.getBytes(3));
                            keyIds.add(rs.getString(4));
                        }
                    }
                }
                if (ids.isEmpty()) {
                    c.commit();
                    break;
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE users SET phone = NULL, phone_sealed = ?, phone_key_id = ? WHERE id = ?")) {
                    for (int i = 0; i < ids.size(); i++) {
                        long id = ids.get(i);
                        String phone = clear.get(i) != null ? clear.get(i) : cipher.openPhone(id, keyIds.get(i), sealed.get(i));
                        ContentCipher.Sealed again = cipher.sealPhone(id, phone);
                        ps.setBytes(1, again.bytes());
                        ps.setString(2, again.keyId());
                        ps.setLong(3, id);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                c.commit();
                rotated += ids.size();
                batches++;
            }
            long remaining;
            try (PreparedStatement ps = c.prepareStatement("SELECT (SELECT count(*) FROM appointment_attachments WHERE content_key_id IS DISTINCT FROM ?)"
                    + " + (SELECT count(*) FROM (" + PHONES_TO_ROTATE + ") p)")) {
                ps.setString(1, current);
                ps.setString(2, current);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    remaining = rs.getLong(1);
                }
            }
            c.commit();
            return new Result(current, rotated, batches, remaining);
        }
    }
}
