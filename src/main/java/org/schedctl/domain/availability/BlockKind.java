package org.schedctl.domain.availability;

import java.util.Locale;

/** Whether a time block adds availability or takes it away (a blackout). */
public enum BlockKind {
    AVAILABLE,
    UNAVAILABLE;

    /** The name used in the CSV {@code kind} column and in the database. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
