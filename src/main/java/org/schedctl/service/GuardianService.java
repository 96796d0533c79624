package org.schedctl.service;

import java.util.List;

import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.User;
import org.schedctl.store.Database;

/**
 * Issue 17: guardians and the students they act for. Administrators link and unlink; a guardian, a student and an
 * administrator list the links they may see (row-level security on guardian_links decides).
 */
public final class GuardianService {
    private final Database db;

    public GuardianService(Database db) {
        this.db = db;
    }

    public record Link(long guardianId, String guardian, long studentId, String student) {
    }

    public Link link(String guardianIdent, String studentIdent) {
        return db.inTransaction(handle -> {
            Access.requireAdmin(handle, "link guardians to students");
            User guardian = guardian(handle, guardianIdent);
            User student = Lookups.user(handle, studentIdent);
            if (!"student".equals(student.role())) {
                throw new InvalidInputException("user " + student.email() + " is a " + student.role()
                        + ", not a student. Name a student");
            }
            int added = handle.createUpdate("""
                            INSERT INTO guardian_links (guardian_id, student_id) VALUES (:g, :s)
                            ON CONFLICT DO NOTHING""")
                    .bind("g", guardian.id()).bind("s", student.id()).execute();
            if (added == 0) {
                throw new ConflictException(guardian.email() + " is already linked to " + student.email()
                        + ". See `schedctl guardian list`");
            }
            return new Link(guardian.id(), guardian.email(), student.id(), student.email());
        });
    }

    public Link unlink(String guardianIdent, String studentIdent) {
        return db.inTransaction(handle -> {
            Access.requireAdmin(handle, "unlink guardians from students");
            User guardian = Lookups.user(handle, guardianIdent);
            User student = Lookups.user(handle, studentIdent);
            int removed = handle.createUpdate("DELETE FROM guardian_links WHERE guardian_id = :g AND student_id = :s")
                    .bind("g", guardian.id()).bind("s", student.id()).execute();
            if (removed == 0) {
                throw new NotFoundException(guardian.email() + " is not linked to " + student.email()
                        + ". See `schedctl guardian list`");
            }
            return new Link(guardian.id(), guardian.email(), student.id(), student.email());
        });
    }

    /** The links visible to the acting user, optionally of one guardian or one student. */
    public List<Link> list(String guardianIdent, String studentIdent) {
        return db.inTransaction(handle -> {
            Long g = guardianIdent == null ? null : Lookups.user(handle, guardianIdent).id();
            Long s = studentIdent == null ? null : Lookups.user(handle, studentIdent).id();
            return handle.createQuery("""
                            SELECT l.guardian_id, gu.email AS guardian, l.student_id, su.email AS student
                            FROM guardian_links l
                            JOIN users gu ON gu.id = l.guardian_id
                            JOIN users su ON su.id = l.student_id
                            WHERE (CAST(:g AS bigint) IS NULL OR l.guardian_id = :g)
                              AND (CAST(:s AS bigint) IS NULL OR l.student_id = :s)
                            ORDER BY gu.email, su.email""")
                    .bind("g", g).bind("s", s)
                    .map((rs, ctx) -> new Link(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4)))
                    .list();
        });
    }

    static User guardian(org.jdbi.v3.core.Handle handle, String ident) {
        User user = Lookups.user(handle, ident);
        if (!"guardian".equals(user.role())) {
            throw new InvalidInputException("user " + user.email() + " is a " + user.role()
                    + ", not a guardian. Add one with `schedctl user add --role guardian`");
        }
        return user;
    }
}
