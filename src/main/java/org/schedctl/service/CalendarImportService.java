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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.schedctl.calendar.IcsBusyReader;
import org.schedctl.calendar.IcsBusyReader.BusyEvent;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.TimeInput.InstantRange;
import org.schedctl.domain.User;
import org.schedctl.domain.Zones;
import org.schedctl.store.Database;

/**
 * `import ics FILE --instructor U`: an external calendar's busy times become unavailable blocks. Keyed by
 * (UID, RECURRENCE-ID): an unchanged event is left alone, a changed one has its blocks replaced, one that is
 * now cancelled or transparent has them removed. The file is read and expanded completely before one
 * transaction writes, so a bad file writes nothing.
 */
public final class CalendarImportService {
    /** How far around now recurring events are expanded; importing again later extends the window. */
    public static final Duration PAST = Duration.ofDays(31);
    public static final Duration FUTURE = Duration.ofDays(366);

    private final Database db;

    public CalendarImportService(Database db) {
        this.db = db;
    }

    public record ImportResult(String instructor, int rows, int created, int updated, int unchanged, int removed,
                               int blocks, Instant horizonStart, Instant horizonEnd, List<Object> errors) {
    }

    private record Known(String fingerprint, List<Long> blockIds) {
    }

    public ImportResult importFile(String file, InputStream stdin, String instructor, Clock clock) {
        byte[] content = read(file, stdin);
        Instant now = clock.instant();
        InstantRange horizon = new InstantRange(now.minus(PAST), now.plus(FUTURE));
        User who = db.inTransaction(handle -> {
            User named = Lookups.instructor(handle, instructor);
            Access.requireSelfOrAdmin(handle, named.id(), "import a calendar into an instructor's availability");
            return named;
        });
        ZoneId zone = Zones.parse(who.timezone());
        String name = "-".equals(file) ? "stdin" : Path.of(file).getFileName().toString();
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
                            LEFT JOIN calendar_import_blocks b USING (instructor_id, uid, recurrence_id)
                            WHERE e.instructor_id = :id
                            GROUP BY e.uid, e.recurrence_id, e.fingerprint
                            """)
                    .bind("id", who.id())
                    .map((rs, ctx) -> {
                        Long[] ids = (Long[]) rs.getArray("blocks").getArray();
                        known.put(IcsBusyReader.key(rs.getString("uid"), rs.getString("recurrence_id")),
                                new Known(rs.getString("fingerprint"), List.of(ids)));
                        return null;
                    }).list();
            int created = 0;
            int updated = 0;
            int unchanged = 0;
            int removed = 0;
            int blocks = 0;
            for (BusyEvent event : parsed.busy()) {
                Known before = known.get(IcsBusyReader.key(event.uid(), event.recurrenceId()));
                if (before != null && before.fingerprint().equals(event.fingerprint()) && before.blockIds().size() == event.busy().size()) {
                    unchanged++;
                    continue;
                }
                if (before != null) {
                    UnavailableBlockWriter.delete(handle, before.blockIds());
                    updated++;
                } else {
                    created++;
                }
                handle.createUpdate("""
                                INSERT INTO calendar_import_events (instructor_id, uid, recurrence_id, fingerprint, summary)
                                VALUES (:id, :uid, :rid, :fingerprint, left(:summary, 500))
                                ON CONFLICT (instructor_id, uid, recurrence_id)
                                DO UPDATE SET fingerprint = EXCLUDED.fingerprint, summary = EXCLUDED.summary, imported_at = now()
                                """)
                        .bind("id", who.id()).bind("uid", event.uid()).bind("rid", event.recurrenceId())
                        .bind("fingerprint", event.fingerprint()).bind("summary", event.summary())
                        .execute();
                List<Long> ids = UnavailableBlockWriter.create(handle, who.id(), zone, event.busy(), "imported from calendar", actor);
                handle.createUpdate("""
                                INSERT INTO calendar_import_blocks (block_id, instructor_id, uid, recurrence_id)
                                SELECT unnest(:ids::bigint[]), :id, :uid, :rid
                                """)
                        .bind("ids", ids.toArray(new Long[0])).bind("id", who.id()).bind("uid", event.uid())
                        .bind("rid", event.recurrenceId())
                        .execute();
                blocks += ids.size();
            }
            for (String key : parsed.freedKeys()) {
                Known before = known.get(key);
                if (before != null) {
                    UnavailableBlockWriter.delete(handle, before.blockIds());
                    String[] parts = key.split("\u0000", -1);
                    handle.createUpdate("DELETE FROM calendar_import_events WHERE instructor_id = :id AND uid = :uid AND recurrence_id = :rid")
                            .bind("id", who.id()).bind("uid", parts[0]).bind("rid", parts[1]).execute();
                    removed++;
                }
            }
            return new ImportResult(who.email(), parsed.eventsRead(), created, updated, unchanged, removed, blocks,
                    horizon.start(), horizon.end(), List.of());
        });
    }

    private static byte[] read(String file, InputStream stdin) {
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
            throw new NotFoundException("file " + file + " not found. Check the path");
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + file + " (" + e.getMessage() + "). Check the path and permissions");
        }
    }
}
