package org.schedctl.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.domain.availability.Slot;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/**
 * THE agreement test, between the two SQL paths: on generated data (several zones including New York over both DST
 * changes, Lord Howe's half-hour DST, weekly rules per type and for all types, recurring blackouts, extra time,
 * vacations, bookings in every state, buffers, notice, advance, daily and back-to-back limits), the one slot lister
 * get_available_slots_comprehensive (behind `availability slots`, SlotFinder and the suggestions) offers exactly
 * the starts booking's guard check_instructor_availability_comprehensive accepts; one call for many instructors
 * equals one call each.
 */
class SlotAgreementIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final String[] ZONES = {"America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe",
            "America/New_York", "Asia/Kathmandu"};
    private static final String[] DAYS = {"MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"};
    private static final Instant NOW = Instant.parse("2027-03-02T15:07:00Z");
    private static final List<long[]> INSTRUCTOR_TYPES = new ArrayList<>();

    @BeforeAll
    static void generate() {
        Random random = new Random(20270314L);
        CliDriver cli = db.cli();
        AvailabilityService availability = new AvailabilityService(db.database());
        cli.run("user", "add", "--name", "Student", "--email", "student@example.org").ok();
        for (int i = 0; i < ZONES.length; i++) {
            String email = "i" + i + "@example.org";
            String zone = ZONES[i];
            cli.run("user", "add", "--name", "I" + i, "--email", email, "--role", "instructor", "--tz", zone).ok();
            cli.run("instructor", "settings", email, "--buffer-before", random.nextInt(3) * 5 + "m",
                    "--buffer-after", random.nextInt(3) * 5 + "m", "--min-notice", random.nextInt(30) + "h",
                    "--max-daily", String.valueOf(random.nextInt(4)), "--max-consecutive", String.valueOf(random.nextInt(3)),
                    "--max-advance", "300d").ok();
            List<Long> types = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                List<String> args = new ArrayList<>(List.of("-o", "json", "type", "add", "--instructor", email, "--name", "T" + i + "x" + t,
                        "--slug", "t" + i + "x" + t, "--duration", List.of("30m", "45m", "1h", "50m").get(random.nextInt(4))));
                if (random.nextBoolean()) {
                    args.addAll(List.of("--slot-interval", List.of("15m", "20m", "30m").get(random.nextInt(3))));
                }
                if (random.nextBoolean()) {
                    args.addAll(List.of("--buffer-before", "10m", "--buffer-after", "5m"));
                }
                types.add(cli.run(args.toArray(String[]::new)).ok().json().get("id").asLong());
            }
            long instructorId = cli.run("-o", "json", "user", "show", email).ok().json().get("id").asLong();
            for (long type : types) {
                INSTRUCTOR_TYPES.add(new long[] {instructorId, type});
            }
            for (int r = 0; r < 9; r++) {
                int startMinute = (6 + random.nextInt(12)) * 60 + random.nextInt(4) * 15;
                int endMinute = Math.min(startMinute + 45 + random.nextInt(300), 23 * 60 + 59);
                String type = random.nextInt(4) == 0 ? String.valueOf(types.get(random.nextInt(2))) : null;
                String effectiveFrom = random.nextInt(5) == 0 ? "2027-03-10" : null;
                String effectiveUntil = random.nextInt(5) == 0 ? "2027-11-03" : null;
                availability.set(setRequest(email, DAYS[random.nextInt(7)], hhmm(startMinute), hhmm(endMinute),
                        type, effectiveFrom, effectiveUntil, random.nextInt(6) == 0 ? "UTC" : null));
            }
            // Rules right across the New York DST gap and repeated hour, in the instructor's own zone.
            availability.set(setRequest(email, "SUN", "00:30", "04:00", null, null, null, "America/New_York"));
            availability.block(blockRequest(email, "2027-03-08T12:00", "2027-03-08T13:30",
                    "FREQ=WEEKLY;COUNT=40", false, "lunch", null), NOW);
            availability.block(blockRequest(email, "2027-03-13T07:00", "2027-03-13T11:00",
                    random.nextBoolean() ? "FREQ=DAILY;INTERVAL=9;COUNT=30" : null, true, "extra", null), NOW);
            availability.vacation(email, java.time.LocalDate.parse("2027-03-2" + random.nextInt(10)),
                    java.time.LocalDate.parse("2027-03-29"), false, NOW);
            Map<Long, List<Slot>> free = new SlotFinder(db.database()).slots(List.of(instructorId),
                    String.valueOf(types.get(0)), Instant.parse("2027-03-03T00:00:00Z"),
                    Instant.parse("2027-11-20T00:00:00Z"), NOW);
            List<Slot> slots = free.get(instructorId);
            String[] statuses = {"confirmed", "pending", "held", "cancelled", "completed", "confirmed"};
            for (int b = 0; b < Math.min(60, slots.size()); b++) {
                Slot slot = slots.get(random.nextInt(slots.size()));
                insertAppointment(instructorId, types.get(0), statuses[random.nextInt(statuses.length)], slot.start(), slot.end(), zone);
            }
        }
    }

    private static void insertAppointment(long instructor, long type, String status, Instant start, Instant end, String zone) {
        db.database().useTransaction(h -> h.createUpdate("""
                        INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone,
                                                  buffer_before, buffer_after)
                        SELECT :instructor, (SELECT id FROM users WHERE email = 'student@example.org'), :type, :status,
                               :start, :end, :zone, coalesce(t.buffer_before, s.buffer_before, '0'),
                               coalesce(t.buffer_after, s.buffer_after, '0')
                        FROM appointment_types t LEFT JOIN instructor_settings s ON s.instructor_id = t.instructor_id
                        WHERE t.id = :type
                        ON CONFLICT DO NOTHING
                        """)
                .bind("instructor", instructor).bind("type", type).bind("status", status)
                .bind("start", OffsetDateTime.ofInstant(start, ZoneOffset.UTC)).bind("end", OffsetDateTime.ofInstant(end, ZoneOffset.UTC))
                .bind("zone", zone).execute());
    }

    private static String hhmm(int minutes) {
        return String.format("%02d:%02d", minutes / 60, minutes % 60);
    }

    private static List<Slot> sql(long instructor, long type, Instant from, Instant to) {
        return sql(instructor, type, from, to, "UTC");
    }

    /** The function's answer with the session in {@code sessionZone}, which must not matter. */
    private static List<Slot> sql(long instructor, long type, Instant from, Instant to, String sessionZone) {
        return db.database().inTransaction(h -> sessionZone.equals(h.createQuery("SELECT set_config('TimeZone', :z, true)")
                .bind("z", sessionZone).mapTo(String.class).one()) ? h.createQuery(
                        "SELECT slot_start, slot_end FROM get_available_slots_comprehensive(ARRAY[:i], :t, :from, :to, :now)")
                .bind("i", instructor).bind("t", String.valueOf(type))
                .bind("from", OffsetDateTime.ofInstant(from, ZoneOffset.UTC)).bind("to", OffsetDateTime.ofInstant(to, ZoneOffset.UTC))
                .bind("now", OffsetDateTime.ofInstant(NOW, ZoneOffset.UTC))
                .map((rs, ctx) -> new Slot(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getObject(2, OffsetDateTime.class).toInstant()))
                .list() : List.of());
    }

    @Test
    void slotFinderReturnsTheListerAnswerWhateverTheSessionZone() {
        SlotFinder finder = new SlotFinder(db.database());
        long bookings = db.database().inTransaction(h -> h.createQuery(
                "SELECT count(*) FROM appointments WHERE status IN ('held','pending','confirmed')").mapTo(Long.class).one());
        assertTrue(bookings > 50, "generated active bookings: " + bookings);
        int compared = 0;
        List<Instant[]> ranges = List.of(
                new Instant[] {Instant.parse("2027-03-01T00:00:00Z"), Instant.parse("2027-04-02T00:00:00Z")},
                new Instant[] {Instant.parse("2027-10-28T05:17:00Z"), Instant.parse("2027-11-12T00:00:00Z")},
                new Instant[] {Instant.parse("2027-03-14T06:45:00Z"), Instant.parse("2027-03-14T09:10:00Z")});
        for (long[] instructorType : INSTRUCTOR_TYPES) {
            for (Instant[] range : ranges) {
                List<Slot> found = finder.slots(List.of(instructorType[0]), String.valueOf(instructorType[1]), range[0], range[1], NOW)
                        .get(instructorType[0]);
                List<Slot> sql = sql(instructorType[0], instructorType[1], range[0], range[1]);
                assertEquals(sql, found, "instructor " + instructorType[0] + " type " + instructorType[1] + " " + range[0] + ".." + range[1]);
                if (range == ranges.get(0)) {
                    assertEquals(sql, sql(instructorType[0], instructorType[1], range[0], range[1], "Pacific/Kiritimati"),
                            "the session time zone does not change the answer");
                }
                compared += found.size();
            }
        }
        assertTrue(compared > 500, "the data offers enough slots to compare: " + compared);
    }

    /**
     * Booking's SQL check agrees with the slot paths: every slot offered near both DST changes of New York is
     * accepted by check_instructor_availability_comprehensive at the same `now`, and every other start on a
     * 5-minute grid (all durations, intervals, buffers and local starts here are whole 5 minutes, in every zone of
     * the data) is refused. Disagreements are listed with the check's reason.
     */
    @Test
    void bookingCheckAcceptsExactlyTheOfferedSlots() {
        List<Instant[]> ranges = List.of(
                new Instant[] {Instant.parse("2027-03-13T12:00:00Z"), Instant.parse("2027-03-15T12:00:00Z")},
                new Instant[] {Instant.parse("2027-11-06T12:00:00Z"), Instant.parse("2027-11-08T12:00:00Z")});
        List<String> disagreements = new ArrayList<>();
        int accepted = 0;
        int refused = 0;
        for (long[] instructorType : INSTRUCTOR_TYPES) {
            for (Instant[] range : ranges) {
                java.util.Set<Instant> offered = new java.util.HashSet<>();
                sql(instructorType[0], instructorType[1], range[0], range[1]).forEach(slot -> offered.add(slot.start()));
                List<Object[]> checks = db.database().inTransaction(h -> h.createQuery("""
                                SELECT c, r.ok, r.reason
                                FROM appointment_types t,
                                     generate_series(:from, :to - interval '5 minutes', interval '5 minutes') c,
                                     check_instructor_availability_comprehensive(:i, :t, c, c + t.duration, NULL, :now) r
                                WHERE t.id = :t ORDER BY c""")
                        .bind("i", instructorType[0]).bind("t", instructorType[1])
                        .bind("from", OffsetDateTime.ofInstant(range[0], ZoneOffset.UTC))
                        .bind("to", OffsetDateTime.ofInstant(range[1], ZoneOffset.UTC))
                        .bind("now", OffsetDateTime.ofInstant(NOW, ZoneOffset.UTC))
                        .map((rs, ctx) -> new Object[] {rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getBoolean(2), rs.getString(3)})
                        .list());
                for (Object[] check : checks) {
                    Instant start = (Instant) check[0];
                    boolean ok = (Boolean) check[1];
                    if (ok) {
                        accepted++;
                    } else {
                        refused++;
                    }
                    if (ok != offered.contains(start)) {
                        disagreements.add("instructor " + instructorType[0] + " type " + instructorType[1] + " at " + start + ": "
                                + (ok ? "the check accepts a start the slot paths do not offer" : "offered, but the check refuses: " + check[2]));
                    }
                }
            }
        }
        assertTrue(disagreements.isEmpty(), disagreements.size() + " disagreements, e.g. "
                + String.join("; ", disagreements.subList(0, Math.min(15, disagreements.size()))));
        assertTrue(accepted > 100, "the data offers enough slots to check: " + accepted);
        assertTrue(refused > accepted, "and enough other starts to refuse: " + refused);
    }

    @Test
    void slotsForManyInstructorsEqualsOneByOne() {
        SlotFinder finder = new SlotFinder(db.database());
        List<Long> instructors = INSTRUCTOR_TYPES.stream().map(it -> it[0]).distinct().toList();
        Instant from = Instant.parse("2027-03-01T00:00:00Z");
        Instant to = from.plus(Duration.ofDays(31));
        Map<Long, List<Slot>> all = finder.slots(instructors, null, from, to, NOW);
        for (long[] instructorType : INSTRUCTOR_TYPES) {
            long firstType = INSTRUCTOR_TYPES.stream().filter(it -> it[0] == instructorType[0]).mapToLong(it -> it[1]).min().orElseThrow();
            if (firstType == instructorType[1]) {
                assertEquals(sql(instructorType[0], firstType, from, to), all.get(instructorType[0]));
            }
        }
    }

    /** A weekly range as `availability set` reads its options. */
    private static AvailabilityService.SetRequest setRequest(String instructor, String day, String from, String to, String type,
                                                             String effectiveFrom, String effectiveUntil, String zone) {
        return new AvailabilityService.SetRequest(instructor, org.schedctl.domain.Checked.read(day, AvailabilityService::day),
                org.schedctl.domain.Checked.read(from, t -> AvailabilityService.time(t, "--from")),
                org.schedctl.domain.Checked.read(to, t -> AvailabilityService.time(t, "--to")), type,
                org.schedctl.domain.Checked.readOrNull(effectiveFrom, org.schedctl.domain.TimeInput::parseDate),
                org.schedctl.domain.Checked.readOrNull(effectiveUntil, org.schedctl.domain.TimeInput::parseDate),
                org.schedctl.domain.Checked.readOrNull(zone, org.schedctl.domain.Zones::parse));
    }

    /** A block as `availability block` reads its options. */
    private static AvailabilityService.BlockRequest blockRequest(String instructor, String from, String to, String rrule,
                                                                 boolean available, String reason, String zone) {
        return new AvailabilityService.BlockRequest(instructor, org.schedctl.domain.TimeInput.Arg.read(from),
                org.schedctl.domain.TimeInput.Arg.read(to), rrule, available, reason,
                org.schedctl.domain.Checked.readOrNull(zone, org.schedctl.domain.Zones::parse), java.util.List.of());
    }
}
