package org.schedctl.domain.booking;

import java.util.Locale;

/** What can happen to an appointment; {@link #dbValue()} is the spelling in the history (appointment_events.action). */
public enum Action {
    HOLD("held"),
    BOOK("booked"),
    CONFIRM("confirmed"),
    DECLINE("declined"),
    CANCEL("cancelled"),
    RESCHEDULE("rescheduled"),
    COMPLETE("marked completed"),
    NO_SHOW("marked no-show"),
    EXPIRE("expired");

    private final String pastParticiple;

    Action(String pastParticiple) {
        this.pastParticiple = pastParticiple;
    }

    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** For messages: "... can be cancelled", "... can be marked completed". */
    String pastParticiple() {
        return pastParticiple;
    }
}
