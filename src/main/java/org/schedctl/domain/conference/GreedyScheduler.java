package org.schedctl.domain.conference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The baseline: requests in a fixed order (published ones first, then required, then those with the fewest allowed
 * slots), each put in the first slot that keeps every hard rule. What a school's spreadsheet would do.
 */
public final class GreedyScheduler {
    private GreedyScheduler() {
    }

    public static Plan schedule(ConferenceProblem p) {
        Map<Long, ConferenceProblem.Teacher> teachers = p.teacherById();
        List<ConferenceProblem.Request> order = new ArrayList<>(p.requests());
        order.sort(Comparator.comparing((ConferenceProblem.Request r) -> !r.pinnedSlot())
                .thenComparing(r -> !r.required())
                .thenComparingInt(r -> r.latest() - r.earliest())
                .thenComparingLong(ConferenceProblem.Request::id));
        State state = new State(p, teachers);
        for (ConferenceProblem.Request r : order) {
            if (r.pinnedSlot()) {
                state.place(r, r.pinned());
                continue;
            }
            for (int s = 0; s < p.slots(); s++) {
                if (state.fits(r, s)) {
                    state.place(r, s);
                    break;
                }
            }
        }
        return new Plan(state.plan);
    }

    private record Placed(int slot, ConferenceProblem.Teacher teacher) {
    }

    /** The placed meetings by teacher and by family, with the incremental check of the hard rules. */
    private static final class State {
        final ConferenceProblem p;
        final Map<Long, ConferenceProblem.Teacher> teachers;
        final Map<Long, TreeSet<Integer>> teacherSlots = new HashMap<>();
        final Map<Long, List<Placed>> familyMeetings = new HashMap<>();
        final Map<Long, Integer> plan = new HashMap<>();

        State(ConferenceProblem p, Map<Long, ConferenceProblem.Teacher> teachers) {
            this.p = p;
            this.teachers = teachers;
        }

        boolean fits(ConferenceProblem.Request r, int s) {
            ConferenceProblem.Teacher t = teachers.get(r.teacher());
            if (!ConferenceProblem.allowed(r, t, s)) {
                return false;
            }
            TreeSet<Integer> taken = teacherSlots.getOrDefault(r.teacher(), new TreeSet<>());
            if (taken.contains(s)) {
                return false;
            }
            for (Placed m : familyMeetings.getOrDefault(r.family(), List.of())) {
                if (Math.abs(m.slot() - s) < p.gap(t, m.teacher())) {
                    return false;
                }
            }
            if (p.breaksApply()) {
                int window = p.maxConsecutive() + p.breakSlots();
                for (int w = s - window + 1; w <= s; w++) {
                    if (taken.subSet(w, true, w + window, false).size() + 1 > p.maxConsecutive()) {
                        return false;
                    }
                }
            }
            return true;
        }

        void place(ConferenceProblem.Request r, int s) {
            teacherSlots.computeIfAbsent(r.teacher(), k -> new TreeSet<>()).add(s);
            familyMeetings.computeIfAbsent(r.family(), k -> new ArrayList<>()).add(new Placed(s, teachers.get(r.teacher())));
            plan.put(r.id(), s);
        }
    }
}
