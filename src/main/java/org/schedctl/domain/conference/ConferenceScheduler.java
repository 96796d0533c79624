package org.schedctl.domain.conference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ai.timefold.solver.core.api.solver.Solver;
import ai.timefold.solver.core.api.solver.SolverFactory;
import ai.timefold.solver.core.config.solver.SolverConfig;
import ai.timefold.solver.core.config.solver.termination.TerminationConfig;

/**
 * Schedules a {@link ConferenceProblem}: the greedy baseline, improved by ejection moves ({@link Repair}), then
 * Timefold Solver started from that (so it never ends below the baseline), the matching bounds, and what each plan achieved. The solver stops at the time limit,
 * after a fifth of it (at least two seconds) without improvement, or as soon as every request is placed with no
 * family waiting.
 */
public final class ConferenceScheduler {
    private ConferenceScheduler() {
    }

    /** What a plan achieved; idle minutes per family with two or more meetings. */
    public record Figures(int requiredPlaced, int wishedPlaced, int idleP50Minutes, int idleP95Minutes, int roomChanges) {
        public int placed() {
            return requiredPlaced + wishedPlaced;
        }
    }

    public record Result(Plan plan, Figures solver, Figures greedy, int required, int wished, int boundAll,
                         int boundRequired, long solveMillis, List<String> violations) {
    }

    public static Result schedule(ConferenceProblem p, Duration timeLimit) {
        long started = System.nanoTime();
        Plan greedy = GreedyScheduler.schedule(p);
        Plan solved = solve(p, Repair.improve(p, greedy), timeLimit);
        long millis = (System.nanoTime() - started) / 1_000_000;
        int required = (int) p.requests().stream().filter(ConferenceProblem.Request::required).count();
        return new Result(solved, figures(p, solved), figures(p, greedy), required, p.requests().size() - required,
                MatchingBound.bound(p, r -> true), MatchingBound.bound(p, ConferenceProblem.Request::required), millis,
                PlanChecker.violations(p, solved));
    }

    static Plan solve(ConferenceProblem p, Plan start, Duration timeLimit) {
        Map<Long, ConferenceProblem.Teacher> teachers = p.teacherById();
        List<Meeting> meetings = new ArrayList<>();
        for (ConferenceProblem.Request r : p.requests()) {
            meetings.add(new Meeting(p, r, teachers.get(r.teacher()), start.slots().get(r.id())));
        }
        if (meetings.stream().allMatch(Meeting::isPinned)) {
            return start;
        }
        long limitMs = Math.max(1, timeLimit.toMillis());
        SolverConfig config = new SolverConfig()
                .withSolutionClass(ConferenceSolution.class)
                .withEntityClasses(Meeting.class)
                .withConstraintProviderClass(ConferenceConstraints.class)
                .withRandomSeed(17L)
                .withTerminationConfig(new TerminationConfig()
                        .withSpentLimit(Duration.ofMillis(limitMs))
                        .withUnimprovedSpentLimit(Duration.ofMillis(Math.max(Math.min(2_000, limitMs), limitMs / 5)))
                        .withBestScoreLimit(perfect()));
        Solver<ConferenceSolution> solver = SolverFactory.<ConferenceSolution>create(config).buildSolver();
        ConferenceSolution best = solver.solve(new ConferenceSolution(p.slots(), meetings));
        Map<Long, Integer> slots = new HashMap<>();
        for (Meeting m : best.getMeetings()) {
            if (m.getSlot() != null) {
                slots.put(m.getId(), m.getSlot());
            }
        }
        Plan plan = new Plan(slots);
        // The solver's best is feasible when its start was (the greedy plan is); keep the start if it were not.
        return PlanChecker.violations(p, plan).isEmpty() ? plan : start;
    }

    /** Every request placed, nobody waiting; the load and room levels cannot reach 0, so any score on them. */
    private static String perfect() {
        return "[0]hard/[0/0/0/*/*]soft";
    }

    public static Figures figures(ConferenceProblem p, Plan plan) {
        int required = 0;
        int wished = 0;
        Map<Long, ConferenceProblem.Teacher> teachers = p.teacherById();
        Map<Long, List<Integer>> byFamily = new HashMap<>();
        Map<Long, Map<Integer, String>> rooms = new HashMap<>();
        for (ConferenceProblem.Request r : p.requests()) {
            Integer s = plan.slots().get(r.id());
            if (s == null) {
                continue;
            }
            if (r.required()) {
                required++;
            } else {
                wished++;
            }
            byFamily.computeIfAbsent(r.family(), k -> new ArrayList<>()).add(s);
            String room = teachers.get(r.teacher()).room();
            rooms.computeIfAbsent(r.family(), k -> new java.util.TreeMap<>()).put(s, room == null ? "" : room);
        }
        List<Integer> idle = new ArrayList<>();
        byFamily.values().forEach(list -> {
            if (list.size() > 1) {
                int first = list.stream().mapToInt(Integer::intValue).min().orElseThrow();
                int last = list.stream().mapToInt(Integer::intValue).max().orElseThrow();
                idle.add((last - first + 1 - list.size()) * p.slotMinutes());
            }
        });
        int changes = 0;
        for (Map<Integer, String> byslot : rooms.values()) {
            String prev = null;
            for (String room : byslot.values()) {
                if (prev != null && !prev.isEmpty() && !room.isEmpty() && !prev.equals(room)) {
                    changes++;
                }
                prev = room;
            }
        }
        idle.sort(null);
        return new Figures(required, wished, percentile(idle, 50), percentile(idle, 95), changes);
    }

    static int percentile(List<Integer> sorted, int pct) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int index = (int) Math.ceil(pct / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
