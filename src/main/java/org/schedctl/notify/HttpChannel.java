package org.schedctl.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * JSON over HTTP POST: the webhook (signed with HMAC-SHA256 of the exact body bytes) and the SMS and push
 * gateways (bearer token). Any 2xx answer means delivered. Errors name the host, never the URL's path or
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

    HttpChannel(Kind kind, URI url, String secret, HttpClient client, Duration timeout) {
        this.kind = kind;
        this.url = url;
        this.secret = secret;
        this.client = client;
        this.timeout = timeout;
    }

    @Override
    public void send(OutboundMessage message) throws DeliveryException {
        byte[] body = payload(message);
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", "schedctl")
                .header("Idempotency-Key", MessageKeys.headerValue(message.idempotencyKey()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (kind == Kind.webhook) {
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

    private byte[] payload(OutboundMessage message) throws DeliveryException {
        Map<String, Object> json = new LinkedHashMap<>();
        if (kind == Kind.webhook) {
            json.put("id", message.id());
            json.put("idempotency_key", message.idempotencyKey());
            json.put("kind", message.kind());
            json.put("recipient", message.recipient());
            json.put("subject", message.subjectOrDefault());
            json.put("body", message.bodyOrEmpty());
            if (message.appointmentReference() != null) {
                Map<String, Object> appointment = new LinkedHashMap<>();
                appointment.put("reference", message.appointmentReference());
                appointment.put("start", message.startsAt() == null ? null : message.startsAt().toString());
                appointment.put("end", message.endsAt() == null ? null : message.endsAt().toString());
                json.put("appointment", appointment);
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

    static String hmacSha256(String key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable in this Java runtime", e);
        }
    }
}
