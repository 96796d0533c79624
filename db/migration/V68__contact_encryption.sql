-- schedctl V68 (issue 18, data safety): encryption at rest of contact details (a user's phone number).
--
-- With encryption.key configured the application stores a phone number sealed with AES-256-GCM (a 12-byte nonce,
-- the ciphertext, a 16-byte tag; the associated data binds it to its user's id) in phone_sealed, the id of the key
-- in phone_key_id, and leaves phone NULL. Without a key, phone holds the number in clear as before. A row has at
-- most one of the two; `db rotate-key` seals clear numbers and re-seals those under an older key.
ALTER TABLE users ADD COLUMN phone_sealed bytea CHECK (octet_length(phone_sealed) BETWEEN 29 AND 128);
ALTER TABLE users ADD COLUMN phone_key_id text CHECK (phone_key_id ~ '^[0-9a-f]{16}$');
ALTER TABLE users ADD CONSTRAINT users_phone_sealed_key
    CHECK ((phone_sealed IS NULL) = (phone_key_id IS NULL) AND (phone IS NULL OR phone_sealed IS NULL));
-- The runtime role reads contact columns only through the view user_contacts (R__50_security.sql), as for phone.
