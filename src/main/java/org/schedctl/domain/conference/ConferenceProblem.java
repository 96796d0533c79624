package org.schedctl.domain.conference;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A parents' evening as the schedulers see it: {@code slots} slots of one length, numbered from 0; teachers with a
 * room and the slots they cannot take (absences, other appointments); requests with the slots their family's window
 * allows. Times are slot indices here; the service converts local times and instants.
 *
 * <p>The hard rules (the {@link PlanChecker} recomputes them): a teacher meets one family per slot; a family's
 * meetings are at least one slot apart, plus {@code walkSlots} when the rooms differ; a meeting lies in its
 * request's window and not in its teacher's absences; with {@code maxConsecutive} K and {@code breakSlots} b, a
 * teacher has at most K meetings in any K + b consecutive slots (so after K meetings in a row comes a break of at
 * least b slots).
 */
public record ConferenceProblem(int slots, int slotMinutes, int walkSlots, int maxConsecutive, int breakSlots,
                                List<Teacher> teachers, List<Request> requests) {

    public ConferenceProblem {
        teachers = List.copyOf(teachers);
        requests = List.copyOf(requests);
    }

    /** A teacher; {@code unavailable} holds the slots they cannot take; room may be null (no walking needed). */
    public record Teacher(long id, String room, BitSet unavailable) {
    }

    /**
     * A request: {@code family} is the guardian; the meeting's slot must be in [earliest, latest); {@code pinned}
     * is a slot already published (kept by a rerun), or -1.
     */
    public record Request(long id, long family, long teacher, boolean required, int earliest, int latest, int pinned) {
        public boolean pinnedSlot() {
            return pinned >= 0;
        }
    }

    public Map<Long, Teacher> teacherById() {
        Map<Long, Teacher> m = new HashMap<>();
        teachers.forEach(t -> m.put(t.id(), t));
        return m;
    }

    /** Whether the request may be at slot {@code s} on its own (window and teacher absences). */
    public static boolean allowed(Request r, Teacher t, int s) {
        return s >= r.earliest() && s < r.latest() && !t.unavailable().get(s);
    }

    /** The slots two meetings of one family must be apart: one, plus the walk when the rooms differ. */
    public int gap(Teacher a, Teacher b) {
        boolean walk = a.room() != null && b.room() != null && !Objects.equals(a.room(), b.room());
        return 1 + (walk ? walkSlots : 0);
    }

    public boolean breaksApply() {
        return maxConsecutive > 0;
    }
}
