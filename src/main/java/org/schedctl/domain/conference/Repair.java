package org.schedctl.domain.conference;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Improves a feasible plan before the solver starts from it, with ejection moves a change-and-swap local search
 * finds only by luck: an unplaced request takes a slot whose blockers (the teacher's meeting there, the family's
 * meetings too close) move to other free slots; a required request may push wished blockers out for good. Every
 * step keeps the plan feasible; required placed never drops and, within it, nothing placed is lost for nothing.
 */
final class Repair {
    private final ConferenceProblem p;
    private final Map<Long, ConferenceProblem.Teacher> teachers;
    private final Map<Long, ConferenceProblem.Request> requests = new HashMap<>();
    private final Map<Long, TreeMap<Integer, Long>> byTeacher = new HashMap<>();
    private final Map<Long, Set<Long>> byFamily = new HashMap<>();
    private final Map<Long, Integer> plan = new HashMap<>();

    private Repair(ConferenceProblem p, Plan start) {
        this.p = p;
        this.teachers = p.teacherById();
        p.requests().forEach(r -> requests.put(r.id(), r));
        start.slots().forEach((id, s) -> place(requests.get(id), s));
    }

    static Plan improve(ConferenceProblem p, Plan start) {
        Repair r = new Repair(p, start);
        for (int pass = 0; pass < 3; pass++) {
            boolean changed = false;
            for (boolean required : new boolean[] {true, false}) {
                for (ConferenceProblem.Request req : p.requests()) {
                    if (req.required() == required && !r.plan.containsKey(req.id()) && !req.pinnedSlot()) {
                        changed |= r.tryInsert(req);
                    }
                }
            }
            if (!changed) {
                break;
            }
        }
        return new Plan(r.plan);
    }

    private boolean tryInsert(ConferenceProblem.Request r) {
        ConferenceProblem.Teacher t = teachers.get(r.teacher());
        for (int s = r.earliest(); s < Math.min(r.latest(), p.slots()); s++) {
            if (!ConferenceProblem.allowed(r, t, s)) {
                continue;
            }
            Set<Long> blockers = blockers(r, s);
            boolean blockedByPinnedOrRequired = false;
            for (long b : blockers) {
                ConferenceProblem.Request br = requests.get(b);
                blockedByPinnedOrRequired |= br.pinnedSlot() || (!r.required() && br.required()) || blockers.size() > 2;
            }
            if (blockedByPinnedOrRequired) {
                continue;
            }
            Map<Long, Integer> undo = new HashMap<>();
            for (long b : blockers) {
                undo.put(b, plan.get(b));
                remove(requests.get(b));
            }
            if (!fits(r, s)) {
                undo.forEach((b, slot) -> place(requests.get(b), slot));
                continue;
            }
            place(r, s);
            boolean lostRequired = false;
            int lost = 0;
            List<Long> moved = new ArrayList<>();
            for (long b : blockers) {
                ConferenceProblem.Request br = requests.get(b);
                Integer to = firstFit(br);
                if (to != null) {
                    place(br, to);
                    moved.add(b);
                } else {
                    lost++;
                    lostRequired |= br.required();
                }
            }
            // a required request may push wished ones out; anything else must move every blocker
            boolean accept = r.required() ? !lostRequired : lost == 0;
            if (accept) {
                return true;
            }
            moved.forEach(b -> remove(requests.get(b)));
            remove(r);
            undo.forEach((b, slot) -> place(requests.get(b), slot));
        }
        return false;
    }

    private Integer firstFit(ConferenceProblem.Request r) {
        for (int s = r.earliest(); s < Math.min(r.latest(), p.slots()); s++) {
            if (fits(r, s)) {
                return s;
            }
        }
        return null;
    }

    /** The meetings in the way of r at s: the teacher's meeting there and the family's meetings too close. */
    private Set<Long> blockers(ConferenceProblem.Request r, int s) {
        Set<Long> out = new LinkedHashSet<>();
        Long there = byTeacher.getOrDefault(r.teacher(), new TreeMap<>()).get(s);
        if (there != null) {
            out.add(there);
        }
        ConferenceProblem.Teacher t = teachers.get(r.teacher());
        for (long m : byFamily.getOrDefault(r.family(), Set.of())) {
            ConferenceProblem.Request mr = requests.get(m);
            if (Math.abs(plan.get(m) - s) < p.gap(t, teachers.get(mr.teacher()))) {
                out.add(m);
            }
        }
        return out;
    }

    private boolean fits(ConferenceProblem.Request r, int s) {
        ConferenceProblem.Teacher t = teachers.get(r.teacher());
        if (!ConferenceProblem.allowed(r, t, s)) {
            return false;
        }
        TreeMap<Integer, Long> taken = byTeacher.getOrDefault(r.teacher(), new TreeMap<>());
        if (taken.containsKey(s)) {
            return false;
        }
        for (long m : byFamily.getOrDefault(r.family(), Set.of())) {
            if (Math.abs(plan.get(m) - s) < p.gap(t, teachers.get(requests.get(m).teacher()))) {
                return false;
            }
        }
        if (p.breaksApply()) {
            int window = p.maxConsecutive() + p.breakSlots();
            for (int w = s - window + 1; w <= s; w++) {
                if (taken.subMap(w, true, w + window, false).size() + 1 > p.maxConsecutive()) {
                    return false;
                }
            }
        }
        return true;
    }

    private void place(ConferenceProblem.Request r, int s) {
        byTeacher.computeIfAbsent(r.teacher(), k -> new TreeMap<>()).put(s, r.id());
        byFamily.computeIfAbsent(r.family(), k -> new LinkedHashSet<>()).add(r.id());
        plan.put(r.id(), s);
    }

    private void remove(ConferenceProblem.Request r) {
        Integer s = plan.remove(r.id());
        if (s != null) {
            byTeacher.get(r.teacher()).remove(s);
            byFamily.get(r.family()).remove(r.id());
        }
    }
}
