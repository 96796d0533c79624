package org.schedctl.domain.availability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TimeZone;

import org.junit.jupiter.api.Test;

class SlotCalculatorTest {
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final Instant LONG_AGO = Instant.parse("2020-01-01T00:00:00Z");
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration HALF_HOUR = Duration.ofMinutes(30);

    private static InstructorCalendar calendar(ZoneId zone, List<WeeklyRule> rules) {
        return new InstructorCalendar(zone, rules, null, null, null, List.of());
    }

    private static WeeklyRule weekly(DayOfWeek day, String from, String to, ZoneId zone) {
        return new WeeklyRule(day, LocalTime.parse(from), LocalTime.parse(to), zone);
    }

    private static Instant at(String localDateTime, ZoneId zone) {
        return LocalTimes.resolveStrict(LocalDateTime.parse(localDateTime), zone);
    }

    private static List<LocalTime> localStarts(List<Slot> slots, ZoneId zone) {
        return slots.stream().map(slot -> slot.start().atZone(zone).toLocalTime()).toList();
    }

    private static List<Instant> starts(List<Slot> slots) {
        return slots.stream().map(Slot::start).toList();
    }

    private static List<LocalTime> times(String... values) {
        return java.util.Arrays.stream(values).map(LocalTime::parse).toList();
    }

    private static List<Slot> daySlots(SlotCalculator calculator, String date, ZoneId zone) {
        LocalDate day = LocalDate.parse(date);
        return calculator.slots(LONG_AGO, LocalTimes.startOfDay(day, zone), LocalTimes.startOfDay(day.plusDays(1), zone));
    }

    @Test
    void nineToFiveAcrossBothNewYorkTransitionsStaysLocal() {
        List<WeeklyRule> rules = List.of(weekly(DayOfWeek.SUNDAY, "09:00", "17:00", NEW_YORK));
        SlotCalculator calculator = new SlotCalculator(calendar(NEW_YORK, rules), null, SlotPolicy.of(HOUR));
        List<LocalTime> nineToFour = times("09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00");
        for (String date : List.of("2027-03-07", "2027-03-14", "2027-10-31", "2027-11-07")) {
            assertEquals(nineToFour, localStarts(daySlots(calculator, date, NEW_YORK), NEW_YORK), date);
        }
        assertEquals(Instant.parse("2027-03-07T14:00:00Z"), daySlots(calculator, "2027-03-07", NEW_YORK).get(0).start());
        assertEquals(Instant.parse("2027-03-14T13:00:00Z"), daySlots(calculator, "2027-03-14", NEW_YORK).get(0).start());
        assertEquals(Instant.parse("2027-10-31T13:00:00Z"), daySlots(calculator, "2027-10-31", NEW_YORK).get(0).start());
        assertEquals(Instant.parse("2027-11-07T14:00:00Z"), daySlots(calculator, "2027-11-07", NEW_YORK).get(0).start());
    }

    @Test
    void thirteenOClockStartAcrossBothTransitions() {
        List<WeeklyRule> rules = List.of(weekly(DayOfWeek.SUNDAY, "13:00", "15:00", NEW_YORK));
        SlotCalculator calculator = new SlotCalculator(calendar(NEW_YORK, rules), null, SlotPolicy.of(HOUR));
        assertEquals(List.of(Instant.parse("2027-03-14T17:00:00Z"), Instant.parse("2027-03-14T18:00:00Z")),
                starts(daySlots(calculator, "2027-03-14", NEW_YORK)));
        assertEquals(List.of(Instant.parse("2027-11-07T18:00:00Z"), Instant.parse("2027-11-07T19:00:00Z")),
                starts(daySlots(calculator, "2027-11-07", NEW_YORK)));
    }

    @Test
    void springGapNeverYieldsANonExistentLocalStart() {
        List<WeeklyRule> rules = List.of(weekly(DayOfWeek.SUNDAY, "01:00", "04:00", NEW_YORK));
        SlotCalculator calculator = new SlotCalculator(calendar(NEW_YORK, rules), null,
                new SlotPolicy(HALF_HOUR, null, null, Duration.ofMinutes(15), null, null, 0, 0));
        List<Slot> slots = daySlots(calculator, "2027-03-14", NEW_YORK);
        for (Slot slot : slots) {
            LocalDateTime local = slot.start().atZone(NEW_YORK).toLocalDateTime();
            assertFalse(LocalTimes.inGap(local, NEW_YORK), "slot at non-existent " + local);
            assertEquals(slot.start(), ZonedDateTime.of(local, NEW_YORK).toInstant(), "round trip of " + local);
        }
        // Two real hours (01:00-02:00 EST, 03:00-04:00 EDT), 30-minute sessions every 15 minutes.
        assertEquals(times("01:00", "01:15", "01:30", "01:45", "03:00", "03:15", "03:30"), localStarts(slots, NEW_YORK));
    }

    @Test
    void repeatedHourYieldsEachRealInstantOnce() {
        List<WeeklyRule> rules = List.of(weekly(DayOfWeek.SUNDAY, "00:00", "03:00", NEW_YORK));
        SlotCalculator calculator = new SlotCalculator(calendar(NEW_YORK, rules), null, SlotPolicy.of(HOUR));
        List<Slot> slots = daySlots(calculator, "2027-11-07", NEW_YORK);
        assertEquals(List.of(Instant.parse("2027-11-07T04:00:00Z"), Instant.parse("2027-11-07T05:00:00Z"),
                Instant.parse("2027-11-07T06:00:00Z"), Instant.parse("2027-11-07T07:00:00Z")), starts(slots));
        assertEquals(times("00:00", "01:00", "01:00", "02:00"), localStarts(slots, NEW_YORK));
        assertEquals(slots.size(), new HashSet<>(starts(slots)).size());
    }

    @Test
    void halfAndQuarterHourOffsetZones() {
        for (String id : List.of("Asia/Kolkata", "Asia/Kathmandu")) {
            ZoneId zone = ZoneId.of(id);
            SlotCalculator calculator = new SlotCalculator(calendar(zone,
                    List.of(weekly(DayOfWeek.MONDAY, "09:00", "11:00", zone))), null, SlotPolicy.of(HALF_HOUR));
            assertEquals(times("09:00", "09:30", "10:00", "10:30"), localStarts(daySlots(calculator, "2027-06-07", zone), zone), id);
        }
        // Lord Howe springs forward by 30 minutes at 02:00 on 2027-10-03: 01:00-04:00 holds 2h30 of real time.
        ZoneId lordHowe = ZoneId.of("Australia/Lord_Howe");
        SlotCalculator calculator = new SlotCalculator(calendar(lordHowe,
                List.of(weekly(DayOfWeek.SUNDAY, "01:00", "04:00", lordHowe))), null, SlotPolicy.of(HALF_HOUR));
        assertEquals(times("01:00", "01:30", "02:30", "03:00", "03:30"),
                localStarts(daySlots(calculator, "2027-10-03", lordHowe), lordHowe));
        // ... and falls back 30 minutes at 02:00 on 2027-04-04: 01:30-02:00 happens twice.
        assertEquals(times("01:00", "01:30", "01:30", "02:00", "02:30", "03:00", "03:30"),
                localStarts(daySlots(calculator, "2027-04-04", lordHowe), lordHowe));
    }

    @Test
    void buffersKeepSlotsClearOfBookingsAndWindowEdges() {
        List<WeeklyRule> rules = List.of(weekly(DayOfWeek.MONDAY, "09:00", "13:00", NEW_YORK));
        BusyBooking booking = BusyBooking.of(at("2027-06-07T10:00", NEW_YORK), at("2027-06-07T11:00", NEW_YORK),
                Duration.ZERO, Duration.ofMinutes(15));
        InstructorCalendar calendar = new InstructorCalendar(NEW_YORK, rules, null, null, null, List.of(booking));
        SlotCalculator plain = new SlotCalculator(calendar, null,
                new SlotPolicy(HOUR, null, null, HALF_HOUR, null, null, 0, 0));
        assertEquals(times("09:00", "11:30", "12:00"), localStarts(daySlots(plain, "2027-06-07", NEW_YORK), NEW_YORK));
        // With 10 minutes before each session the 09:00 start would reach outside the window.
        SlotCalculator buffered = new SlotCalculator(calendar, null,
                new SlotPolicy(HOUR, Duration.ofMinutes(10), Duration.ofMinutes(5), HALF_HOUR, null, null, 0, 0));
        assertEquals(times("11:30"), localStarts(daySlots(buffered, "2027-06-07", NEW_YORK), NEW_YORK));
    }

    @Test
    void blocksVacationAndTypeFilter() {
        List<WeeklyRule> rules = List.of(weekly(DayOfWeek.MONDAY, "09:00", "12:00", NEW_YORK),
                new WeeklyRule(DayOfWeek.MONDAY, LocalTime.of(14, 0), LocalTime.of(15, 0), NEW_YORK, null, null, 7L));
        IntervalSet extra = IntervalSet.of(new Interval(at("2027-06-07T18:00", NEW_YORK), at("2027-06-07T19:00", NEW_YORK)));
        IntervalSet blackout = IntervalSet.of(new Interval(at("2027-06-07T10:00", NEW_YORK), at("2027-06-07T10:30", NEW_YORK)));
        IntervalSet vacation = IntervalSet.of(LocalTimes.days(LocalDate.of(2027, 6, 14), LocalDate.of(2027, 6, 14), NEW_YORK));
        InstructorCalendar calendar = new InstructorCalendar(NEW_YORK, rules, extra, blackout, vacation, List.of());
        SlotCalculator typeSeven = new SlotCalculator(calendar, 7L, SlotPolicy.of(HOUR));
        SlotCalculator typeEight = new SlotCalculator(calendar, 8L, SlotPolicy.of(HOUR));
        // The blackout splits 09:00-12:00 into two windows; the second one's grid starts at 10:30.
        assertEquals(times("09:00", "10:30", "14:00", "18:00"), localStarts(daySlots(typeSeven, "2027-06-07", NEW_YORK), NEW_YORK));
        assertEquals(times("09:00", "10:30", "18:00"), localStarts(daySlots(typeEight, "2027-06-07", NEW_YORK), NEW_YORK));
        assertEquals(List.of(), daySlots(typeSeven, "2027-06-14", NEW_YORK));
        assertEquals(times("09:00", "10:00", "11:00", "14:00"), localStarts(daySlots(typeSeven, "2027-06-21", NEW_YORK), NEW_YORK));
    }

    @Test
    void gridIsAnchoredOnTheWindowNotOnTheQuery() {
        SlotCalculator calculator = new SlotCalculator(calendar(NEW_YORK,
                List.of(weekly(DayOfWeek.MONDAY, "09:00", "12:00", NEW_YORK))), null, SlotPolicy.of(HALF_HOUR));
        List<Slot> slots = calculator.slots(LONG_AGO, at("2027-06-07T10:10", NEW_YORK), at("2027-06-07T11:00", NEW_YORK));
        assertEquals(times("10:30"), localStarts(slots, NEW_YORK));
        // A multi-day extra block merged with weekly windows: its start anchors the grid days later.
        IntervalSet longBlock = IntervalSet.of(new Interval(at("2027-05-01T08:10", NEW_YORK), at("2027-06-09T00:00", NEW_YORK)));
        SlotCalculator merged = new SlotCalculator(new InstructorCalendar(NEW_YORK, List.of(), longBlock, null, null, List.of()),
                null, new SlotPolicy(HALF_HOUR, null, null, Duration.ofMinutes(20), null, null, 0, 0));
        assertEquals(times("09:10", "09:30", "09:50"), localStarts(merged.slots(LONG_AGO, at("2027-06-07T09:00", NEW_YORK),
                at("2027-06-07T10:00", NEW_YORK)), NEW_YORK));
    }

    @Test
    void minNoticeAndMaxAdvance() {
        SlotCalculator calculator = new SlotCalculator(calendar(NEW_YORK,
                List.of(weekly(DayOfWeek.MONDAY, "09:00", "17:00", NEW_YORK))), null,
                new SlotPolicy(HOUR, null, null, null, Duration.ofHours(2), Duration.ofDays(7), 0, 0));
        Instant now = at("2027-06-07T09:30", NEW_YORK);
        List<Slot> slots = calculator.slots(now, at("2027-06-07T00:00", NEW_YORK), at("2027-06-20T00:00", NEW_YORK));
        assertEquals(at("2027-06-07T12:00", NEW_YORK), slots.get(0).start());
        // now + 7 days is 09:30 on 2027-06-14: the 09:00 slot that day is the last one.
        assertEquals(at("2027-06-14T09:00", NEW_YORK), slots.get(slots.size() - 1).start());
        assertEquals(5 + 1, slots.size());
    }

    @Test
    void maxPerDayCountsBookingsPerLocalDay() {
        ZoneId zone = NEW_YORK;
        List<WeeklyRule> rules = List.of(weekly(DayOfWeek.MONDAY, "09:00", "12:00", zone),
                weekly(DayOfWeek.MONDAY, "21:00", "23:00", zone), weekly(DayOfWeek.TUESDAY, "09:00", "12:00", zone));
        // 22:00 New York on Monday is already Tuesday in UTC; it must count for Monday.
        List<BusyBooking> bookings = List.of(
                BusyBooking.of(at("2027-06-07T09:00", zone), at("2027-06-07T10:00", zone), Duration.ZERO, Duration.ZERO),
                BusyBooking.of(at("2027-06-07T22:00", zone), at("2027-06-07T23:00", zone), Duration.ZERO, Duration.ZERO));
        InstructorCalendar calendar = new InstructorCalendar(zone, rules, null, null, null, bookings);
        SlotCalculator two = new SlotCalculator(calendar, null, new SlotPolicy(HOUR, null, null, null, null, null, 2, 0));
        SlotCalculator three = new SlotCalculator(calendar, null, new SlotPolicy(HOUR, null, null, null, null, null, 3, 0));
        assertEquals(List.of(), daySlots(two, "2027-06-07", zone));
        assertEquals(times("09:00", "10:00", "11:00"), localStarts(daySlots(two, "2027-06-08", zone), zone));
        assertEquals(times("10:00", "11:00", "21:00"), localStarts(daySlots(three, "2027-06-07", zone), zone));
        assertEquals(SlotCheck.Reason.DAY_FULL, two.check(LONG_AGO, at("2027-06-07T10:00", zone)).reason());
    }

    @Test
    void maxConsecutiveCountsTouchingBufferedBookings() {
        List<WeeklyRule> rules = List.of(weekly(DayOfWeek.MONDAY, "08:00", "16:00", NEW_YORK));
        // 09:00-10:00 (+10m after) chains with 10:10-11:00: two back to back, ending at 11:00.
        List<BusyBooking> bookings = List.of(
                BusyBooking.of(at("2027-06-07T09:00", NEW_YORK), at("2027-06-07T10:00", NEW_YORK), Duration.ZERO, Duration.ofMinutes(10)),
                BusyBooking.of(at("2027-06-07T10:10", NEW_YORK), at("2027-06-07T11:00", NEW_YORK), Duration.ZERO, Duration.ZERO));
        InstructorCalendar calendar = new InstructorCalendar(NEW_YORK, rules, null, null, null, bookings);
        SlotCalculator calculator = new SlotCalculator(calendar, null,
                new SlotPolicy(HOUR, null, null, HALF_HOUR, null, null, 0, 2));
        // 08:00 touches the chain at 09:00 and 11:00 touches it at 11:00: both would make three.
        assertEquals(times("11:30", "12:00", "12:30", "13:00", "13:30", "14:00", "14:30", "15:00"),
                localStarts(daySlots(calculator, "2027-06-07", NEW_YORK), NEW_YORK));
        assertEquals(SlotCheck.Reason.TOO_MANY_CONSECUTIVE, calculator.check(LONG_AGO, at("2027-06-07T11:00", NEW_YORK)).reason());
        assertEquals(SlotCheck.Reason.TOO_MANY_CONSECUTIVE, calculator.check(LONG_AGO, at("2027-06-07T08:00", NEW_YORK)).reason());
        SlotCalculator three = new SlotCalculator(calendar, null, new SlotPolicy(HOUR, null, null, HALF_HOUR, null, null, 0, 3));
        assertTrue(three.check(LONG_AGO, at("2027-06-07T11:00", NEW_YORK)).isOk());
    }

    @Test
    void checkReportsEachReason() {
        List<WeeklyRule> rules = List.of(weekly(DayOfWeek.MONDAY, "09:00", "17:00", NEW_YORK));
        IntervalSet blackout = IntervalSet.of(new Interval(at("2027-06-07T15:00", NEW_YORK), at("2027-06-07T16:00", NEW_YORK)));
        IntervalSet vacation = IntervalSet.of(LocalTimes.days(LocalDate.of(2027, 6, 21), LocalDate.of(2027, 6, 21), NEW_YORK));
        List<BusyBooking> bookings = List.of(BusyBooking.of(at("2027-06-07T12:00", NEW_YORK), at("2027-06-07T13:00", NEW_YORK),
                Duration.ZERO, Duration.ZERO));
        InstructorCalendar calendar = new InstructorCalendar(NEW_YORK, rules, null, blackout, vacation, bookings);
        SlotCalculator calculator = new SlotCalculator(calendar, null,
                new SlotPolicy(HOUR, null, null, null, Duration.ofHours(1), Duration.ofDays(30), 0, 0));
        Instant now = at("2027-06-07T08:30", NEW_YORK);
        assertReason(calculator, now, "2027-06-07T08:00", SlotCheck.Reason.IN_PAST);
        assertReason(calculator, now, "2027-06-07T09:00", SlotCheck.Reason.TOO_SOON);
        assertReason(calculator, now, "2027-07-12T09:00", SlotCheck.Reason.TOO_FAR);
        assertReason(calculator, now, "2027-06-21T09:00", SlotCheck.Reason.VACATION);
        assertReason(calculator, now, "2027-06-07T15:00", SlotCheck.Reason.BLACKOUT);
        assertReason(calculator, now, "2027-06-07T16:30", SlotCheck.Reason.OUTSIDE_AVAILABILITY);
        assertReason(calculator, now, "2027-06-08T10:00", SlotCheck.Reason.OUTSIDE_AVAILABILITY);
        assertReason(calculator, now, "2027-06-07T10:15", SlotCheck.Reason.MISALIGNED);
        assertReason(calculator, now, "2027-06-07T12:00", SlotCheck.Reason.TAKEN);
        assertReason(calculator, now, "2027-06-07T11:00", SlotCheck.Reason.OK);
        SlotCheck misaligned = calculator.check(now, at("2027-06-07T10:15", NEW_YORK));
        assertTrue(misaligned.message().contains("2027-06-07T10:00-04:00") && misaligned.message().contains("2027-06-07T11:00-04:00"),
                misaligned.message());
    }

    private static void assertReason(SlotCalculator calculator, Instant now, String local, SlotCheck.Reason expected) {
        SlotCheck check = calculator.check(now, at(local, NEW_YORK));
        assertEquals(expected, check.reason(), local + ": " + check.message());
        assertFalse(check.message().contains("\n"));
    }

    /** What the list offers, the check accepts, and nothing else, on random calendars. */
    @Test
    void checkAgreesWithSlotsOnRandomCalendars() {
        Random random = new Random(7);
        ZoneId[] zones = {NEW_YORK, ZoneId.of("Australia/Lord_Howe"), ZoneId.of("Asia/Kathmandu"), ZoneId.of("Europe/Berlin")};
        int totalOffered = 0;
        for (int round = 0; round < 60; round++) {
            ZoneId zone = zones[round % zones.length];
            LocalDate firstDay = LocalDate.of(2027, 3, 10).plusDays(random.nextInt(240));
            List<WeeklyRule> rules = new ArrayList<>();
            for (int i = 0; i < 1 + random.nextInt(5); i++) {
                int startMinute = random.nextInt(22 * 60) / 5 * 5;
                int endMinute = Math.min(23 * 60 + 59, startMinute + 30 + random.nextInt(8 * 60) / 5 * 5);
                rules.add(new WeeklyRule(DayOfWeek.of(1 + random.nextInt(7)), LocalTime.MIN.plusMinutes(startMinute),
                        LocalTime.MIN.plusMinutes(endMinute), zone));
            }
            Instant rangeStart = LocalTimes.startOfDay(firstDay, zone);
            List<Interval> extra = new ArrayList<>();
            List<Interval> blackouts = new ArrayList<>();
            List<BusyBooking> bookings = new ArrayList<>();
            for (int i = 0; i < random.nextInt(4); i++) {
                extra.add(Interval.of(rangeStart.plus(Duration.ofMinutes(random.nextInt(7 * 24 * 12) * 5L)), Duration.ofMinutes(30 + random.nextInt(300))));
                blackouts.add(Interval.of(rangeStart.plus(Duration.ofMinutes(random.nextInt(7 * 24 * 12) * 5L)), Duration.ofMinutes(15 + random.nextInt(200))));
            }
            for (int i = 0; i < random.nextInt(12); i++) {
                Instant start = rangeStart.plus(Duration.ofMinutes(random.nextInt(7 * 24 * 4) * 15L));
                bookings.add(BusyBooking.of(start, start.plus(Duration.ofMinutes(30 + 15 * random.nextInt(4))),
                        Duration.ofMinutes(5 * random.nextInt(3)), Duration.ofMinutes(5 * random.nextInt(3))));
            }
            InstructorCalendar calendar = new InstructorCalendar(zone, rules, IntervalSet.of(extra), IntervalSet.of(blackouts),
                    null, bookings);
            SlotPolicy policy = new SlotPolicy(Duration.ofMinutes(15 + 15 * random.nextInt(4)), Duration.ofMinutes(5 * random.nextInt(3)),
                    Duration.ofMinutes(5 * random.nextInt(3)), Duration.ofMinutes(10 + 5 * random.nextInt(6)),
                    Duration.ofMinutes(30 * random.nextInt(3)), Duration.ofDays(5 + random.nextInt(5)), random.nextInt(4), random.nextInt(4));
            SlotCalculator calculator = new SlotCalculator(calendar, null, policy);
            Instant now = rangeStart.plus(Duration.ofHours(random.nextInt(48)));
            Instant rangeEnd = rangeStart.plus(Duration.ofDays(7));
            List<Slot> slots = calculator.slots(now, rangeStart, rangeEnd);
            Set<Instant> offered = new HashSet<>(starts(slots));
            totalOffered += offered.size();
            assertEquals(slots.size(), offered.size(), "duplicates in round " + round);
            for (int i = 1; i < slots.size(); i++) {
                assertTrue(slots.get(i - 1).start().isBefore(slots.get(i).start()), "unsorted in round " + round);
            }
            for (Instant candidate = rangeStart; candidate.isBefore(rangeEnd); candidate = candidate.plus(Duration.ofMinutes(5))) {
                SlotCheck check = calculator.check(now, candidate);
                assertEquals(offered.contains(candidate), check.isOk(), "round " + round + " at " + candidate + ": " + check.message());
            }
        }
        assertTrue(totalOffered > 200, "too few slots to compare: " + totalOffered);
    }

    @Test
    void resultsDoNotDependOnTheJvmDefaultZone() {
        List<WeeklyRule> rules = List.of(weekly(DayOfWeek.SUNDAY, "00:00", "23:00", NEW_YORK),
                weekly(DayOfWeek.MONDAY, "09:00", "17:00", NEW_YORK));
        InstructorCalendar calendar = new InstructorCalendar(NEW_YORK, rules, null, null, null,
                List.of(BusyBooking.of(at("2027-11-07T01:00", ZoneId.of("UTC")), at("2027-11-07T02:00", ZoneId.of("UTC")),
                        Duration.ZERO, Duration.ZERO)));
        SlotCalculator calculator = new SlotCalculator(calendar, null,
                new SlotPolicy(HOUR, null, null, HALF_HOUR, null, null, 4, 2));
        Instant from = Instant.parse("2027-03-01T00:00:00Z");
        Instant to = Instant.parse("2027-11-30T00:00:00Z");
        TimeZone saved = TimeZone.getDefault();
        List<Slot> inUtc;
        List<Slot> inKiritimati;
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
            inUtc = calculator.slots(LONG_AGO, from, to);
            TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Kiritimati"));
            inKiritimati = calculator.slots(LONG_AGO, from, to);
        } finally {
            TimeZone.setDefault(saved);
        }
        assertFalse(inUtc.isEmpty());
        assertEquals(inUtc, inKiritimati);
    }
}
