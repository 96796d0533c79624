package org.schedctl.domain.availability;

/** Whether one slot is bookable, and if not, the first reason found with a one-line message. */
public record SlotCheck(Reason reason, String message) {

    /** The reasons a booking is refused; the SQL availability function reports the same names. */
    public enum Reason {
        OK,
        IN_PAST,
        TOO_SOON,
        TOO_FAR,
        VACATION,
        BLACKOUT,
        OUTSIDE_AVAILABILITY,
        MISALIGNED,
        TAKEN,
        DAY_FULL,
        TOO_MANY_CONSECUTIVE
    }

    static final SlotCheck OK = new SlotCheck(Reason.OK, "the slot is available");

    public boolean isOk() {
        return reason == Reason.OK;
    }
}
