package org.schedctl.service;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jdbi.v3.core.Handle;
import org.schedctl.domain.availability.Slot;
import org.schedctl.store.Database;

/**
 * Free slots, from the one slot lister: the SQL function get_available_slots_comprehensive (R__25_slots.sql), which
 * offers exactly the starts the booking guard accepts. One call serves one instructor or many; nothing about slots
 * is computed in Java.
 */
public final class SlotFinder {
    /** How far ahead the suggestions after a refused booking look. */
    public static final Duration SUGGESTION_HORIZON = Duration.ofDays(14);

    private final Database db;

    public SlotFinder(Database db) {
        this.db = db;
    }

    /** A free slot of an instructor for a type, with the seats left (a group session may be part-booked). */
    public record FreeSlot(long instructorId, long typeId, Instant start, Instant end, int seatsFree) {
        public Slot slot() {
            return new Slot(start, end);
        }
    }

    /**
     * Free slots starting in [from, to) of each instructor for one type: the type {@code type} names (id or slug;
     * only its instructor has slots), or each instructor's first active type when {@code type} is null.
     * Instructors without such a type get an empty list. Keys in the order given.
     */
    public Map<Long, List<Slot>> slots(List<Long> instructorIds, String type, Instant from, Instant to, Instant now) {
        Map<Long, List<Slot>> result = new LinkedHashMap<>();
        instructorIds.forEach(id -> result.put(id, new java.util.ArrayList<>()));
        for (FreeSlot s : db.inTransaction(handle -> find(handle, instructorIds, type, from, to, now))) {
            result.get(s.instructorId()).add(s.slot());
        }
        return result;
    }

    /** The next {@code limit} free starts of an instructor's type at or after {@code after}, within the suggestion horizon. */
    public List<Instant> next(long instructorId, long typeId, Instant after, int limit, Instant now) {
        Instant from = after.isAfter(now) ? after : now;
        return db.inTransaction(handle -> find(handle, List.of(instructorId), Long.toString(typeId), from,
                from.plus(SUGGESTION_HORIZON), now)).stream().limit(limit).map(FreeSlot::start).toList();
    }

    /** The lister, inside the caller's transaction. */
    public static List<FreeSlot> find(Handle handle, List<Long> instructorIds, String type, Instant from, Instant to, Instant now) {
        return handle.createQuery("""
                        SELECT instructor_id, type_id, slot_start, slot_end, seats_free
                        FROM get_available_slots_comprehensive(:ids, :type, :from, :to, :now)""")
                .bind("ids", instructorIds.stream().mapToLong(Long::longValue).toArray())
                .bind("type", type)
                .bind("from", utc(from)).bind("to", utc(to)).bind("now", utc(now))
                .map((rs, ctx) -> new FreeSlot(rs.getLong(1), rs.getLong(2), instant(rs, 3), instant(rs, 4), rs.getInt(5)))
                .list();
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }
}
