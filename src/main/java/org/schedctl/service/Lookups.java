package org.schedctl.service;

import org.jdbi.v3.core.Handle;
import org.schedctl.domain.AppointmentType;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.Text;
import org.schedctl.domain.User;
import org.schedctl.store.dao.AppointmentTypeDao;
import org.schedctl.store.dao.UserDao;

/** Finds what a command names (users by email or id, types by id or slug) inside the caller's transaction. */
public final class Lookups {
    private Lookups() {
    }

    public static User user(Handle handle, String ident) {
        if (ident == null || ident.isBlank()) {
            throw new InvalidInputException("missing user. Name a user by email or id");
        }
        if (ident.length() > 254) {
            throw Text.tooLong("user name or email", 254, ident.length());
        }
        return handle.attach(UserDao.class).find(ident.trim()).orElseThrow(() -> userNotFound(ident));
    }

    public static User instructor(Handle handle, String ident) {
        User user = user(handle, ident);
        if (!user.hasInstructorRole()) {
            throw notAnInstructor(user.email(), user.role());
        }
        return user;
    }

    /** Whether {@link #user} would look {@code ident} up rather than refuse it as blank or too long. */
    static boolean wellFormedUser(String ident) {
        return ident != null && !ident.isBlank() && ident.length() <= 254;
    }

    /** Whether {@link #type} would look {@code ident} up rather than refuse it as blank or too long. */
    static boolean wellFormedType(String ident) {
        return ident != null && !ident.isBlank() && ident.length() <= 63;
    }

    static NotFoundException userNotFound(String ident) {
        return new NotFoundException("user '" + Text.printable(ident) + "' not found. See `schedctl user list`");
    }

    static InvalidInputException notAnInstructor(String email, String role) {
        return new InvalidInputException("user " + email + " is a " + role
                + ", not an instructor. Name an instructor (see `schedctl instructor list`)");
    }

    static NotFoundException typeNotFound(String ident) {
        return new NotFoundException("appointment type '" + Text.printable(ident) + "' not found. See `schedctl type list`");
    }

    public static AppointmentType type(Handle handle, String ident) {
        if (ident == null || ident.isBlank()) {
            throw new InvalidInputException("missing appointment type. Name it by id or slug");
        }
        if (ident.length() > 63) {
            throw Text.tooLong("appointment type", 63, ident.length());
        }
        return handle.attach(AppointmentTypeDao.class).find(ident.trim()).orElseThrow(() -> typeNotFound(ident));
    }
}
