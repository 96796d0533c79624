package org.schedctl.domain.availability;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

import org.schedctl.domain.InvalidInputException;

/**
 * A user-given point in time: exact (ISO-8601 with an offset or Z) or a local date-time whose zone
 * may only be known later (the instructor's). Exactly one of the two fields is set.
 */
public record TimeInput(Instant instant, LocalDateTime local) {

    public TimeInput {
        if ((instant == null) == (local == null)) {
            throw new IllegalArgumentException("exactly one of instant and local must be given");
        }
    }

    /** Parses {@code 2027-06-07T09:00-04:00}, {@code 2027-06-07T13:00Z}, {@code 2027-06-07T09:00} or {@code 2027-06-07 09:00}. */
    public static TimeInput parse(String text) {
        String value = text.trim();
        if (value.length() > 10 && value.charAt(10) == ' ') {
            value = value.substring(0, 10) + 'T' + value.substring(11);
        }
        try {
            LocalDateTime plain = plainLocal(value);
            if (plain != null) {
                return new TimeInput(null, plain);
            }
            if (hasOffset(value)) {
                return new TimeInput(OffsetDateTime.parse(value).toInstant(), null);
            }
            return new TimeInput(null, LocalDateTime.parse(value));
        } catch (DateTimeParseException e) {
            throw new InvalidInputException("'" + text + "' is not a date-time. Write e.g. 2027-06-07T09:00 or 2027-06-07T09:00-04:00");
        }
    }

    /** The instant, reading a local value in {@code zone}; a gap or an overlap time is an input error. */
    public Instant resolve(ZoneId zone) {
        return instant != null ? instant : LocalTimes.resolveStrict(local, zone);
    }

    public boolean isLocal() {
        return local != null;
    }

    /** Fast path for the usual {@code YYYY-MM-DDTHH:MM}; DateTimeFormatter is slow in a cold CLI run. */
    private static LocalDateTime plainLocal(String value) {
        if (value.length() != 16 || value.charAt(4) != '-' || value.charAt(7) != '-' || value.charAt(10) != 'T'
                || value.charAt(13) != ':') {
            return null;
        }
        for (int i : new int[] {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15}) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return null;
            }
        }
        try {
            return LocalDateTime.of(Integer.parseInt(value, 0, 4, 10), Integer.parseInt(value, 5, 7, 10),
                    Integer.parseInt(value, 8, 10, 10), Integer.parseInt(value, 11, 13, 10), Integer.parseInt(value, 14, 16, 10));
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    private static boolean hasOffset(String value) {
        int timeStart = value.indexOf('T');
        if (timeStart < 0) {
            return false;
        }
        String time = value.substring(timeStart);
        return time.endsWith("Z") || time.endsWith("z") || time.indexOf('+') >= 0 || time.indexOf('-') >= 0;
    }

    @Override
    public String toString() {
        return instant != null ? instant.toString() : local.toString();
    }
}
