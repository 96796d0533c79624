package org.schedctl.domain.conference;

import java.util.Objects;

import ai.timefold.solver.core.api.domain.entity.PlanningEntity;
import ai.timefold.solver.core.api.domain.entity.PlanningPin;
import ai.timefold.solver.core.api.domain.lookup.PlanningId;
import ai.timefold.solver.core.api.domain.variable.PlanningVariable;

/** Timefold's planning entity: one request, and the slot the solver gives it (null: not placed). */
@PlanningEntity
public class Meeting {
    @PlanningId
    private Long id;
    private long family;
    private long teacher;
    private String room;
    private boolean required;
    private boolean pinned;
    private ConferenceProblem problem;
    private ConferenceProblem.Request request;
    private ConferenceProblem.Teacher teacherFact;

    @PlanningVariable(allowsUnassigned = true)
    private Integer slot;

    public Meeting() {
    }

    Meeting(ConferenceProblem problem, ConferenceProblem.Request request, ConferenceProblem.Teacher teacher, Integer slot) {
        this.id = request.id();
        this.family = request.family();
        this.teacher = request.teacher();
        this.room = teacher.room();
        this.required = request.required();
        this.pinned = request.pinnedSlot();
        this.problem = problem;
        this.request = request;
        this.teacherFact = teacher;
        this.slot = pinned ? Integer.valueOf(request.pinned()) : slot;
    }

    public Long getId() {
        return id;
    }

    public long getFamily() {
        return family;
    }

    public long getTeacher() {
        return teacher;
    }

    public boolean isRequired() {
        return required;
    }

    @PlanningPin
    public boolean isPinned() {
        return pinned;
    }

    public Integer getSlot() {
        return slot;
    }

    public void setSlot(Integer slot) {
        this.slot = slot;
    }

    /** Window and absences. */
    boolean allowedHere() {
        return ConferenceProblem.allowed(request, teacherFact, slot);
    }

    /** Whether this and another meeting of the same family are too close (overlap or no time to walk). */
    boolean tooClose(Meeting other) {
        return Math.abs(slot - other.slot) < problem.gap(teacherFact, other.teacherFact);
    }

    boolean otherRoom(Meeting other) {
        return room != null && other.room != null && !Objects.equals(room, other.room);
    }

    int maxConsecutive() {
        return problem.maxConsecutive();
    }

    int breakWindow() {
        return problem.maxConsecutive() + problem.breakSlots();
    }

    int hour() {
        return slot * problem.slotMinutes() / 60;
    }
}
