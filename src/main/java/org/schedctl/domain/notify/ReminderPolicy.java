package org.schedctl.domain.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

import org.schedctl.domain.Durations;
import org.schedctl.domain.InvalidInputException;

/**
 * When reminders go out before an appointment: the instructor's own offsets, or else the school's default
 * ({@code reminders.offsets}, e.g. {@code 24h,1h,15m}). Offsets are kept longest first and without repeats; no
 * offsets means no reminders. The outbox SQL applies the same rule (V50's {@code app_default_reminder_offsets()}).
 */
public record ReminderPolicy(List<Duration> offsets) {
    public static final String DEFAULT_OFFSETS = "24h,1h,15m";
    private static final Duration MAX_OFFSET = Duration.ofDays(60);
    private static final int MAX_OFFSETS = 10;

    public ReminderPolicy {
        TreeSet<Duration> unique = new TreeSet<>(Comparator.reverseOrder());
        for (Duration offset : offsets) {
            if (offset.isNegative() || offset.isZero() || offset.compareTo(MAX_OFFSET) > 0) {
                throw new InvalidInputException("reminder offset " + Durations.format(offset)
                        + " is out of range. Give offsets between 1m and 60d, e.g. 24h,1h,15m");
            }
            unique.add(offset);
        }
        if (unique.size() > MAX_OFFSETS) {
            throw new InvalidInputException("at most " + MAX_OFFSETS + " reminder offsets, got " + unique.size()
                    + ". Keep the ones that matter, e.g. 24h,1h,15m");
        }
        offsets = List.copyOf(unique);
    }

    /** Parses {@code 24h,1h,15m}; an empty text or {@code none} means no reminders. */
    public static ReminderPolicy parse(String text) {
        List<Duration> parsed = new ArrayList<>();
        if (text != null && !text.trim().equalsIgnoreCase("none")) {
            for (String part : text.split(",")) {
                if (!part.isBlank()) {
                    parsed.add(Durations.parse(part.trim()));
                }
            }
        }
        return new ReminderPolicy(parsed);
    }

    /**
     * The instructor's offsets when they chose any (an empty list: they chose no reminders), else ({@code null})
     * this, the school's default.
     */
    public ReminderPolicy orInstructor(List<Duration> instructorOffsets) {
        return instructorOffsets == null ? this : new ReminderPolicy(instructorOffsets);
    }

    /**
     * The offsets as a PostgreSQL {@code interval[]} literal in whole seconds, e.g. {@code {"7200 seconds"}}, the
     * form {@code app.reminder_offsets} and {@code instructor_settings.reminder_offsets} take.
     */
    public String toSqlArray() {
        StringBuilder sb = new StringBuilder("{");
        for (Duration offset : offsets) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append('"').append(offset.getSeconds()).append(" seconds\"");
        }
        return sb.append('}').toString();
    }

    /** The instants reminders for an appointment starting at {@code start} are due, skipping those already past. */
    public List<Instant> dueTimes(Instant start, Instant now) {
        List<Instant> due = new ArrayList<>();
        for (Duration offset : offsets) {
            Instant at = start.minus(offset);
            if (at.isAfter(now)) {
                due.add(at);
            }
        }
        return due;
    }

    @Override
    public String toString() {
        return String.join(",", offsets.stream().map(Durations::format).toList());
    }
}
