-- schedctl V59 (issue 18, data safety): encryption at rest of attachment contents.
--
-- With encryption.key configured the application stores an attachment's content sealed with AES-256-GCM
-- (a 12-byte nonce, the ciphertext, a 16-byte tag) and the id of the key beside it; NULL means stored in clear.
-- size_bytes stays the size of the file itself, so the size check allows for the 28 bytes of a sealed value.
ALTER TABLE appointment_attachments ADD COLUMN content_key_id text CHECK (content_key_id ~ '^[0-9a-f]{16}$');
ALTER TABLE appointment_attachments DROP CONSTRAINT appointment_attachments_check;
ALTER TABLE appointment_attachments ADD CONSTRAINT appointment_attachments_content_size
    CHECK (octet_length(content) = size_bytes + CASE WHEN content_key_id IS NULL THEN 0 ELSE 28 END);
-- `db rotate-key` works in batches of rows still under another key (or none).
CREATE INDEX appointment_attachments_key_idx ON appointment_attachments (content_key_id);
