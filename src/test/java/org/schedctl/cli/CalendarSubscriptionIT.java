package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver;
import org.schedctl.test.CliDriver.Result;
import org.schedctl.test.TestDatabase;

/** Issue 13: calendar subscriptions end to end, against a local HTTP server, through the CLI and the daemon. */
class CalendarSubscriptionIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Instant NOW = Instant.parse("2027-01-10T12:00:00Z");

    private HttpServer server;
    private volatile String body;
    private volatile String etag;
    private volatile int status = 200;
    private final List<String> ifNoneMatch = new CopyOnWriteArrayList<>();
    private final List<String> authorization = new CopyOnWriteArrayList<>();

    @BeforeEach
    void serve() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/cal.ics", exchange -> {
            String condition = exchange.getRequestHeaders().getFirst("If-None-Match");
            ifNoneMatch.add(String.valueOf(condition));
            authorization.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            if (status != 200) {
                exchange.sendResponseHeaders(status, -1);
            } else if (etag != null && etag.equals(condition)) {
                exchange.getResponseHeaders().add("ETag", etag);
                exchange.sendResponseHeaders(304, -1);
            } else {
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/calendar");
                if (etag != null) {
                    exchange.getResponseHeaders().add("ETag", etag);
                }
                exchange.sendResponseHeaders(200, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/cal.ics";
    }

    private static CliDriver cli(Instant at) {
        return db.cli().withClock(Clock.fixed(at, ZoneOffset.UTC));
    }

    private static String feed(String refresh, String... uids) {
        StringBuilder text = new StringBuilder("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n");
        if (refresh != null) {
            text.append("REFRESH-INTERVAL;VALUE=DURATION:").append(refresh).append("\r\n");
        }
        int day = 1;
        for (String uid : uids) {
            text.append("BEGIN:VEVENT\r\nUID:").append(uid).append("\r\nDTSTAMP:20270101T000000Z\r\n")
                    .append("DTSTART:202702").append(String.format("%02d", day)).append("T150000Z\r\n")
                    .append("DTEND:202702").append(String.format("%02d", day)).append("T160000Z\r\nEND:VEVENT\r\n");
            day++;
        }
        return text.append("END:VCALENDAR\r\n").toString();
    }

    private long blocks(String email) {
        return db.database().inTransaction(h -> h.createQuery("""
                        SELECT count(*) FROM calendar_import_blocks b JOIN users u ON u.id = b.instructor_id
                        JOIN time_blocks t ON t.id = b.block_id WHERE u.email = :e""")
                .bind("e", email).mapTo(Long.class).one());
    }

    @Test
    void theDaemonFollowsAFeedWithConditionalGetsAndKeepsTheLastGoodCopy() {
        String teacher = "sub-teacher@example.org";
        cli(NOW).run("user", "add", "--name", "Sub Teacher", "--email", teacher, "--role", "instructor", "--tz", "America/New_York").ok();
        body = feed(null, "a@x", "b@x", "c@x");
        etag = "\"v1\"";

        JsonNode sub = cli(NOW).run("-o", "json", "calendar", "subscribe", teacher, "--url", url(), "--name", "personal").ok().json();
        long id = sub.get("id").asLong();
        assertEquals("never synced", sub.get("status").asText());
        assertEquals("15m", sub.get("every").asText());

        // The daemon's task picks up the due subscription and imports it.
        JsonNode runs = cli(NOW).run("-o", "json", "daemon", "--once").ok().json();
        assertTrue(runs.toString().contains("calendar-subscriptions"), runs.toString());
        assertEquals(3, blocks(teacher));
        assertEquals("null", ifNoneMatch.get(0), "the first fetch is unconditional");

        // The source drops an event: a sync follows it.
        body = feed(null, "a@x", "b@x");
        etag = "\"v2\"";
        JsonNode synced = cli(NOW.plusSeconds(60)).run("-o", "json", "calendar", "sync", String.valueOf(id)).ok().json();
        assertEquals("imported", synced.get(0).get("outcome").asText(), synced.toString());
        assertEquals(1, synced.get(0).get("removed").asInt());
        assertEquals(2, blocks(teacher));
        assertEquals("\"v1\"", ifNoneMatch.get(1), "conditional on the ETag of the last good copy");

        // Unchanged: 304, nothing downloaded, the blocks stay.
        JsonNode again = cli(NOW.plusSeconds(120)).run("-o", "json", "calendar", "sync", String.valueOf(id)).ok().json();
        assertEquals("not modified", again.get(0).get("outcome").asText(), again.toString());
        assertEquals(2, blocks(teacher));

        // The server fails: exit 1, the last good import stays, and the list says so.
        status = 500;
        Result failed = cli(NOW.plusSeconds(180)).run("calendar", "sync", String.valueOf(id));
        assertEquals(1, failed.exitCode(), failed.toString());
        assertTrue(failed.stderr().contains("answered HTTP 500"), failed.stderr());
        assertEquals(2, blocks(teacher));
        JsonNode listed = cli(NOW.plusSeconds(180)).run("-o", "json", "calendar", "list").ok().json();
        assertTrue(listed.get(0).get("status").asText().startsWith("failing: keeping the last good copy"), listed.toString());

        // REFRESH-INTERVAL longer than --every sets the pace.
        status = 200;
        body = feed("PT2H", "a@x", "b@x");
        etag = "\"v3\"";
        cli(NOW.plusSeconds(240)).run("calendar", "sync", String.valueOf(id)).ok();
        JsonNode paced = cli(NOW.plusSeconds(240)).run("-o", "json", "calendar", "list").ok().json().get(0);
        assertEquals("2h", paced.get("feed_refresh").asText(), paced.toString());
        assertEquals("ok", paced.get("status").asText());
        assertEquals(Instant.parse("2027-01-10T12:04:00Z").plusSeconds(7200),
                java.time.OffsetDateTime.parse(paced.get("next_sync_at").asText()).toInstant());

        // Unsubscribing removes what it brought.
        cli(NOW.plusSeconds(300)).run("calendar", "unsubscribe", String.valueOf(id)).ok();
        assertEquals(0, blocks(teacher));
        assertEquals(0, cli(NOW).run("-o", "json", "calendar", "list").ok().json().size());
    }

    @Test
    void credentialsStayOutOfTheDatabaseAndOutput() {
        String teacher = "cred-teacher@example.org";
        cli(NOW).run("user", "add", "--name", "Cred Teacher", "--email", teacher, "--role", "instructor").ok();
        Result refused = cli(NOW).run("calendar", "subscribe", teacher, "--url", "https://ann:hunter2@cal.example.org/x.ics");
        assertEquals(2, refused.exitCode(), refused.toString());
        assertFalse(refused.stderr().contains("hunter2"), refused.stderr());
        assertTrue(refused.stderr().contains("calendar.subscription.ID.secret"), refused.stderr());

        body = feed(null, "a@y");
        etag = null;
        long id = cli(NOW).run("-o", "json", "calendar", "subscribe", teacher, "--url", url()).ok().json().get("id").asLong();
        CliDriver withSecret = cli(NOW).withEnv("SCHEDCTL_CALENDAR_SUBSCRIPTION_" + id + "_SECRET", "ann:hunter2");
        withSecret.run("calendar", "sync", String.valueOf(id)).ok();
        assertEquals("Basic YW5uOmh1bnRlcjI=", authorization.get(authorization.size() - 1));
        Result listed = withSecret.run("-o", "json", "calendar", "list");
        assertFalse(listed.stdout().contains("hunter2") || listed.stdout().contains("YW5u"), listed.stdout());
        assertEquals(0L, (long) db.database().inTransaction(h -> h.createQuery(
                "SELECT count(*) FROM calendar_subscriptions WHERE url LIKE '%hunter2%' OR url LIKE '%@%'").mapTo(Long.class).one()));
        assertEquals("127.0.0.1", cli(NOW).run("-o", "json", "calendar", "list", "--instructor", teacher).ok().json()
                .get(0).get("calendar").asText(), "the calendar is named after the URL's host by default");
    }
}
