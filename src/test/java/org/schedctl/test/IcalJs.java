package org.schedctl.test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Mozilla's ical.js as an independent reader of our calendars, through {@code scripts/icaljs-check} (which installs
 * it on first use). What it read: one node per VEVENT (uid, start, end as UTC instants, status) and the calendar's
 * RFC 7986 properties.
 */
public final class IcalJs {
    public record Read(List<JsonNode> events, JsonNode calendar) {
        public JsonNode event(String uid) {
            return events.stream().filter(e -> e.get("uid").asText().equals(uid)).findFirst()
                    .orElseThrow(() -> new AssertionError("ical.js did not find " + uid + " in " + events));
        }
    }

    private IcalJs() {
    }

    public static Read read(Path file) {
        try {
            Path out = Files.createTempFile("icaljs-", ".out");
            Path err = Files.createTempFile("icaljs-", ".err");
            try {
                Process process = new ProcessBuilder("scripts/icaljs-check", file.toAbsolutePath().toString())
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!process.waitFor(5, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new AssertionError("scripts/icaljs-check did not finish");
                }
                if (process.exitValue() != 0) {
                    throw new AssertionError("ical.js refused " + file + ": " + Files.readString(err, StandardCharsets.UTF_8));
                }
                ObjectMapper mapper = new ObjectMapper();
                List<JsonNode> events = new ArrayList<>();
                JsonNode calendar = null;
                for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                    JsonNode node = mapper.readTree(line);
                    if (node.has("calendar")) {
                        calendar = node.get("calendar");
                    } else {
                        events.add(node);
                    }
                }
                return new Read(events, calendar);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run scripts/icaljs-check: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
