package org.schedctl.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.TestDatabase;

/**
 * The rules the slot lister (get_available_slots_comprehensive) and the booking guard
 * (check_instructor_availability_comprehensive) must agree on, case by case: a group session's free seats, buffers
 * around bookings and windows, and weekly patterns on both DST days of New York (a window starting in the spring
 * gap, one ending in the repeated autumn hour). For each case the lister's starts equal the starts on a 5-minute
 * grid that the guard accepts, and the lister's seat counts are the ones the guard's capacity rule leaves.
 */
class SlotRulesIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Instant NOW = Instant.parse("2027-03-01T12:00:00Z");
    private static long instructor;
    private static long student;
    private static long group;
    private static long buffered;
    private static long single;

    private static long id(String sql) {
        return db.database().inTransaction(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    private static void sql(String sql) {
        db.database().useTransaction(h -> h.execute(sql));
    }

    @BeforeAll
    static void school() {
        instructor = id("INSERT INTO users (email, name, role, timezone) VALUES ('rules@example.org', 'R', 'instructor', 'America/New_York') RETURNING id");
        student = id("INSERT INTO users (email, name, role) VALUES ('rules-s@example.org', 'S', 'student') RETURNING id");
        group = id("INSERT INTO appointment_types (instructor_id, slug, name, duration, capacity) VALUES ("
                + instructor + ", 'rules-group', 'G', '1 hour', 3) RETURNING id");
        buffered = id("INSERT INTO appointment_types (instructor_id, slug, name, duration, buffer_before, buffer_after, slot_interval) VALUES ("
                + instructor + ", 'rules-buf', 'B', '30 minutes', '15 minutes', '10 minutes', '15 minutes') RETURNING id");
        sql("INSERT INTO instructor_settings (instructor_id, max_advance) VALUES (" + instructor + ", '300 days')");
        single = id("INSERT INTO appointment_types (instructor_id, slug, name, duration) VALUES ("
                + instructor + ", 'rules-single', 'S', '30 minutes') RETURNING id");
        // Mondays 09:00-13:00; Sundays 00:15-01:45 (ends in the repeated hour on 2027-11-07) and 02:15-04:00 (starts
        // in the gap on 2027-03-14, so it opens at 03:15 EDT)
        sql("INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone) VALUES ("
                + instructor + ", 1, '09:00', '13:00', 'America/New_York'), ("
                + instructor + ", 7, '00:15', '01:45', 'America/New_York'), ("
                + instructor + ", 7, '02:15', '04:00', 'America/New_York')");
    }

    private static void book(long type, String start, String end, String bufferBefore, String bufferAfter) {
        sql("INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone, buffer_before, "
                + "buffer_after, session_key) SELECT " + instructor + ", " + student + ", t.id, 'confirmed', '" + start + "', '" + end
                + "', 'America/New_York', '" + bufferBefore + "', '" + bufferAfter + "', appointment_session_key(t.id, t.capacity, '"
                + start + "') FROM appointment_types t WHERE t.id = " + type);
    }

    /** The lister's starts with their free seats. */
    private static Map<Instant, Integer> listed(long type, String from, String to) {
        return db.database().inTransaction(h -> {
            Map<Instant, Integer> out = new TreeMap<>();
            h.createQuery("SELECT slot_start, seats_free FROM get_available_slots_comprehensive(ARRAY[:i], :t, :from::timestamptz, :to::timestamptz, :now)")
                    .bind("i", instructor).bind("t", String.valueOf(type)).bind("from", from).bind("to", to)
                    .bind("now", OffsetDateTime.ofInstant(NOW, ZoneOffset.UTC))
                    .map((rs, ctx) -> out.put(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getInt(2))).list();
            return out;
        });
    }

    /** The starts on a 5-minute grid that the guard accepts. */
    private static List<Instant> guarded(long type, String from, String to) {
        return db.database().inTransaction(h -> h.createQuery("""
                        SELECT c FROM appointment_types t,
                             generate_series(:from::timestamptz, :to::timestamptz - interval '5 minutes', interval '5 minutes') c,
                             check_instructor_availability_comprehensive(:i, t.id, c, c + t.duration, NULL, :now) r
                        WHERE t.id = :t AND r.ok ORDER BY c""")
                .bind("i", instructor).bind("t", type).bind("from", from).bind("to", to)
                .bind("now", OffsetDateTime.ofInstant(NOW, ZoneOffset.UTC))
                .map((rs, ctx) -> rs.getObject(1, OffsetDateTime.class).toInstant()).list());
    }

    private static Map<Instant, Integer> agree(long type, String from, String to) {
        Map<Instant, Integer> listed = listed(type, from, to);
        assertEquals(guarded(type, from, to), new ArrayList<>(listed.keySet()), "lister and guard, type " + type + " " + from + ".." + to);
        return listed;
    }

    @Test
    void aGroupSessionIsOfferedWithItsFreeSeatsUntilFull() {
        String from = "2027-03-08T00:00-05:00";
        String to = "2027-03-09T00:00-05:00";
        Instant nine = Instant.parse("2027-03-08T14:00:00Z");
        Instant ten = Instant.parse("2027-03-08T15:00:00Z");
        assertEquals(Map.of(nine, 3, ten, 3, Instant.parse("2027-03-08T16:00:00Z"), 3, Instant.parse("2027-03-08T17:00:00Z"), 3),
                agree(group, from, to), "an empty Monday offers four sessions of three seats");

        book(group, "2027-03-08T09:00-05:00", "2027-03-08T10:00-05:00", "0", "0");
        book(group, "2027-03-08T09:00-05:00", "2027-03-08T10:00-05:00", "0", "0");
        Map<Instant, Integer> twoTaken = agree(group, from, to);
        assertEquals(1, twoTaken.get(nine), "two of three seats taken leaves one: " + twoTaken);

        book(group, "2027-03-08T09:00-05:00", "2027-03-08T10:00-05:00", "0", "0");
        assertFalse(agree(group, from, to).containsKey(nine), "a full session is not offered");

        book(single, "2027-03-08T10:30-05:00", "2027-03-08T11:00-05:00", "0", "0");
        Map<Instant, Integer> withSingle = agree(group, from, to);
        assertFalse(withSingle.containsKey(ten), "another booking inside the hour takes the group slot: " + withSingle);
    }

    @Test
    void buffersKeepTheirDistanceFromBookingsAndWindowEdges() {
        String from = "2027-03-22T00:00-04:00";
        String to = "2027-03-23T00:00-04:00";
        Map<Instant, Integer> empty = agree(buffered, from, to);
        assertEquals(Instant.parse("2027-03-22T13:15:00Z"), empty.keySet().iterator().next(), "09:00 needs 08:45 free: the first start is 09:15");
        book(single, "2027-03-22T11:00-04:00", "2027-03-22T11:30-04:00", "5 minutes", "5 minutes");
        Map<Instant, Integer> around = agree(buffered, from, to);
        // the booking blocks 10:55-11:35; a start s needs [s - 15m, s + 40m) free
        assertTrue(around.containsKey(Instant.parse("2027-03-22T14:15:00Z")), "10:15 needs up to 10:55, which touches: " + around);
        assertFalse(around.containsKey(Instant.parse("2027-03-22T14:30:00Z")), "10:30 needs up to 11:10: " + around);
        assertFalse(around.containsKey(Instant.parse("2027-03-22T15:45:00Z")), "11:45 needs from 11:30: " + around);
        assertTrue(around.containsKey(Instant.parse("2027-03-22T16:00:00Z")), "12:00 needs from 11:45: " + around);
    }

    @Test
    void dstDaysOfNewYork() {
        // spring: the 02:15 window opens at 03:15 EDT; autumn: the 00:15-01:45 window ends at the first 01:45 (EDT)
        Map<Instant, Integer> spring = agree(single, "2027-03-14T00:00-05:00", "2027-03-14T06:00-04:00");
        assertTrue(spring.containsKey(Instant.parse("2027-03-14T07:15:00Z")), "03:15 EDT: " + spring);
        assertFalse(spring.containsKey(Instant.parse("2027-03-14T07:00:00Z")), "nothing in the gap: " + spring);
        Map<Instant, Integer> autumn = agree(single, "2027-11-07T00:00-04:00", "2027-11-07T06:00-05:00");
        assertEquals(List.of(Instant.parse("2027-11-07T04:15:00Z"), Instant.parse("2027-11-07T04:45:00Z"),
                Instant.parse("2027-11-07T05:15:00Z"), Instant.parse("2027-11-07T07:15:00Z"), Instant.parse("2027-11-07T07:45:00Z"),
                Instant.parse("2027-11-07T08:15:00Z")), new ArrayList<>(autumn.keySet()),
                "00:15, 00:45, 01:15 EDT (the window ends at the first 01:45), then 02:15, 02:45, 03:15 EST: " + autumn);
        assertEquals(agree(buffered, "2027-11-07T00:00-04:00", "2027-11-07T06:00-05:00").keySet(),
                new java.util.TreeSet<>(guarded(buffered, "2027-11-07T00:00-04:00", "2027-11-07T06:00-05:00")));
    }
}
