package org.schedctl.store;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.schedctl.config.Config;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;

/**
 * Encryption at rest in the application: AES-256-GCM (the JDK's own provider) under {@code encryption.key}, a
 * secret read from the environment or the config file only. Each sealed value is a fresh 12-byte nonce followed
 * by the ciphertext and its 16-byte tag; the value's key id (derived from the key, never the key itself) is stored
 * beside it, so a value sealed under an older key is opened with that key from {@code encryption.old_keys}, and
 * {@code db rotate-key} knows what to re-encrypt. The associated data binds a value to its row (an attachment's
 * SHA-256, a user's id), so ciphertext moved to another row does not open. Attachment contents and users' phone
 * numbers are sealed.
 */
public final class ContentCipher {
    public static final int OVERHEAD = 12 + 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A sealed value and the id of the key that sealed it. */
    public record Sealed(String keyId, byte[] bytes) {
    }

    private final String currentId;
    private final Map<String, SecretKeySpec> keys;

    private ContentCipher(String currentId, Map<String, SecretKeySpec> keys) {
        this.currentId = currentId;
        this.keys = keys;
    }

    /** No keys: values are stored and read in clear (sealed ones cannot be opened). */
    public static ContentCipher none() {
        return new ContentCipher(null, Map.of());
    }

    /** The keys of the configuration; without {@code encryption.key}, a cipher that seals nothing. */
    public static ContentCipher from(Config config) {
        Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
        String current = null;
        String text = config.get("encryption.key").orElse(null);
        if (text != null && !text.isBlank()) {
            byte[] key = parse(text.trim(), "encryption.key", config);
            current = keyId(key);
            keys.put(current, new SecretKeySpec(key, "AES"));
        }
        for (String old : config.get("encryption.old_keys").orElse("").split(",")) {
            if (!old.isBlank()) {
                byte[] key = parse(old.trim(), "encryption.old_keys", config);
                keys.putIfAbsent(keyId(key), new SecretKeySpec(key, "AES"));
            }
        }
        return new ContentCipher(current, keys);
    }

    private static byte[] parse(String text, String name, Config config) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            key = new byte[0];
        }
        if (key.length != 32) {
            throw new InvalidInputException(name + ": a key is 32 random bytes in base64 (e.g. the output of `openssl rand -base64 32`). Fix it in "
                    + config.filePath() + " or " + Config.envName(name));
        }
        return key;
    }

    /** The public name of a key: 16 hex digits of a hash of it, safe to store and print. */
    public static String keyId(byte[] key) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update("schedctl key id\0".getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(d.digest(key), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean enabled() {
        return currentId != null;
    }

    /** Whether the key with this id is configured (as encryption.key or one of encryption.old_keys). */
    public boolean knows(String keyId) {
        return keys.containsKey(keyId);
    }

    /** The id of {@code encryption.key}, or null without one. */
    public String currentKeyId() {
        return currentId;
    }

    /** Seals under the current key; without a key, returns the plain bytes and a null key id. */
    public Sealed seal(byte[] plain, String binding) {
        if (currentId == null) {
            return new Sealed(null, plain);
        }
        try {
            byte[] nonce = new byte[12];
            RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(128, nonce));
            c.updateAAD(binding.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[12 + c.getOutputSize(plain.length)];
            System.arraycopy(nonce, 0, out, 0, 12);
            c.doFinal(plain, 0, plain.length, out, 12);
            return new Sealed(currentId, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The associated data of a user's sealed phone number (V68): the user's id, so a number copied onto another
     * user's row does not open.
     */
    public static String phoneBinding(long userId) {
        return "users.phone:" + userId;
    }

    /** A user's phone number sealed under the current key (a null key id: no key, store it in clear). */
    public Sealed sealPhone(long userId, String phone) {
        return seal(phone.getBytes(StandardCharsets.UTF_8), phoneBinding(userId));
    }

    /** Opens a user's sealed phone number; the errors of {@link #open}. */
    public String openPhone(long userId, String keyId, byte[] sealed) {
        return new String(open(keyId, sealed, phoneBinding(userId), "the phone number of user " + userId), StandardCharsets.UTF_8);
    }

    /** Opens a value sealed under {@code keyId} (null: stored in clear). {@code what} names it in errors. */
    public byte[] open(String keyId, byte[] sealed, String binding, String what) {
        if (keyId == null) {
            return sealed;
        }
        SecretKeySpec key = keys.get(keyId);
        if (key == null) {
            throw new InvalidInputException(what + " is encrypted under key " + keyId + ", which is not configured"
                    + (currentId == null ? " (no encryption.key is set)" : " (encryption.key is " + currentId + ")")
                    + ". Set encryption.key, or add that key to encryption.old_keys");
        }
        if (sealed.length < OVERHEAD) {
            throw new ConflictException(what + " is damaged: its encrypted content is too short. Restore it from a backup");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed, 0, 12));
            c.updateAAD(binding.getBytes(StandardCharsets.UTF_8));
            return c.doFinal(sealed, 12, sealed.length - 12);
        } catch (AEADBadTagException e) {
            throw new ConflictException(what + " is damaged: its encrypted content does not authenticate under key " + keyId
                    + ". Restore it from a backup");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
