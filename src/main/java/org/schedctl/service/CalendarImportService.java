package org.schedctl.service;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.schedctl.calendar.IcsBusyReader;
import org.schedctl.calendar.IcsBusyReader.BusyEvent;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.TimeInput.InstantRange;
import org.schedctl.domain.User;
import org.schedctl.domain.Zones;
import org.schedctl.store.Database;

/**
 * `import ics FILE --instructor U [--calendar NAME]`: an external calendar's busy times become unavailable blocks.
 * Each import names a calendar of the instructor (default {@value #DEFAULT_CALENDAR}; a subscription is its own) and
 * follows that source: keyed by (UID, RECURRENCE-ID), an unchanged event is left alone, a changed one has its blocks
 * replaced, and one now cancelled, transparent or gone from the file has them removed. Other calendars are not
 * touched. The file is read and expanded completely before one transaction writes, in a few set-based statements
 * whatever the number of events, so a bad file writes nothing.
 */
public final class CalendarImportService {
    /** How far around now recurring events are expanded; importing again later extends the window. */
    public static final Duration PAST = Duration.ofDays(31);
    public static final Duration FUTURE = Duration.ofDays(366);
    public static final String DEFAULT_CALENDAR = "default";

    private final Database db;

    public CalendarImportService(Database db) {
        this.db = db;
    }

    public record ImportResult(String instructor, String calendar, int rows, int created, int updated, int unchanged,
                               int removed, int blocks, Instant horizonStart, Instant horizonEnd, List<String> warnings) {
    }

    private record Known(String fingerprint, List<Long> blockIds) {
    }

    /** A calendar's name as given: 1 to 100 characters, no control characters. */
    public static String calendarName(String name) {
        if (name == null) {
            return DEFAULT_CALENDAR;
        }
        String trimmed = name.trim();
        if (trimmed.isEmpty() || trimmed.length() > 100 || trimmed.codePoints().anyMatch(Character::isISOControl)) {
            throw new InvalidInputException("bad calendar name '" + org.schedctl.domain.Text.printable(name)
                    + "'. Give 1 to 100 printable characters, e.g. personal");
        }
        return trimmed;
    }

    public ImportResult importFile(String file, InputStream stdin, String instructor, String calendar, Clock clock) {
        byte[] content = read(file, stdin);
        String name = "-".equals(file) ? "stdin" : Path.of(file).getFileName().toString();
        return importContent(content, name, instructor, calendarName(calendar), clock);
    }

    /** Imports calendar text already read (a file, or a subscription's download) into one calendar of {@code instructor}. */
    public ImportResult importContent(byte[] content, String name, String instructor, String calendar, Clock clock) {
        Instant now = clock.instant();
        InstantRange horizon = new InstantRange(now.minus(PAST), now.plus(FUTURE));
        User who = db.inTransaction(handle -> {
            User named = Lookups.instructor(handle, instructor);
            Access.requireSelfOrAdmin(handle, named.id(), "import a calendar into an instructor's availability");
            return named;
        });
        ZoneId zone = Zones.parse(who.timezone());
        IcsBusyReader.Result parsed = new IcsBusyReader(zone, horizon, name).read(content);
        long actor = db.actorId();
        return db.inTransaction(handle -> {
            // Serialises concurrent imports for one instructor, so both cannot create the same event's blocks.
            handle.execute("SELECT pg_advisory_xact_lock(hashtext('import ics'), ?)", (int) who.id());
            Map<String, Known> known = new HashMap<>();
            handle.createQuery("""
                            SELECT e.uid, e.recurrence_id, e.fingerprint,
                                   coalesce(array_agg(b.block_id) FILTER (WHERE b.block_id IS NOT NULL), '{}') AS blocks
                            FROM calendar_import_events e
                            LEFT JOIN calendar_import_blocks b USING (instructor_id, calendar, uid, recurrence_id)
                            WHERE e.instructor_id = :id AND e.calendar = :calendar
                            GROUP BY e.uid, e.recurrence_id, e.fingerprint
                            """)
                    .bind("id", who.id())
                    .bind("calendar", calendar)
                    .map((rs, ctx) -> {
                        Long[] ids = (Long[]) rs.getArray("blocks").getArray();
                        known.put(IcsBusyReader.key(rs.getString("uid"), rs.getString("recurrence_id")),
                                new Known(rs.getString("fingerprint"), List.of(ids)));
                        return null;
                    }).list();
            int created = 0;
            int updated = 0;
            int unchanged = 0;
            List<Long> stale = new ArrayList<>();
            List<BusyEvent> changed = new ArrayList<>();
            for (BusyEvent event : parsed.busy()) {
                Known before = known.get(IcsBusyReader.key(event.uid(), event.recurrenceId()));
                if (before != null && before.fingerprint().equals(event.fingerprint()) && before.blockIds().size() == event.busy().size()) {
                    unchanged++;
                    continue;
                }
                if (before != null) {
                    stale.addAll(before.blockIds());
                    updated++;
                } else {
                    created++;
                }
                changed.add(event);
            }
            // Gone from the file, cancelled or transparent: the event and its blocks go.
            Set<String> busyKeys = new HashSet<>();
            parsed.busy().forEach(b -> busyKeys.add(IcsBusyReader.key(b.uid(), b.recurrenceId())));
            List<String> goneUids = new ArrayList<>();
            List<String> goneRids = new ArrayList<>();
            for (Map.Entry<String, Known> entry : known.entrySet()) {
                if (!busyKeys.contains(entry.getKey())) {
                    stale.addAll(entry.getValue().blockIds());
                    String[] parts = entry.getKey().split("\u0000", -1);
                    goneUids.add(parts[0]);
                    goneRids.add(parts[1]);
                }
            }
            UnavailableBlockWriter.delete(handle, stale);
            if (!goneUids.isEmpty()) {
                handle.createUpdate("""
                                DELETE FROM calendar_import_events
                                WHERE instructor_id = :id AND calendar = :calendar
                                  AND (uid, recurrence_id) IN (SELECT * FROM unnest(:uids::text[], :rids::text[]))
                                """)
                        .bind("id", who.id()).bind("calendar", calendar)
                        .bind("uids", goneUids.toArray(new String[0])).bind("rids", goneRids.toArray(new String[0]))
                        .execute();
            }
            int blocks = 0;
            if (!changed.isEmpty()) {
                int n = changed.size();
                String[] uids = new String[n];
                String[] rids = new String[n];
                String[] fingerprints = new String[n];
                String[] summaries = new String[n];
                List<InstantRange> ranges = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    BusyEvent e = changed.get(i);
                    uids[i] = e.uid();
                    rids[i] = e.recurrenceId();
                    fingerprints[i] = e.fingerprint();
                    summaries[i] = e.summary();
                    ranges.addAll(e.busy());
                }
                handle.createUpdate("""
                                INSERT INTO calendar_import_events (instructor_id, calendar, uid, recurrence_id, fingerprint, summary)
                                SELECT :id, :calendar, u, r, f, left(s, 500)
                                FROM unnest(:uids::text[], :rids::text[], :fingerprints::text[], :summaries::text[]) AS t(u, r, f, s)
                                ON CONFLICT (instructor_id, calendar, uid, recurrence_id)
                                DO UPDATE SET fingerprint = EXCLUDED.fingerprint, summary = EXCLUDED.summary, imported_at = now()
                                """)
                        .bind("id", who.id()).bind("calendar", calendar).bind("uids", uids).bind("rids", rids)
                        .bind("fingerprints", fingerprints).bind("summaries", summaries)
                        .execute();
                List<Long> ids = UnavailableBlockWriter.create(handle, who.id(), zone, ranges,
                        "imported from calendar " + calendar, actor);
                Long[] blockIds = ids.toArray(new Long[0]);
                String[] blockUids = new String[blockIds.length];
                String[] blockRids = new String[blockIds.length];
                int k = 0;
                for (BusyEvent e : changed) {
                    for (int j = 0; j < e.busy().size(); j++, k++) {
                        blockUids[k] = e.uid();
                        blockRids[k] = e.recurrenceId();
                    }
                }
                handle.createUpdate("""
                                INSERT INTO calendar_import_blocks (block_id, instructor_id, calendar, uid, recurrence_id)
                                SELECT b, :id, :calendar, u, r FROM unnest(:ids::bigint[], :uids::text[], :rids::text[]) AS t(b, u, r)
                                """)
                        .bind("ids", blockIds).bind("id", who.id()).bind("calendar", calendar)
                        .bind("uids", blockUids).bind("rids", blockRids)
                        .execute();
                blocks = blockIds.length;
            }
            return new ImportResult(who.email(), calendar, parsed.eventsRead(), created, updated, unchanged, goneUids.size(),
                    blocks, horizon.start(), horizon.end(), parsed.warnings());
        });
    }

    static byte[] read(String file, InputStream stdin) {
        if (file == null || file.isBlank()) {
            throw new InvalidInputException("missing FILE. Give the .ics file to import, or - for stdin");
        }
        try (InputStream in = "-".equals(file) ? stdin : Files.newInputStream(Path.of(file))) {
            // Reads one byte past the cap so an oversized file is refused without reading all of it.
            byte[] content = in.readNBytes(IcsBusyReader.MAX_BYTES + 1);
            if (content.length > IcsBusyReader.MAX_BYTES) {
                throw new InvalidInputException(file + " is larger than " + (IcsBusyReader.MAX_BYTES / 1024 / 1024)
                        + " MB. Export a shorter period from the calendar and import that");
            }
            return content;
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("file " + file + " not found. Check the path");
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + file + " (" + e.getMessage() + "). Check the path and permissions");
        }
    }
}
