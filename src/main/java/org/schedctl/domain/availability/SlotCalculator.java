package org.schedctl.domain.availability;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.schedctl.domain.Durations;
import org.schedctl.domain.InvalidInputException;

/**
 * Free slots of one instructor for one appointment type, and the check of a single slot, by the
 * same rules (so what {@link #slots} offers, {@link #check} accepts):
 * <ul>
 *   <li>free windows = (weekly rules of the type ∪ available blocks) − unavailable blocks − vacation;</li>
 *   <li>slot starts lie on a grid stepping by the slot interval from the start of their free window,
 *       counted on the instant line, so no start is a non-existent local time and a repeated hour
 *       gives each real instant once;</li>
 *   <li>a slot is offered when the session widened by the type's buffers fits in a free window
 *       without touching an existing booking's blocked interval, it starts at or after now + min
 *       notice and at or before now + max advance, its local day (instructor's zone) is not full,
 *       and it would not make a back-to-back chain (blocked intervals touching) longer than allowed.</li>
 * </ul>
 * Work is linear in windows and bookings plus one step per offered grid point; nothing loops per minute.
 */
public final class SlotCalculator {
    /** Weekly windows lie within one local day; two days of margin keep every window whole. */
    private static final Duration MARGIN = Duration.ofDays(2);
    /** How far back a window that runs into the computed range may be followed to find its start. */
    private static final Duration MAX_LOOKBACK = Duration.ofDays(800);

    private final ZoneId zone;
    private final List<WeeklyRule> rules;
    private final IntervalSet available;
    private final IntervalSet unavailable;
    private final IntervalSet vacation;
    private final SlotPolicy policy;
    private final IntervalSet busy;
    private final Map<LocalDate, Integer> bookingsPerDay = new HashMap<>();
    private final Map<Instant, Integer> chainLengthEndingAt = new HashMap<>();
    private final Map<Instant, Integer> chainLengthStartingAt = new HashMap<>();
    private final long stepNanos;

    /** {@code typeId} selects the weekly rules that apply: those of this type and those for every type. */
    public SlotCalculator(InstructorCalendar calendar, Long typeId, SlotPolicy policy) {
        this.zone = calendar.zone();
        this.rules = calendar.weeklyRules().stream().filter(rule -> rule.appliesTo(typeId)).toList();
        this.available = calendar.available();
        this.unavailable = calendar.unavailable();
        this.vacation = calendar.vacation();
        this.policy = policy;
        this.stepNanos = policy.slotInterval().toNanos();
        List<Interval> blocked = new ArrayList<>(calendar.bookings().size());
        for (BusyBooking booking : calendar.bookings()) {
            blocked.add(booking.blocked());
            bookingsPerDay.merge(booking.session().start().atZone(zone).toLocalDate(), 1, Integer::sum);
        }
        this.busy = IntervalSet.of(blocked);
        indexChains(calendar.bookings());
    }

    /** Slots starting in [from, to), sorted by start. */
    public List<Slot> slots(Instant now, Instant from, Instant to) {
        if (!to.isAfter(from)) {
            throw new InvalidInputException("the end of the range " + to + " is not after its start " + from
                    + ". Give an end after the start");
        }
        Instant earliest = latestOf(from, now.plus(policy.minNotice()));
        Instant latest = policy.maxAdvance() == null ? null : now.plus(policy.maxAdvance());
        IntervalSet free = freeWindows(from.minus(policy.bufferBefore()),
                to.plus(policy.duration()).plus(policy.bufferAfter()));
        IntervalSet open = free.minus(busy);
        List<Slot> slots = new ArrayList<>();
        for (Interval component : open.intervals()) {
            Interval window = free.enclosing(component);
            Instant low = latestOf(component.start().plus(policy.bufferBefore()), earliest);
            Instant high = component.end().minus(policy.duration()).minus(policy.bufferAfter());
            if (latest != null && latest.isBefore(high)) {
                high = latest;
            }
            if (high.isBefore(low)) {
                continue;
            }
            long offset = Duration.between(window.start(), low).toNanos();
            long firstStep = (offset + stepNanos - 1) / stepNanos;
            for (Instant start = window.start().plusNanos(firstStep * stepNanos);
                 !start.isAfter(high) && start.isBefore(to); start = start.plusNanos(stepNanos)) {
                if (!dayFull(start) && !tooManyConsecutive(start)) {
                    slots.add(new Slot(start, start.plus(policy.duration())));
                }
            }
        }
        return slots;
    }

    /** Why a booking starting at {@code start} would be refused, or OK. */
    public SlotCheck check(Instant now, Instant start) {
        Instant end = start.plus(policy.duration());
        Interval blocked = new Interval(start.minus(policy.bufferBefore()), end.plus(policy.bufferAfter()));
        if (start.isBefore(now)) {
            return refuse(SlotCheck.Reason.IN_PAST, "the time " + local(start) + " is in the past. Pick a future slot");
        }
        if (start.isBefore(now.plus(policy.minNotice()))) {
            return refuse(SlotCheck.Reason.TOO_SOON, "the slot at " + local(start) + " is less than the minimum notice of "
                    + Durations.format(policy.minNotice()) + " ahead. Pick a slot from " + local(now.plus(policy.minNotice())) + " on");
        }
        if (policy.maxAdvance() != null && start.isAfter(now.plus(policy.maxAdvance()))) {
            return refuse(SlotCheck.Reason.TOO_FAR, "the slot at " + local(start) + " is more than "
                    + Durations.format(policy.maxAdvance()) + " ahead. Pick a slot up to " + local(now.plus(policy.maxAdvance())));
        }
        if (vacation.overlaps(blocked)) {
            return refuse(SlotCheck.Reason.VACATION, "the instructor is on vacation at " + local(start)
                    + ". Pick another date");
        }
        if (unavailable.overlaps(blocked)) {
            return refuse(SlotCheck.Reason.BLACKOUT, "the slot at " + local(start)
                    + " (with its buffers) overlaps a blocked time of the instructor. Pick another slot");
        }
        IntervalSet free = freeWindows(blocked.start(), blocked.end());
        Interval window = free.enclosing(blocked);
        if (window == null) {
            return refuse(SlotCheck.Reason.OUTSIDE_AVAILABILITY, "the slot at " + local(start)
                    + " (with its buffers) is outside the instructor's availability. See availability slots for free times");
        }
        long offset = Duration.between(window.start(), start).toNanos();
        if (offset % stepNanos != 0) {
            Instant before = window.start().plusNanos(offset / stepNanos * stepNanos);
            return refuse(SlotCheck.Reason.MISALIGNED, "the slot at " + local(start) + " is not on the "
                    + Durations.format(policy.slotInterval()) + " grid. Start at " + local(before) + " or "
                    + local(before.plusNanos(stepNanos)));
        }
        if (busy.overlaps(blocked)) {
            return refuse(SlotCheck.Reason.TAKEN, "the slot at " + local(start)
                    + " (with its buffers) overlaps another booking. See availability slots for free times");
        }
        if (dayFull(start)) {
            return refuse(SlotCheck.Reason.DAY_FULL, "the instructor already has " + policy.maxPerDay()
                    + " bookings on " + start.atZone(zone).toLocalDate() + ", the daily maximum. Pick another day");
        }
        if (tooManyConsecutive(start)) {
            return refuse(SlotCheck.Reason.TOO_MANY_CONSECUTIVE, "the slot at " + local(start) + " would make more than "
                    + policy.maxConsecutive() + " back-to-back bookings. Pick a slot with a break before or after it");
        }
        return SlotCheck.OK;
    }

    /** Free windows (before bookings) clipped to {@code range}; e.g. the available minutes for utilization. */
    public IntervalSet freeTime(Interval range) {
        return freeWindows(range.start(), range.end()).clip(range);
    }

    /**
     * Free windows covering [from, to). The lower bound of the computation moves back while a window
     * runs into it, so a window's start — the slot grid's anchor — never depends on the query range.
     */
    private IntervalSet freeWindows(Instant from, Instant to) {
        Instant upper = to.plus(MARGIN);
        Instant lower = from.minus(MARGIN);
        Instant limit = from.minus(MAX_LOOKBACK);
        while (true) {
            Interval range = new Interval(lower, upper);
            IntervalSet base = WeeklyPatterns.expand(rules, range).union(available.clip(range));
            IntervalSet free = base.minus(unavailable).minus(vacation);
            boolean truncated = !free.isEmpty() && !free.get(0).start().isAfter(lower) && free.get(0).end().isAfter(from);
            if (!truncated || !lower.isAfter(limit)) {
                return free;
            }
            Duration reach = Duration.between(lower, upper);
            lower = lower.minus(reach).isBefore(limit) ? limit : lower.minus(reach);
        }
    }

    private boolean dayFull(Instant start) {
        return policy.maxPerDay() > 0
                && bookingsPerDay.getOrDefault(start.atZone(zone).toLocalDate(), 0) >= policy.maxPerDay();
    }

    private boolean tooManyConsecutive(Instant start) {
        if (policy.maxConsecutive() <= 0) {
            return false;
        }
        // The candidate overlaps no booking, so a chain can only meet it exactly at its edges.
        Instant blockedStart = start.minus(policy.bufferBefore());
        Instant blockedEnd = start.plus(policy.duration()).plus(policy.bufferAfter());
        int chain = chainLengthEndingAt.getOrDefault(blockedStart, 0) + 1 + chainLengthStartingAt.getOrDefault(blockedEnd, 0);
        return chain > policy.maxConsecutive();
    }

    /** Groups bookings whose blocked intervals touch or overlap into chains, indexed by both ends. */
    private void indexChains(List<BusyBooking> bookings) {
        List<Interval> blocked = new ArrayList<>(bookings.stream().map(BusyBooking::blocked).toList());
        blocked.sort(Comparator.naturalOrder());
        int i = 0;
        while (i < blocked.size()) {
            Instant chainStart = blocked.get(i).start();
            Instant chainEnd = blocked.get(i).end();
            int count = 1;
            i++;
            while (i < blocked.size() && !blocked.get(i).start().isAfter(chainEnd)) {
                if (blocked.get(i).end().isAfter(chainEnd)) {
                    chainEnd = blocked.get(i).end();
                }
                count++;
                i++;
            }
            chainLengthStartingAt.put(chainStart, count);
            chainLengthEndingAt.put(chainEnd, count);
        }
    }

    private String local(Instant instant) {
        return instant.atZone(zone).toOffsetDateTime().toString();
    }

    private static SlotCheck refuse(SlotCheck.Reason reason, String message) {
        return new SlotCheck(reason, message);
    }

    private static Instant latestOf(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
