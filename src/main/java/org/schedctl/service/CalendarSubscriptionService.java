package org.schedctl.service;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.schedctl.calendar.IcsBusyReader;
import org.schedctl.domain.Checked;
import org.schedctl.domain.Durations;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.Text;
import org.schedctl.domain.User;
import org.schedctl.store.Database;

/**
 * `calendar subscribe|list|unsubscribe|sync`: an instructor's external calendar (their personal Google or Outlook
 * calendar, say) fetched over HTTP and imported as its own calendar, so its busy times block bookings. Each sync is a
 * conditional GET (If-None-Match / If-Modified-Since), bounded in size and time; the feed's REFRESH-INTERVAL, when
 * longer than the subscription's own interval, sets the pace. A failed download or an unreadable file leaves the
 * last good import in place and is recorded for `calendar list`. Credentials never touch the database: a URL with
 * user:password@ is refused, and HTTP Basic credentials come from the configuration key
 * {@code calendar.subscription.ID.secret} ("user:password"; environment or config file only).
 */
public final class CalendarSubscriptionService {
    public static final Duration DEFAULT_EVERY = Duration.ofMinutes(15);
    public static final Duration MIN_EVERY = Duration.ofMinutes(1);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern REFRESH = Pattern.compile("(?m)^(?:REFRESH-INTERVAL|X-PUBLISHED-TTL)[^:\\r\\n]*:\\s*(P[0-9A-Z]+)\\s*$",
            Pattern.CASE_INSENSITIVE);

    /** How syncs run: the fetch timeout and where secrets come from (config key to value). */
    public record Settings(Duration timeout, Function<String, Optional<String>> secrets) {
        /** calendar.fetch_timeout (default 30s) and the secrets of the configuration. */
        public static Settings from(org.schedctl.config.Config config) {
            return new Settings(config.duration("calendar.fetch_timeout").orElse(DEFAULT_TIMEOUT), config::get);
        }
    }

    public record SubscriptionView(long id, String instructor, String calendar, String url, String every,
                                   String feedRefresh, String status, Instant lastAttemptAt, Instant lastSuccessAt,
                                   Instant nextSyncAt, String lastError) {
    }

    public record SyncResult(long id, String instructor, String calendar, String outcome, int created, int updated,
                             int unchanged, int removed, List<String> warnings, String error) {
    }

    private final Database db;
    private final Settings settings;
    private final Clock clock;

    public CalendarSubscriptionService(Database db, Settings settings, Clock clock) {
        this.db = db;
        this.settings = settings;
        this.clock = clock;
    }

    /** The subscription's secret's configuration key. */
    public static String secretKey(long id) {
        return "calendar.subscription." + id + ".secret";
    }

    /** The text of {@code --every}: a duration of at least a minute. */
    public static Duration every(String text) {
        Duration interval = Durations.parsePositive(text, "--every");
        if (interval.compareTo(MIN_EVERY) < 0) {
            throw new InvalidInputException("--every " + text + " is under a minute. Give e.g. 15m or 1h");
        }
        return interval;
    }

    /** Subscribes an instructor to the calendar at {@code url}, refreshed every {@code every} (null: 15 minutes). */
    public SubscriptionView subscribe(String instructor, String url, Checked<Duration> every, String name) {
        URI uri = checkUrl(url);
        Duration interval = every == null ? DEFAULT_EVERY : every.get();
        String calendar = CalendarImportService.calendarName(name != null ? name : uri.getHost());
        long id = db.inTransaction(handle -> {
            User who = Lookups.instructor(handle, instructor);
            Access.requireSelfOrAdmin(handle, who.id(), "subscribe to a calendar for an instructor");
            boolean taken = handle.createQuery("""
                            SELECT EXISTS (SELECT 1 FROM calendar_subscriptions WHERE instructor_id = :id AND calendar = :calendar)
                               OR EXISTS (SELECT 1 FROM calendar_import_events WHERE instructor_id = :id AND calendar = :calendar)
                            """)
                    .bind("id", who.id()).bind("calendar", calendar).mapTo(Boolean.class).one();
            if (taken) {
                throw new org.schedctl.domain.ConflictException("calendar '" + Text.printable(calendar) + "' of " + who.email()
                        + " is already in use. Give another --name");
            }
            return handle.createQuery("""
                            INSERT INTO calendar_subscriptions (instructor_id, calendar, url, refresh_every, next_sync_at)
                            VALUES (:id, :calendar, :url, make_interval(secs => :seconds), :now)
                            RETURNING id
                            """)
                    .bind("id", who.id()).bind("calendar", calendar).bind("url", uri.toString())
                    .bind("seconds", (double) interval.toSeconds()).bind("now", clock.instant())
                    .mapTo(Long.class).one();
        });
        return view(id);
    }

    /** http(s) or webcal (read as https), absolute, without credentials; one line on stderr otherwise. */
    static URI checkUrl(String url) {
        if (url == null || url.isBlank()) {
            throw new InvalidInputException("missing --url. Give the calendar's address, e.g. https://example.org/cal.ics");
        }
        String text = url.trim();
        if (text.regionMatches(true, 0, "webcal://", 0, 9)) {
            text = "https://" + text.substring(9);
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new InvalidInputException("bad --url '" + Text.printable(url) + "' (" + e.getReason() + "). Give an http(s) or webcal address");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new InvalidInputException("bad --url '" + Text.printable(redact(url)) + "'. Give an http(s) or webcal address");
        }
        if (uri.getRawUserInfo() != null) {
            throw new InvalidInputException("the --url holds credentials, which are never stored. Give the URL without"
                    + " user:password@ and, after subscribing, set calendar.subscription.ID.secret to user:password in the"
                    + " config file or the environment");
        }
        if (text.length() > 2000) {
            throw new InvalidInputException("--url is longer than 2000 characters. Give a shorter address");
        }
        return uri;
    }

    private static String redact(String url) {
        return url.replaceAll("//[^/@]*@", "//***@");
    }

    public List<SubscriptionView> list(String instructor) {
        return db.inTransaction(handle -> {
            Long id = instructor == null ? null : Lookups.instructor(handle, instructor).id();
            return handle.createQuery(SELECT + " WHERE (:id::bigint IS NULL OR s.instructor_id = :id) ORDER BY s.id")
                    .bind("id", id).map((rs, ctx) -> view(rs)).list();
        });
    }

    private static final String SELECT = """
            SELECT s.id, u.email, s.calendar, s.url, extract(epoch FROM s.refresh_every)::bigint AS every,
                   extract(epoch FROM s.feed_refresh)::bigint AS feed_refresh, s.last_attempt_at, s.last_success_at,
                   s.next_sync_at, s.last_error, s.content IS NOT NULL AS has_copy
            FROM calendar_subscriptions s JOIN users u ON u.id = s.instructor_id
            """;

    private SubscriptionView view(long id) {
        return db.inTransaction(handle -> handle.createQuery(SELECT + " WHERE s.id = :id").bind("id", id)
                .map((rs, ctx) -> view(rs)).findOne()
                .orElseThrow(() -> notFound(id)));
    }

    private static SubscriptionView view(java.sql.ResultSet rs) throws java.sql.SQLException {
        Instant attempt = instant(rs, "last_attempt_at");
        Instant success = instant(rs, "last_success_at");
        String error = rs.getString("last_error");
        String status;
        if (attempt == null) {
            status = "never synced";
        } else if (error == null) {
            status = "ok";
        } else if (rs.getBoolean("has_copy") || success != null) {
            status = "failing: keeping the last good copy" + (success == null ? "" : " from " + success);
        } else {
            status = "failing: nothing imported yet";
        }
        long feed = rs.getLong("feed_refresh");
        return new SubscriptionView(rs.getLong("id"), rs.getString("email"), rs.getString("calendar"), rs.getString("url"),
                Durations.format(Duration.ofSeconds(rs.getLong("every"))), rs.wasNull() || feed == 0 ? null : Durations.format(Duration.ofSeconds(feed)),
                status, attempt, success, instant(rs, "next_sync_at"), error);
    }

    private static Instant instant(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static NotFoundException notFound(long id) {
        return new NotFoundException("calendar subscription " + id + " not found. See `schedctl calendar list`");
    }

    /** Removes the subscription and everything it imported. */
    public SubscriptionView unsubscribe(String idText) {
        long id = Text.positiveId(idText, "subscription id", "Give the ID from `schedctl calendar list`");
        SubscriptionView before = view(id);
        db.useTransaction(handle -> {
            var row = handle.createQuery("SELECT instructor_id, calendar FROM calendar_subscriptions WHERE id = :id FOR UPDATE")
                    .bind("id", id).mapToMap().findOne().orElseThrow(() -> notFound(id));
            long instructor = ((Number) row.get("instructor_id")).longValue();
            Access.requireSelfOrAdmin(handle, instructor, "remove an instructor's calendar subscription");
            handle.createUpdate("""
                            DELETE FROM time_blocks WHERE source = 'ics' AND id IN (
                                SELECT block_id FROM calendar_import_blocks WHERE instructor_id = :i AND calendar = :c)
                            """).bind("i", instructor).bind("c", row.get("calendar")).execute();
            handle.createUpdate("DELETE FROM calendar_import_events WHERE instructor_id = :i AND calendar = :c")
                    .bind("i", instructor).bind("c", row.get("calendar")).execute();
            handle.createUpdate("DELETE FROM calendar_subscriptions WHERE id = :id").bind("id", id).execute();
        });
        return before;
    }

    /** `calendar sync [ID]`: one subscription now, or every one the caller may see. */
    public List<SyncResult> sync(String idText) {
        List<Long> ids = idText == null
                ? list(null).stream().map(SubscriptionView::id).toList()
                : List.of(view(Text.positiveId(idText, "subscription id", "Give the ID from `schedctl calendar list`")).id());
        List<SyncResult> results = new ArrayList<>();
        for (long id : ids) {
            results.add(syncOne(id));
        }
        return results;
    }

    /** The daemon's task: every subscription whose next sync is due. */
    public List<SyncResult> syncDue() {
        List<Long> due = db.inTransaction(handle -> handle.createQuery(
                        "SELECT id FROM calendar_subscriptions WHERE next_sync_at <= :now ORDER BY next_sync_at, id")
                .bind("now", clock.instant()).mapTo(Long.class).list());
        List<SyncResult> results = new ArrayList<>();
        for (long id : due) {
            results.add(syncOne(id));
        }
        return results;
    }

    private record Row(long id, String instructor, String calendar, String url, Duration every, String etag,
                       String lastModified, byte[] content) {
    }

    private SyncResult syncOne(long id) {
        Row row = db.inTransaction(handle -> handle.createQuery("""
                        SELECT s.id, u.email, s.calendar, s.url, extract(epoch FROM s.refresh_every)::bigint AS every,
                               s.etag, s.last_modified, s.content
                        FROM calendar_subscriptions s JOIN users u ON u.id = s.instructor_id WHERE s.id = :id
                        """).bind("id", id)
                .map((rs, ctx) -> new Row(rs.getLong("id"), rs.getString("email"), rs.getString("calendar"), rs.getString("url"),
                        Duration.ofSeconds(rs.getLong("every")), rs.getString("etag"), rs.getString("last_modified"),
                        rs.getBytes("content")))
                .findOne().orElseThrow(() -> notFound(id)));
        Instant now = clock.instant();
        byte[] content;
        String etag = row.etag();
        String lastModified = row.lastModified();
        boolean notModified = false;
        try {
            Fetched fetched = fetch(row);
            if (fetched.status() == 304 && row.content() != null) {
                content = row.content();
                notModified = true;
            } else {
                content = fetched.body();
                etag = fetched.etag();
                lastModified = fetched.lastModified();
            }
        } catch (InvalidInputException e) {
            return failed(row, now, e.getMessage());
        }
        CalendarImportService.ImportResult imported;
        try {
            imported = new CalendarImportService(db).importContent(content, "subscription " + row.id(), row.instructor(),
                    row.calendar(), clock);
        } catch (InvalidInputException | NotFoundException e) {
            return failed(row, now, e.getMessage());
        }
        Duration feedRefresh = feedRefresh(content);
        Duration pace = feedRefresh != null && feedRefresh.compareTo(row.every()) > 0 ? feedRefresh : row.every();
        String e2 = etag;
        String m2 = lastModified;
        boolean unchanged = notModified;
        db.useTransaction(handle -> handle.createUpdate("""
                        UPDATE calendar_subscriptions
                        SET last_attempt_at = :now, last_success_at = :now, last_error = NULL, etag = left(:etag, 500),
                            last_modified = left(:modified, 100), content = CASE WHEN :unchanged THEN content ELSE :content END,
                            feed_refresh = make_interval(secs => :feed), next_sync_at = :next
                        WHERE id = :id
                        """)
                .bind("now", now).bind("etag", e2).bind("modified", m2).bind("unchanged", unchanged)
                .bind("content", unchanged ? null : content)
                .bind("feed", feedRefresh == null ? null : (Double) (double) feedRefresh.toSeconds())
                .bind("next", now.plus(pace)).bind("id", row.id()).execute());
        return new SyncResult(row.id(), row.instructor(), row.calendar(), notModified ? "not modified" : "imported",
                imported.created(), imported.updated(), imported.unchanged(), imported.removed(), imported.warnings(), null);
    }

    private SyncResult failed(Row row, Instant now, String message) {
        String error = message.length() > 1000 ? message.substring(0, 997) + "..." : message;
        db.useTransaction(handle -> handle.createUpdate("""
                        UPDATE calendar_subscriptions SET last_attempt_at = :now, last_error = :error, next_sync_at = :next
                        WHERE id = :id
                        """)
                .bind("now", now).bind("error", error).bind("next", now.plus(row.every())).bind("id", row.id()).execute());
        return new SyncResult(row.id(), row.instructor(), row.calendar(), "failed (kept the last good copy)", 0, 0, 0, 0,
                List.of(), error);
    }

    /** REFRESH-INTERVAL (RFC 7986) or X-PUBLISHED-TTL of the calendar, if it gives one of at least a minute. */
    static Duration feedRefresh(byte[] content) {
        String head = new String(content, 0, Math.min(content.length, 64 * 1024), StandardCharsets.UTF_8);
        int event = head.indexOf("BEGIN:VEVENT");
        Matcher m = REFRESH.matcher(event < 0 ? head : head.substring(0, event));
        if (!m.find()) {
            return null;
        }
        try {
            Duration d = Duration.parse(m.group(1).toUpperCase(Locale.ROOT).replace("P1W", "P7D"));
            return d.compareTo(MIN_EVERY) < 0 ? null : d;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private record Fetched(int status, byte[] body, String etag, String lastModified) {
    }

    private Fetched fetch(Row row) {
        URI uri = URI.create(row.url());
        String where = "subscription " + row.id() + " (" + uri.getHost() + ")";
        HttpClient client = HttpClient.newBuilder().connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(settings.timeout()).GET()
                .header("Accept", "text/calendar, */*;q=0.5")
                .header("User-Agent", "schedctl calendar subscription");
        if (row.content() != null && row.etag() != null) {
            request.header("If-None-Match", row.etag());
        }
        if (row.content() != null && row.lastModified() != null) {
            request.header("If-Modified-Since", row.lastModified());
        }
        settings.secrets().apply(secretKey(row.id())).ifPresent(secret -> request.header("Authorization",
                "Basic " + Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8))));
        try {
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                int status = response.statusCode();
                if (status == 304) {
                    return new Fetched(304, null, null, null);
                }
                if (status != 200) {
                    throw new InvalidInputException(where + " answered HTTP " + status + ". Check the URL"
                            + (status == 401 || status == 403 ? " and " + secretKey(row.id()) : ""));
                }
                byte[] bytes = readBounded(body, Instant.now().plus(settings.timeout()), where);
                return new Fetched(200, bytes, response.headers().firstValue("ETag").orElse(null),
                        response.headers().firstValue("Last-Modified").orElse(null));
            }
        } catch (IOException e) {
            throw new InvalidInputException(where + " could not be fetched (" + Text.printable(String.valueOf(e.getMessage()))
                    + "). Check the URL and the network");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvalidInputException(where + " fetch was interrupted. Sync again");
        }
    }

    /** At most {@link IcsBusyReader#MAX_BYTES}, and within the time limit, however slowly the server sends. */
    private static byte[] readBounded(InputStream in, Instant deadline, String where) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            if (out.size() > IcsBusyReader.MAX_BYTES) {
                throw new InvalidInputException(where + " is larger than " + (IcsBusyReader.MAX_BYTES / 1024 / 1024)
                        + " MB. Subscribe to a shorter calendar");
            }
            if (Instant.now().isAfter(deadline)) {
                throw new InvalidInputException(where + " took longer than the fetch timeout. Check the server or raise calendar.fetch_timeout");
            }
        }
        return out.toByteArray();
    }
}
