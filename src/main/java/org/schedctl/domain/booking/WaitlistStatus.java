package org.schedctl.domain.booking;

import java.util.Locale;

/** States of a waitlist entry, spelled in the database as {@link #dbValue()}. */
public enum WaitlistStatus {
    WAITING,
    OFFERED,
    BOOKED,
    EXPIRED,
    REMOVED;

    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static WaitlistStatus fromDb(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
