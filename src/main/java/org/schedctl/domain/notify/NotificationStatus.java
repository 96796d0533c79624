package org.schedctl.domain.notify;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.schedctl.domain.InvalidInputException;

/** The life of an outbox row: pending → sending → sent, or failed (retried later) → dead; cancelled by the booking side. */
public enum NotificationStatus {
    pending, sending, sent, failed, dead, cancelled;

    public static NotificationStatus parse(String text) {
        try {
            return valueOf(text.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("unknown notification status '" + text + "'. Use one of "
                    + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
        }
    }
}
