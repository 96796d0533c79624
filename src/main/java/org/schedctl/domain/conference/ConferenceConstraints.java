package org.schedctl.domain.conference;

import static ai.timefold.solver.core.api.score.stream.ConstraintCollectors.count;
import static ai.timefold.solver.core.api.score.stream.ConstraintCollectors.countBi;
import static ai.timefold.solver.core.api.score.stream.ConstraintCollectors.max;
import static ai.timefold.solver.core.api.score.stream.ConstraintCollectors.min;

import ai.timefold.solver.core.api.score.buildin.bendable.BendableScore;
import ai.timefold.solver.core.api.score.stream.Constraint;
import ai.timefold.solver.core.api.score.stream.ConstraintFactory;
import ai.timefold.solver.core.api.score.stream.ConstraintProvider;
import ai.timefold.solver.core.api.score.stream.Joiners;

/** The rules of a parents' evening as Timefold constraint streams (see {@link ConferenceProblem} for the hard ones). */
public class ConferenceConstraints implements ConstraintProvider {
    private static final BendableScore HARD = BendableScore.ofHard(ConferenceSolution.HARD_LEVELS, ConferenceSolution.SOFT_LEVELS, 0, 1);

    private static BendableScore soft(int level) {
        return BendableScore.ofSoft(ConferenceSolution.HARD_LEVELS, ConferenceSolution.SOFT_LEVELS, level, 1);
    }

    @Override
    public Constraint[] defineConstraints(ConstraintFactory f) {
        return new Constraint[] {
                teacherDoubleBooked(f), familyTooClose(f), outsideWindowOrAbsent(f), teacherBreak(f),
                requiredNotPlaced(f), wishedNotPlaced(f), familyIdle(f), teacherLoad(f), roomChanges(f)};
    }

    Constraint teacherDoubleBooked(ConstraintFactory f) {
        return f.forEachUniquePair(Meeting.class, Joiners.equal(Meeting::getTeacher), Joiners.equal(Meeting::getSlot))
                .penalize(HARD).asConstraint("teacher double-booked");
    }

    Constraint familyTooClose(ConstraintFactory f) {
        return f.forEachUniquePair(Meeting.class, Joiners.equal(Meeting::getFamily))
                .filter(Meeting::tooClose)
                .penalize(HARD).asConstraint("family double-booked or no time to walk");
    }

    Constraint outsideWindowOrAbsent(ConstraintFactory f) {
        return f.forEach(Meeting.class).filter(m -> !m.allowedHere())
                .penalize(HARD).asConstraint("outside the family's window or the teacher's time");
    }

    /** At most K meetings in any K + b consecutive slots of a teacher, counted from each meeting. */
    Constraint teacherBreak(ConstraintFactory f) {
        return f.forEach(Meeting.class).filter(m -> m.maxConsecutive() > 0)
                .join(Meeting.class, Joiners.equal(Meeting::getTeacher),
                        Joiners.lessThanOrEqual(Meeting::getSlot, Meeting::getSlot),
                        Joiners.greaterThan(m -> m.getSlot() + m.breakWindow(), Meeting::getSlot))
                .groupBy((a, b) -> a, countBi())
                .filter((a, n) -> n > a.maxConsecutive())
                .penalize(HARD, (a, n) -> n - a.maxConsecutive()).asConstraint("teacher needs a break");
    }

    Constraint requiredNotPlaced(ConstraintFactory f) {
        return f.forEachIncludingUnassigned(Meeting.class).filter(m -> m.getSlot() == null && m.isRequired())
                .penalize(soft(0)).asConstraint("required request not placed");
    }

    Constraint wishedNotPlaced(ConstraintFactory f) {
        return f.forEachIncludingUnassigned(Meeting.class).filter(m -> m.getSlot() == null && !m.isRequired())
                .penalize(soft(1)).asConstraint("wished request not placed");
    }

    /** Slots between a family's first and last meeting that it spends waiting. */
    Constraint familyIdle(ConstraintFactory f) {
        return f.forEach(Meeting.class)
                .groupBy(Meeting::getFamily, min(Meeting::getSlot), max(Meeting::getSlot), count())
                .filter((family, first, last, n) -> last - first + 1 > n)
                .penalize(soft(2), (family, first, last, n) -> last - first + 1 - n).asConstraint("family idle time");
    }

    /** A teacher's meetings spread over the evening's hours (squares: a crowded hour costs more). */
    Constraint teacherLoad(ConstraintFactory f) {
        return f.forEach(Meeting.class)
                .groupBy(Meeting::getTeacher, Meeting::hour, count())
                .penalize(soft(3), (teacher, hour, n) -> n * n).asConstraint("balanced load");
    }

    /** A family going to another room between two meetings that follow each other. */
    Constraint roomChanges(ConstraintFactory f) {
        return f.forEach(Meeting.class)
                .join(Meeting.class, Joiners.equal(Meeting::getFamily), Joiners.lessThan(Meeting::getSlot))
                .filter(Meeting::otherRoom)
                .ifNotExists(Meeting.class, Joiners.equal((a, b) -> a.getFamily(), Meeting::getFamily),
                        Joiners.filtering((a, b, c) -> c.getSlot() > a.getSlot() && c.getSlot() < b.getSlot()))
                .penalize(soft(4)).asConstraint("room change");
    }
}
