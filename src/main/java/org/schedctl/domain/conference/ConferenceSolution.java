package org.schedctl.domain.conference;

import java.util.List;
import java.util.stream.IntStream;

import ai.timefold.solver.core.api.domain.solution.PlanningEntityCollectionProperty;
import ai.timefold.solver.core.api.domain.solution.PlanningScore;
import ai.timefold.solver.core.api.domain.solution.PlanningSolution;
import ai.timefold.solver.core.api.domain.valuerange.ValueRangeProvider;
import ai.timefold.solver.core.api.score.buildin.bendable.BendableScore;

/**
 * Timefold's planning solution: the meetings and the slots. The score has one hard level and five soft levels, in
 * the order of the issue: required placed, wished placed, family idle time, balanced load, few room changes; a
 * higher level always wins over every lower one.
 */
@PlanningSolution
public class ConferenceSolution {
    static final int HARD_LEVELS = 1;
    static final int SOFT_LEVELS = 5;

    @PlanningEntityCollectionProperty
    private List<Meeting> meetings;

    @ValueRangeProvider
    private List<Integer> slots;

    @PlanningScore(bendableHardLevelsSize = HARD_LEVELS, bendableSoftLevelsSize = SOFT_LEVELS)
    private BendableScore score;

    public ConferenceSolution() {
    }

    ConferenceSolution(int slotCount, List<Meeting> meetings) {
        this.meetings = meetings;
        this.slots = IntStream.range(0, slotCount).boxed().toList();
    }

    public List<Meeting> getMeetings() {
        return meetings;
    }

    public List<Integer> getSlots() {
        return slots;
    }

    public BendableScore getScore() {
        return score;
    }

    public void setScore(BendableScore score) {
        this.score = score;
    }
}
