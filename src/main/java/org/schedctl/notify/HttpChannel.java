package org.schedctl.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * JSON over HTTP POST: the webhook and the SMS and push gateways. Every call is signed per Standard Webhooks 1.0
 * ({@code webhook-id}, the same for every retry of one message; {@code webhook-timestamp}, Unix seconds of this
 * attempt; {@code webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>}), so a receiver can verify it
 * with a stock library and refuse replays. The key is the configured secret: {@code whsec_<base64>} as Standard
 * Webhooks writes them, or any other text as its UTF-8 bytes. The webhook's body is {@code {type, timestamp, data}};
 * it still carries the old {@code X-Schedctl-Signature} (deprecated, removed in the next release). The gateways
 * also get their bearer token. Any 2xx answer means delivered. Errors name the host, never the URL's path or
 * query, which may hold credentials.
 */
final class HttpChannel implements Channel {
    enum Kind { webhook, sms, push }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Kind kind;
    private final URI url;
    private final String secret;
    private final HttpClient client;
    private final Duration timeout;
    private final Clock clock;
    private final byte[] key;

    HttpChannel(Kind kind, URI url, String secret, HttpClient client, Duration timeout, Clock clock) {
        this.kind = kind;
        this.url = url;
        this.secret = secret;
        this.client = client;
        this.timeout = timeout;
        this.clock = clock;
        this.key = signingKey(secret);
    }

    @Override
    public void send(OutboundMessage message) throws DeliveryException {
        Instant now = clock.instant();
        byte[] body = payload(message, now);
        String id = webhookId(message.idempotencyKey());
        String timestamp = String.valueOf(now.getEpochSecond());
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", "schedctl")
                .header("Idempotency-Key", MessageKeys.headerValue(message.idempotencyKey()))
                .header("webhook-id", id)
                .header("webhook-timestamp", timestamp)
                .header("webhook-signature", "v1," + signature(key, id, timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (kind == Kind.webhook) {
            // Deprecated: the pre-Standard-Webhooks signature (body only, no timestamp), kept for one release.
            request.header("X-Schedctl-Signature", "sha256=" + hmacSha256(secret, body));
            request.header("X-Schedctl-Event", message.kind());
        } else {
            request.header("Authorization", "Bearer " + secret);
        }
        HttpResponse<Void> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new DeliveryException(kind + " POST to " + where() + " failed: " + MessageKeys.oneLine(e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage())), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException(kind + " POST to " + where() + " was interrupted", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new DeliveryException(kind + " POST to " + where() + " answered HTTP " + response.statusCode());
        }
    }

    private String where() {
        return url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    }

    private byte[] payload(OutboundMessage message, Instant now) throws DeliveryException {
        Map<String, Object> json = new LinkedHashMap<>();
        if (kind == Kind.webhook) {
            Map<String, Object> data = new LinkedHashMap<>();
            json.put("type", "appointment." + message.kind());
            json.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.MILLIS)));
            json.put("data", data);
            data.put("id", message.id());
            data.put("idempotency_key", message.idempotencyKey());
            data.put("kind", message.kind());
            data.put("recipient", message.recipient());
            data.put("subject", message.subjectOrDefault());
            data.put("body", message.bodyOrEmpty());
            if (message.appointmentReference() != null) {
                Map<String, Object> appointment = new LinkedHashMap<>();
                appointment.put("reference", message.appointmentReference());
                appointment.put("start", message.startsAt() == null ? null : message.startsAt().toString());
                appointment.put("end", message.endsAt() == null ? null : message.endsAt().toString());
                data.put("appointment", appointment);
            }
        } else {
            json.put("to", message.recipient());
            json.put("body", message.bodyOrEmpty().isEmpty() ? message.subjectOrDefault() : message.bodyOrEmpty());
            json.put("idempotency_key", message.idempotencyKey());
        }
        try {
            return JSON.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new DeliveryException("cannot encode the " + kind + " message as JSON", e);
        }
    }

    /** Standard Webhooks: the same id for every attempt of one message, derived from its idempotency key. */
    static String webhookId(String idempotencyKey) {
        return "msg_" + MessageKeys.sha256(idempotencyKey).substring(0, 32);
    }

    /** A {@code whsec_} secret is base64 (as Standard Webhooks issues them); any other secret is its UTF-8 bytes. */
    static byte[] signingKey(String secret) {
        if (secret.startsWith("whsec_")) {
            try {
                return Base64.getDecoder().decode(secret.substring("whsec_".length()));
            } catch (IllegalArgumentException e) {
                // not base64 after all: fall through and use the text as it is
            }
        }
        return secret.getBytes(StandardCharsets.UTF_8);
    }

    /** Base64 of HMAC-SHA256 over {@code id.timestamp.body}. */
    static String signature(byte[] key, String id, String timestamp, byte[] body) {
        Mac mac = mac(key);
        mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable in this Java runtime", e);
        }
    }

    static String hmacSha256(String key, byte[] body) {
        return HexFormat.of().formatHex(mac(key.getBytes(StandardCharsets.UTF_8)).doFinal(body));
    }
}
