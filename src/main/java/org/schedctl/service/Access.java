package org.schedctl.service;

import org.jdbi.v3.core.Handle;
import org.schedctl.domain.PermissionDeniedException;

/**
 * Who acts in the current transaction, as the database sees it, and the checks that turn a refusal by
 * row-level security into a one-line reason. The policies enforce; these checks only explain: they run where
 * the database would answer with something confusing (an UPDATE of 0 rows, "violates row-level security
 * policy") about a thing whose existence the acting user may know anyway.
 */
public final class Access {
    private Access() {
    }

    public record Actor(long id, String role) {
        public boolean isAdmin() {
            return "admin".equals(role);
        }

        public boolean isInstructor() {
            return "instructor".equals(role);
        }

        public boolean isStudent() {
            return "student".equals(role);
        }

        public boolean isGuardian() {
            return "guardian".equals(role);
        }
    }

    public static Actor actor(Handle handle) {
        return handle.createQuery("SELECT app_current_user_id() AS id, app_user_role() AS role")
                .map((rs, ctx) -> new Actor(rs.getLong("id"), rs.getString("role")))
                .one();
    }

    /** Whether the acting user is this student or a guardian linked to them (the database's app_acts_for). */
    public static boolean actsFor(Handle handle, long studentId) {
        return handle.createQuery("SELECT coalesce(app_acts_for(:s), false)").bind("s", studentId).mapTo(Boolean.class).one();
    }

    public static Actor requireAdmin(Handle handle, String what) {
        Actor actor = actor(handle);
        if (!actor.isAdmin()) {
            throw new PermissionDeniedException("only administrators can " + what + ". Ask an administrator");
        }
        return actor;
    }

    /** The acting user is this user (an instructor managing their own things) or an administrator. */
    public static Actor requireSelfOrAdmin(Handle handle, long userId, String what) {
        Actor actor = actor(handle);
        if (!actor.isAdmin() && actor.id() != userId) {
            throw new PermissionDeniedException("only the instructor themselves or an administrator can " + what
                    + ". Run it with --as that instructor, or ask an administrator");
        }
        return actor;
    }

    public static Actor requireNotStudent(Handle handle, String what) {
        Actor actor = actor(handle);
        if (actor.isStudent() || actor.isGuardian()) {
            throw new PermissionDeniedException((actor.isStudent() ? "students" : "guardians") + " cannot " + what + ". Ask an instructor or an administrator");
        }
        return actor;
    }
}
