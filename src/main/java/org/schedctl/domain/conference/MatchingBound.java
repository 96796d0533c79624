package org.schedctl.domain.conference;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * An upper bound on how many requests any plan places: a maximum bipartite matching of requests to (teacher, slot)
 * pairs the request may take alone (window, absences), ignoring the family rules. Hopcroft–Karp, written here
 * (O(E sqrt V); 1,800 requests and 60 x 24 teacher slots take milliseconds). The break rule is then applied per
 * teacher: no plan gives a teacher more meetings than their own matching, nor more than the most their free slots
 * hold under "at most K in any K + b slots" (placing at the earliest free slot is optimal for that), so the bound is
 * the smaller of the whole matching and the sum over teachers of those two.
 */
public final class MatchingBound {
    private MatchingBound() {
    }

    /** The size of a maximum matching of the requests {@code which} accepts. */
    public static int bound(ConferenceProblem p, Predicate<ConferenceProblem.Request> which) {
        int all = matching(p, which);
        if (!p.breaksApply()) {
            return all;
        }
        int perTeacher = 0;
        for (ConferenceProblem.Teacher t : p.teachers()) {
            int own = matching(p, which.and(r -> r.teacher() == t.id()));
            perTeacher += Math.min(own, capacity(p, t));
        }
        return Math.min(all, perTeacher);
    }

    /** The most meetings a teacher's free slots hold under the break rule: earliest-first placement. */
    static int capacity(ConferenceProblem p, ConferenceProblem.Teacher t) {
        int window = p.maxConsecutive() + p.breakSlots();
        java.util.TreeSet<Integer> taken = new java.util.TreeSet<>();
        for (int s = 0; s < p.slots(); s++) {
            if (!t.unavailable().get(s) && taken.subSet(s - window + 1, true, s, true).size() < p.maxConsecutive()) {
                taken.add(s);
            }
        }
        return taken.size();
    }

    static int matching(ConferenceProblem p, Predicate<ConferenceProblem.Request> which) {
        Map<Long, ConferenceProblem.Teacher> teachers = p.teacherById();
        List<Long> teacherIds = p.teachers().stream().map(ConferenceProblem.Teacher::id).toList();
        List<int[]> adj = new ArrayList<>();
        for (ConferenceProblem.Request r : p.requests()) {
            if (!which.test(r)) {
                continue;
            }
            ConferenceProblem.Teacher t = teachers.get(r.teacher());
            int ti = teacherIds.indexOf(t.id());
            int[] edges = new int[p.slots()];
            int n = 0;
            for (int s = 0; s < p.slots(); s++) {
                if (r.pinnedSlot() ? s == r.pinned() : ConferenceProblem.allowed(r, t, s)) {
                    edges[n++] = ti * p.slots() + s;
                }
            }
            adj.add(Arrays.copyOf(edges, n));
        }
        return hopcroftKarp(adj, teacherIds.size() * p.slots());
    }

    /** Maximum matching of left vertices 0..adj.size()-1 (each with its right neighbours) into 0..rightCount-1. */
    static int hopcroftKarp(List<int[]> adj, int rightCount) {
        int n = adj.size();
        int[] matchLeft = new int[n];
        int[] matchRight = new int[rightCount];
        int[] dist = new int[n];
        Arrays.fill(matchLeft, -1);
        Arrays.fill(matchRight, -1);
        int matching = 0;
        while (bfs(adj, matchLeft, matchRight, dist)) {
            for (int u = 0; u < n; u++) {
                if (matchLeft[u] == -1 && dfs(u, adj, matchLeft, matchRight, dist)) {
                    matching++;
                }
            }
        }
        return matching;
    }

    private static boolean bfs(List<int[]> adj, int[] matchLeft, int[] matchRight, int[] dist) {
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        boolean found = false;
        for (int u = 0; u < adj.size(); u++) {
            if (matchLeft[u] == -1) {
                dist[u] = 0;
                queue.add(u);
            } else {
                dist[u] = Integer.MAX_VALUE;
            }
        }
        while (!queue.isEmpty()) {
            int u = queue.poll();
            for (int v : adj.get(u)) {
                int w = matchRight[v];
                if (w == -1) {
                    found = true;
                } else if (dist[w] == Integer.MAX_VALUE) {
                    dist[w] = dist[u] + 1;
                    queue.add(w);
                }
            }
        }
        return found;
    }

    private static boolean dfs(int u, List<int[]> adj, int[] matchLeft, int[] matchRight, int[] dist) {
        for (int v : adj.get(u)) {
            int w = matchRight[v];
            if (w == -1 || (dist[w] == dist[u] + 1 && dfs(w, adj, matchLeft, matchRight, dist))) {
                matchLeft[u] = v;
                matchRight[v] = u;
                return true;
            }
        }
        dist[u] = Integer.MAX_VALUE;
        return false;
    }
}
