package org.schedctl.domain.booking;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.schedctl.domain.InvalidInputException;

/** The states of an appointment; {@link #dbValue()} is the spelling in the database, JSON and CLI. */
public enum AppointmentStatus {
    HELD,
    PENDING,
    CONFIRMED,
    COMPLETED,
    CANCELLED,
    DECLINED,
    NO_SHOW;

    /** The states that occupy the instructor's time: exactly those the exclusion constraint guards. */
    public static final Set<AppointmentStatus> ACTIVE = Collections.unmodifiableSet(EnumSet.of(HELD, PENDING, CONFIRMED));

    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isActive() {
        return ACTIVE.contains(this);
    }

    /** Completed, cancelled, declined and no-show appointments never change again. */
    public boolean isTerminal() {
        return successors().isEmpty();
    }

    /**
     * The states this one may move to by some action (a reschedule may keep the state). The database trigger
     * that guards transitions must allow exactly these pairs.
     */
    public Set<AppointmentStatus> successors() {
        return switch (this) {
            case HELD -> EnumSet.of(PENDING, CONFIRMED, CANCELLED);
            case PENDING -> EnumSet.of(PENDING, CONFIRMED, DECLINED, CANCELLED);
            case CONFIRMED -> EnumSet.of(CONFIRMED, PENDING, COMPLETED, NO_SHOW, CANCELLED);
            case COMPLETED, CANCELLED, DECLINED, NO_SHOW -> EnumSet.noneOf(AppointmentStatus.class);
        };
    }

    /** Reads the database spelling; for user input (e.g. --status) the error lists the accepted values. */
    public static AppointmentStatus fromDb(String value) {
        if (value != null) {
            String wanted = value.trim().toLowerCase(Locale.ROOT).replace('-', '_');
            for (AppointmentStatus status : values()) {
                if (status.dbValue().equals(wanted)) {
                    return status;
                }
            }
        }
        throw new InvalidInputException("unknown appointment status '" + value + "'. Use one of "
                + Arrays.stream(values()).map(AppointmentStatus::dbValue).collect(Collectors.joining(", ")));
    }
}
