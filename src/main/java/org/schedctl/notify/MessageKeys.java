package org.schedctl.notify;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Header-safe forms of a message's idempotency key: the same key always gives the same header values. */
final class MessageKeys {
    private static final Pattern HEADER_SAFE = Pattern.compile("[A-Za-z0-9._:@/+=#-]{1,200}");

    private MessageKeys() {
    }

    /** The key itself when it is plain printable ASCII, else its SHA-256, so a header can never be split by it. */
    static String headerValue(String idempotencyKey) {
        return HEADER_SAFE.matcher(idempotencyKey).matches() ? idempotencyKey : "sha256:" + sha256(idempotencyKey);
    }

    /** An RFC 5322 Message-ID derived from the key: a resent message is recognisable as the same one. */
    static String messageId(String idempotencyKey) {
        return "<" + sha256(idempotencyKey).substring(0, 40) + "@schedctl>";
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /** One line, no control characters: what may go into a header after encoding. */
    static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("[\\p{Cntrl}\\u2028\\u2029\\u0085]+", " ").strip();
    }
}
