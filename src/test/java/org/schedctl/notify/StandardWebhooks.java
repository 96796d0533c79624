package org.schedctl.notify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The Standard Webhooks reference library for JavaScript (npm {@code standardwebhooks}) as an independent verifier
 * of recorded calls, through {@code scripts/standardwebhooks-verify} (which installs it on first use).
 */
final class StandardWebhooks {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Outcome(int exit, String out, String err) {
    }

    private StandardWebhooks() {
    }

    /** The payload the library accepted; fails the test when it refuses the call. */
    static JsonNode verify(String secret, RecordingHttpServer.Request request) throws IOException {
        Outcome outcome = run(secret, request);
        if (outcome.exit() != 0) {
            throw new AssertionError("standardwebhooks refused the call: " + outcome.err());
        }
        return JSON.readTree(outcome.out());
    }

    static boolean accepts(String secret, RecordingHttpServer.Request request) throws IOException {
        return run(secret, request).exit() == 0;
    }

    private static Outcome run(String secret, RecordingHttpServer.Request request) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
            headers.put(header.getKey(), header.getValue().get(0));
        }
        Path headerFile = Files.createTempFile("webhook-headers-", ".json");
        Path bodyFile = Files.createTempFile("webhook-body-", ".json");
        Path out = Files.createTempFile("webhook-verify-", ".out");
        Path err = Files.createTempFile("webhook-verify-", ".err");
        try {
            Files.write(headerFile, JSON.writeValueAsBytes(headers));
            Files.write(bodyFile, request.body());
            Process process = new ProcessBuilder("scripts/standardwebhooks-verify", secret, headerFile.toString(), bodyFile.toString())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("scripts/standardwebhooks-verify did not finish");
            }
            return new Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            for (Path p : List.of(headerFile, bodyFile, out, err)) {
                Files.deleteIfExists(p);
            }
        }
    }
}
