package org.schedctl.service;

import java.time.Instant;
import java.util.OptionalInt;

import org.jdbi.v3.core.Handle;
import org.schedctl.config.Config;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.User;
import org.schedctl.store.Database;

/**
 * How many live holds a student placing holds for themselves may keep at once ({@code holds.max_per_student},
 * default 3, {@code none} lifts it), so that one student cannot tie up an instructor's week by holding and letting
 * lapse (the seed's abuse limit). An operator or instructor holding on a student's behalf is trusted, and waitlist
 * offers are the school's. Read from the config once per process ({@link Services}), so every caller applies it.
 */
public final class HoldAllowance {
    /** How many live holds a student may place for themselves at once, unless configured. */
    public static final int DEFAULT_PER_STUDENT = 3;
    public static final String KEY = "holds.max_per_student";
    /** Advisory-lock namespace of a student's holds (the two-key form, apart from the instructors' one-key locks). */
    private static final int STUDENT_HOLDS_LOCK = 0x73686c64;

    private final OptionalInt perStudent;

    /** {@code perStudent} empty: students may hold any number of slots. */
    public HoldAllowance(OptionalInt perStudent) {
        this.perStudent = perStudent;
    }

    /** The allowance the config names, else {@link #DEFAULT_PER_STUDENT}. */
    public static HoldAllowance from(Config config) {
        return new HoldAllowance(config.limit(KEY).orElse(OptionalInt.of(DEFAULT_PER_STUDENT)));
    }

    public static HoldAllowance standard() {
        return new HoldAllowance(OptionalInt.of(DEFAULT_PER_STUDENT));
    }

    /**
     * Refuses a hold a student places for themselves beyond the allowance. The count is taken under a per-student
     * advisory lock, so two holds at once cannot both take the last place.
     */
    void require(Handle handle, Database db, User student, Instant now) {
        // The acting user was resolved when this transaction began (Database.actAs): no query needed.
        if (perStudent.isEmpty() || db.actorId() != student.id()) {
            return;
        }
        handle.createQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(:ns, (:student % 2147483647)::int)) locked")
                .bind("ns", STUDENT_HOLDS_LOCK).bind("student", student.id()).mapTo(Integer.class).one();
        long live = handle.createQuery("""
                        SELECT count(*) FROM appointments a JOIN booking_sessions b ON b.id = a.booking_session_id
                         WHERE a.student_id = :student AND a.status = 'held' AND b.expires_at > :now AND b.waitlist_id IS NULL
                        """)
                .bind("student", student.id()).bind("now", now).mapTo(Long.class).one();
        int limit = perStudent.getAsInt();
        if (live >= limit) {
            throw new ConflictException("you already hold " + live + " slot" + (live == 1 ? "" : "s") + ", the most a student may hold at once ("
                    + limit + ", holds.max_per_student). Book one with `schedctl book --hold ID`, or wait for one to lapse");
        }
    }
}
