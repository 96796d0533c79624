package org.schedctl.service;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;

import org.jdbi.v3.core.Handle;
import org.schedctl.domain.TimeInput.InstantRange;

/**
 * The one place `import ics` writes availability storage: one-off unavailable blocks, each with its single
 * occurrence row, as `availability block` stores them. When the availability service lands on main, this
 * class delegates to it and nothing else in the import changes.
 */
final class UnavailableBlockWriter {
    private UnavailableBlockWriter() {
    }

    /** Creates one block per range (source 'ics') and returns their ids in the order of the ranges. */
    static List<Long> create(Handle handle, long instructorId, ZoneId zone, List<InstantRange> ranges, String reason, long actorId) {
        int n = ranges.size();
        // ISO text cast in SQL: the driver binds text arrays everywhere, java.time arrays not.
        String[] starts = new String[n];
        String[] ends = new String[n];
        String[] localStarts = new String[n];
        String[] localEnds = new String[n];
        String[] zones = new String[n];
        for (int i = 0; i < n; i++) {
            InstantRange r = ranges.get(i);
            ZoneId local = zone;
            // An hour inside the autumn overlap starts and ends at the same wall-clock time; time_blocks
            // requires local_end > local_start, so such a block keeps its local rule in UTC.
            if (!LocalDateTime.ofInstant(r.end(), zone).isAfter(LocalDateTime.ofInstant(r.start(), zone))) {
                local = java.time.ZoneOffset.UTC;
            }
            starts[i] = r.start().toString();
            ends[i] = r.end().toString();
            localStarts[i] = LocalDateTime.ofInstant(r.start(), local).toString();
            localEnds[i] = LocalDateTime.ofInstant(r.end(), local).toString();
            zones[i] = local.equals(java.time.ZoneOffset.UTC) ? "UTC" : zone.getId();
        }
        // Ids are drawn first, so each block's id is known by its position (two events may share a start).
        Long[] ids = handle.createQuery("SELECT nextval(pg_get_serial_sequence('time_blocks', 'id')) FROM generate_series(1, :n)")
                .bind("n", n).mapTo(Long.class).list().toArray(new Long[0]);
        handle.createUpdate("""
                        WITH input AS (
                            SELECT * FROM unnest(:ids::bigint[], :starts::timestamptz[], :ends::timestamptz[],
                                                 :localStarts::timestamp[], :localEnds::timestamp[], :zones::text[])
                                AS t(id, starts_at, ends_at, local_start, local_end, timezone)
                        ), blocks AS (
                            INSERT INTO time_blocks (id, instructor_id, kind, starts_at, ends_at, timezone, local_start, local_end,
                                                     reason, source, expanded_until, created_by)
                            OVERRIDING SYSTEM VALUE
                            SELECT id, :instructor, 'unavailable', starts_at, ends_at, timezone, local_start, local_end,
                                   :reason, 'ics', ends_at, :actor
                            FROM input
                            RETURNING id, instructor_id, kind, starts_at, ends_at
                        )
                        INSERT INTO time_block_occurrences (block_id, instructor_id, kind, during)
                        SELECT id, instructor_id, kind, tstzrange(starts_at, ends_at, '[)') FROM blocks
                        """)
                .bind("ids", ids)
                .bind("starts", starts)
                .bind("ends", ends)
                .bind("localStarts", localStarts)
                .bind("localEnds", localEnds)
                .bind("zones", zones)
                .bind("instructor", instructorId)
                .bind("reason", reason)
                .bind("actor", actorId)
                .execute();
        return List.of(ids);
    }

    static int delete(Handle handle, List<Long> blockIds) {
        if (blockIds.isEmpty()) {
            return 0;
        }
        return handle.createUpdate("DELETE FROM time_blocks WHERE id = ANY(:ids) AND source = 'ics'")
                .bind("ids", blockIds.toArray(new Long[0]))
                .execute();
    }
}
