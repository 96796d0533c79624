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

    /** The instructor's steps: the student of an appointment may not take them (V31 also refuses it in the database). */
    public boolean instructorsStep() {
        return this == CONFIRM || this == DECLINE || this == COMPLETE || this == NO_SHOW;
    }

    /** The command's name, for messages: "confirm", "no-show". */
    public String command() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** For messages: "... can be cancelled", "... can be marked completed". */
    String pastParticiple() {
        return pastParticiple;
    }
}
