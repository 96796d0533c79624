package org.schedctl.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/** `notifications list | retry | send-due` through the CLI. */
class NotificationsCommandIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Instant T0 = Instant.parse("2027-03-14T06:30:00Z");

    @Test
    void sendDueListAndRetry() {
        OutboxFixture outbox = new OutboxFixture(db, T0.plus(Duration.ofDays(1)));
        long inbox = outbox.notification("booked", "in_app", "inbox", "Booked", T0, "cli-inbox");
        long mail = outbox.notification("booked", "email", "sam@example.org", "Booked", T0, "cli-mail");
        long later = outbox.notification("reminder", "in_app", "inbox", "Reminder", T0.plus(Duration.ofHours(23)), "cli-later");
        CliDriver cli = db.cli().withClock(Clock.fixed(T0, ZoneOffset.UTC))
                .withEnv("SCHEDCTL_NOTIFICATIONS_MAX_ATTEMPTS", "1")
                .withEnv("SCHEDCTL_SMTP_PASSWORD", "hunter2-never-shown");

        JsonNode pass = cli.run("-o", "json", "notifications", "send-due").ok().json();
        assertEquals(2, pass.get("claimed").asInt());
        assertEquals(1, pass.get("sent").asInt());
        assertEquals(1, pass.get("dead").asInt());

        JsonNode all = cli.run("-o", "json", "notifications", "list").ok().json();
        assertEquals(3, all.size());
        JsonNode first = all.get(0);
        for (String key : List.of("id", "kind", "channel", "recipient", "status", "due_at", "sent_at", "attempts")) {
            assertTrue(first.has(key), key + " missing from " + first);
        }
        assertEquals("2027-03-14T06:30:00Z", first.get("due_at").asText());

        JsonNode dead = cli.run("-o", "json", "notifications", "list", "--status", "dead").ok().json();
        assertEquals(Set.of(mail), ids(dead));
        assertTrue(dead.get(0).get("last_error").asText().contains("smtp.host is not set"));
        assertEquals(Set.of(later), ids(cli.run("-o", "json", "notifications", "list", "--status", "pending").ok().json()));

        JsonNode retried = cli.run("-o", "json", "notifications", "retry", String.valueOf(mail)).ok().json();
        assertEquals("pending", retried.get("status").asText());
        assertEquals(0, retried.get("attempts").asInt());

        assertError(cli.run("notifications", "retry", String.valueOf(inbox)), 3, "already sent");
        assertError(cli.run("notifications", "retry", "999999"), 4, "not found");
        assertError(cli.run("notifications", "retry", "abc"), 2, "is not a positive whole number");
        assertError(cli.run("notifications", "list", "--status", "lost"), 2, "unknown notification status");

        CliDriver.Result table = cli.run("notifications", "list").ok();
        assertFalse(table.stdout().contains("hunter2") || table.stderr().contains("hunter2"), table.toString());
    }

    private static void assertError(CliDriver.Result result, int code, String fragment) {
        assertEquals(code, result.exitCode(), result.toString());
        assertTrue(result.stderr().startsWith("schedctl: error: ") && result.stderr().contains(fragment), result.toString());
        assertEquals(1, result.stderr().strip().lines().count(), "one line: " + result);
        assertEquals("", result.stdout(), result.toString());
    }

    private static Set<Long> ids(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(n -> n.get("id").asLong()).collect(java.util.stream.Collectors.toSet());
    }
}
