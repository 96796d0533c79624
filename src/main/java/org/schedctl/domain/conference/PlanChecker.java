package org.schedctl.domain.conference;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Recomputes every hard rule of {@link ConferenceProblem} from a plan, independently of the solver's constraint
 * streams: the test oracle for random instances and the service's last check before it stores a plan.
 */
public final class PlanChecker {
    private PlanChecker() {
    }

    public static List<String> violations(ConferenceProblem p, Plan plan) {
        List<String> out = new ArrayList<>();
        Map<Long, ConferenceProblem.Teacher> teachers = p.teacherById();
        Map<Long, ConferenceProblem.Request> requests = new HashMap<>();
        p.requests().forEach(r -> requests.put(r.id(), r));
        Map<Long, TreeMap<Integer, Long>> byTeacher = new HashMap<>();
        Map<Long, List<ConferenceProblem.Request>> byFamily = new HashMap<>();
        plan.slots().forEach((id, s) -> {
            ConferenceProblem.Request r = requests.get(id);
            if (r == null) {
                out.add("request " + id + " is not part of the problem");
                return;
            }
            ConferenceProblem.Teacher t = teachers.get(r.teacher());
            if (s < 0 || s >= p.slots()) {
                out.add("request " + id + " at slot " + s + " is outside the evening");
            } else if (!ConferenceProblem.allowed(r, t, s)) {
                out.add("request " + id + " at slot " + s + " is outside its window or in teacher " + t.id() + "'s absence");
            }
            Long other = byTeacher.computeIfAbsent(r.teacher(), k -> new TreeMap<>()).put(s, id);
            if (other != null) {
                out.add("teacher " + r.teacher() + " has requests " + other + " and " + id + " at slot " + s);
            }
            byFamily.computeIfAbsent(r.family(), k -> new ArrayList<>()).add(r);
        });
        byFamily.forEach((family, list) -> {
            for (int i = 0; i < list.size(); i++) {
                for (int j = i + 1; j < list.size(); j++) {
                    ConferenceProblem.Request a = list.get(i);
                    ConferenceProblem.Request b = list.get(j);
                    int d = Math.abs(plan.slots().get(a.id()) - plan.slots().get(b.id()));
                    int need = p.gap(teachers.get(a.teacher()), teachers.get(b.teacher()));
                    if (d < need) {
                        out.add("family " + family + " has requests " + a.id() + " and " + b.id() + " " + d
                                + " slot(s) apart, needs " + need);
                    }
                }
            }
        });
        if (p.breaksApply()) {
            int window = p.maxConsecutive() + p.breakSlots();
            byTeacher.forEach((teacher, taken) -> {
                for (int start : taken.keySet()) {
                    int count = taken.subMap(start, true, start + window, false).size();
                    if (count > p.maxConsecutive()) {
                        out.add("teacher " + teacher + " has " + count + " meetings in the " + window
                                + " slots from " + start + " (at most " + p.maxConsecutive() + ", then a break)");
                    }
                }
            });
        }
        return out;
    }
}
