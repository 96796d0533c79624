package org.schedctl.domain.conference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Issue 17: the solver, the baseline, the bound and the checker on small and seeded random evenings. */
class ConferenceSchedulerTest {

    static ConferenceProblem.Teacher teacher(long id, String room, int... absent) {
        BitSet b = new BitSet();
        for (int s : absent) {
            b.set(s);
        }
        return new ConferenceProblem.Teacher(id, room, b);
    }

    /**
     * Three teachers in three rooms, six slots, four families wanting two or three teachers each (9 requests) and a
     * 1-slot walk (a family needs two slots between meetings in different rooms). The matching bound says at most 9
     * can be placed; the solver places 9, so its plan is a proven optimum for the placement levels.
     */
    @Test
    void smallEveningReachesTheProvenOptimum() {
        List<ConferenceProblem.Teacher> teachers = List.of(teacher(1, "A"), teacher(2, "B"), teacher(3, "C", 0));
        List<ConferenceProblem.Request> requests = new ArrayList<>();
        long id = 1;
        long[][] wants = {{1, 2, 3}, {1, 2}, {2, 3}, {1, 3}};
        for (int family = 0; family < wants.length; family++) {
            for (long t : wants[family]) {
                requests.add(new ConferenceProblem.Request(id++, 100 + family, t, true, 0, 6, -1));
            }
        }
        ConferenceProblem p = new ConferenceProblem(6, 10, 1, 0, 0, teachers, requests);
        ConferenceScheduler.Result r = ConferenceScheduler.schedule(p, Duration.ofSeconds(5));
        assertEquals(List.of(), r.violations());
        assertEquals(9, r.boundAll());
        assertEquals(9, r.solver().placed(), "the matching bound is reached: no plan places more");
        assertTrue(r.solver().placed() >= r.greedy().placed());
        // Each family's meetings in different rooms are 2 slots apart at best (meeting, walk): with the walk the
        // only gap, a family's idle time is exactly its walks. The optimum has no other waiting.
        assertEquals(List.of(), PlanChecker.violations(p, r.plan()));
    }

    /** A tiny evening whose optimum a brute force finds: the solver's required and wished counts match it. */
    @Test
    void solverMatchesBruteForceOnTinyInstances() {
        Random random = new Random(7);
        for (int round = 0; round < 3; round++) {
            ConferenceProblem p = random(random, 2, 3, 5, 4, 1);
            int[] best = bruteForce(p);
            ConferenceScheduler.Result r = ConferenceScheduler.schedule(p, Duration.ofSeconds(1));
            assertEquals(List.of(), r.violations());
            assertEquals(best[0], r.solver().requiredPlaced(), "round " + round);
            assertEquals(best[1], r.solver().wishedPlaced(), "round " + round);
        }
    }

    @Test
    void solverAndGreedyNeverBreakAHardRuleOnSeededRandomEvenings() {
        for (long seed = 1; seed <= 4; seed++) {
            Random random = new Random(seed);
            ConferenceProblem p = random(random, 6, 30, 12, 40, 2);
            ConferenceScheduler.Result r = ConferenceScheduler.schedule(p, Duration.ofSeconds(1));
            assertEquals(List.of(), PlanChecker.violations(p, r.plan()), "seed " + seed);
            assertEquals(List.of(), PlanChecker.violations(p, GreedyScheduler.schedule(p)), "seed " + seed);
            assertTrue(r.solver().placed() <= r.boundAll());
            assertTrue(r.solver().requiredPlaced() <= r.boundRequired());
            assertTrue(r.solver().requiredPlaced() >= r.greedy().requiredPlaced(), "seed " + seed);
        }
    }

    @Test
    void checkerCatchesEveryKindOfBrokenRule() {
        List<ConferenceProblem.Teacher> teachers = List.of(teacher(1, "A", 5), teacher(2, "B"));
        List<ConferenceProblem.Request> requests = List.of(
                new ConferenceProblem.Request(1, 10, 1, true, 0, 8, -1),
                new ConferenceProblem.Request(2, 11, 1, true, 0, 8, -1),
                new ConferenceProblem.Request(3, 10, 2, true, 0, 8, -1),
                new ConferenceProblem.Request(4, 12, 2, false, 3, 5, -1),
                new ConferenceProblem.Request(5, 13, 1, false, 0, 8, -1),
                new ConferenceProblem.Request(6, 14, 1, false, 0, 8, -1));
        ConferenceProblem p = new ConferenceProblem(8, 10, 1, 2, 1, teachers, requests);
        assertTrue(PlanChecker.violations(p, new Plan(Map.of(1L, 0, 2L, 0))).get(0).contains("teacher 1"));
        assertTrue(PlanChecker.violations(p, new Plan(Map.of(1L, 0, 3L, 1))).get(0).contains("family 10"));
        assertTrue(PlanChecker.violations(p, new Plan(Map.of(4L, 6))).get(0).contains("window"));
        assertTrue(PlanChecker.violations(p, new Plan(Map.of(1L, 5))).get(0).contains("absence"));
        assertTrue(PlanChecker.violations(p, new Plan(Map.of(1L, 0, 2L, 1, 5L, 2))).get(0).contains("break"));
        assertEquals(List.of(), PlanChecker.violations(p, new Plan(Map.of(1L, 0, 3L, 2, 2L, 1, 5L, 3))), "2 meetings then a break of 1");
        assertEquals(List.of(), PlanChecker.violations(p, new Plan(Map.of(1L, 0, 3L, 2, 2L, 1, 5L, 6))));
    }

    @Test
    void breakRuleCapsATeachersMeetingsInTheBound() {
        ConferenceProblem.Teacher t = teacher(1, "A");
        List<ConferenceProblem.Request> requests = new ArrayList<>();
        for (long i = 1; i <= 30; i++) {
            requests.add(new ConferenceProblem.Request(i, 100 + i, 1, true, 0, 24, -1));
        }
        // 8 meetings, a break of one slot, 8, a break, 6: 22 of 24 slots
        ConferenceProblem p = new ConferenceProblem(24, 10, 0, 8, 1, List.of(t), requests);
        assertEquals(22, MatchingBound.capacity(p, t));
        assertEquals(22, MatchingBound.bound(p, r -> true));
        assertEquals(24, MatchingBound.matching(p, r -> true));
    }

    @Test
    void hopcroftKarpFindsAMaximumMatching() {
        // left 0 -> {0,1}, 1 -> {0}, 2 -> {1,2}, 3 -> {2}: maximum 3 (one of 0,1 and 2,3 conflict pairs)
        assertEquals(3, MatchingBound.hopcroftKarp(List.of(new int[] {0, 1}, new int[] {0}, new int[] {1, 2}, new int[] {2}), 3));
        assertEquals(2, MatchingBound.hopcroftKarp(List.of(new int[] {0}, new int[] {0}, new int[] {1}), 2));
    }

    /** A random evening: families request teachers, a third required, some with windows and teacher absences. */
    static ConferenceProblem random(Random random, int teacherCount, int familyCount, int slots, int requestCount, int walk) {
        List<ConferenceProblem.Teacher> teachers = new ArrayList<>();
        for (int t = 1; t <= teacherCount; t++) {
            BitSet absent = new BitSet();
            if (random.nextInt(3) == 0) {
                absent.set(random.nextInt(slots));
            }
            teachers.add(new ConferenceProblem.Teacher(t, "R" + (t % 3), absent));
        }
        List<ConferenceProblem.Request> requests = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        long id = 1;
        while (requests.size() < requestCount) {
            long family = 1000 + random.nextInt(familyCount);
            long t = 1 + random.nextInt(teacherCount);
            if (!seen.add(family + "/" + t)) {
                continue;
            }
            int earliest = random.nextInt(4) == 0 ? random.nextInt(slots / 2) : 0;
            int latest = random.nextInt(4) == 0 ? earliest + 2 + random.nextInt(slots - earliest - 1) : slots;
            requests.add(new ConferenceProblem.Request(id++, family, t, random.nextInt(3) == 0, earliest, Math.min(slots, latest), -1));
        }
        return new ConferenceProblem(slots, 10, walk, 3, 1, teachers, requests);
    }

    /** The lexicographically best (required, wished) counts over every assignment. */
    static int[] bruteForce(ConferenceProblem p) {
        int[] best = {0, 0};
        search(p, 0, new java.util.HashMap<>(), best);
        return best;
    }

    private static void search(ConferenceProblem p, int i, Map<Long, Integer> plan, int[] best) {
        if (!PlanChecker.violations(p, new Plan(plan)).isEmpty()) {
            return;
        }
        if (i == p.requests().size()) {
            int req = 0;
            int wish = 0;
            for (ConferenceProblem.Request r : p.requests()) {
                if (plan.containsKey(r.id())) {
                    if (r.required()) {
                        req++;
                    } else {
                        wish++;
                    }
                }
            }
            if (req > best[0] || (req == best[0] && wish > best[1])) {
                best[0] = req;
                best[1] = wish;
            }
            return;
        }
        ConferenceProblem.Request r = p.requests().get(i);
        search(p, i + 1, plan, best);
        for (int s = 0; s < p.slots(); s++) {
            plan.put(r.id(), s);
            search(p, i + 1, plan, best);
            plan.remove(r.id());
        }
    }
}
