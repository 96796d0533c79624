package org.schedctl.domain.booking;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.Durations;
import org.schedctl.domain.InvalidInputException;

/**
 * How often and how late an appointment may be moved.
 *
 * <p>Grammar: {@code any} (no limit), {@code none} (never), or one or both of {@code max=N} (at most N reschedules
 * in the appointment's life, N >= 1) and {@code notice>=DURATION} (the current start must be at least that far
 * away), comma-separated in any order, e.g. {@code max=2,notice>=24h}. Notice is measured against the start being
 * moved away from, so a student cannot escape the rule by first moving a session to a later time.
 */
public final class ReschedulePolicy {

    public static final ReschedulePolicy ANY = new ReschedulePolicy(true, null, null);
    public static final ReschedulePolicy NONE = new ReschedulePolicy(false, null, null);

    private static final Pattern MAX = Pattern.compile("max\\s*=\\s*(\\d{1,4})");
    private static final Pattern NOTICE = Pattern.compile("notice\\s*>=\\s*(.+)");
    private static final String EXAMPLE = "e.g. max=2,notice>=24h, or any, or none";

    private final boolean allowed;
    private final Integer maxReschedules;
    private final Duration minNotice;

    private ReschedulePolicy(boolean allowed, Integer maxReschedules, Duration minNotice) {
        this.allowed = allowed;
        this.maxReschedules = maxReschedules;
        this.minNotice = minNotice;
    }

    /** A stored policy, where none stored means {@link #ANY}: without a rule, moving is allowed. */
    public static ReschedulePolicy parseOrAny(String text) {
        return text == null || text.isBlank() ? ANY : parse(text);
    }

    public static ReschedulePolicy parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("empty reschedule policy. Give one " + EXAMPLE);
        }
        String policy = text.trim();
        String lower = policy.toLowerCase(Locale.ROOT);
        if (lower.equals("any")) {
            return ANY;
        }
        if (lower.equals("none")) {
            return NONE;
        }
        Integer max = null;
        Duration notice = null;
        List<String> seen = new ArrayList<>();
        for (String raw : lower.split(",", -1)) {
            String part = raw.trim();
            Matcher maxMatch = MAX.matcher(part);
            Matcher noticeMatch = NOTICE.matcher(part);
            if (maxMatch.matches()) {
                requireOnce("max", seen, policy);
                max = Integer.valueOf(maxMatch.group(1));
                if (max == 0) {
                    throw new InvalidInputException("max=0 in reschedule policy '" + policy
                            + "' would forbid rescheduling. Write none for that, or give max=1 or more");
                }
            } else if (noticeMatch.matches()) {
                requireOnce("notice", seen, policy);
                try {
                    notice = Durations.parse(noticeMatch.group(1));
                } catch (InvalidInputException e) {
                    throw new InvalidInputException("bad notice '" + noticeMatch.group(1).trim() + "' in reschedule policy '"
                            + policy + "'. Use a duration such as 24h, 90m, 1d or PT2H, " + EXAMPLE);
                }
            } else {
                throw new InvalidInputException("bad rule '" + part + "' in reschedule policy '" + policy
                        + "'. Use max=N and/or notice>=DURATION, " + EXAMPLE);
            }
        }
        return new ReschedulePolicy(true, max, notice);
    }

    private static void requireOnce(String key, List<String> seen, String policy) {
        if (seen.contains(key)) {
            throw new InvalidInputException(key + " appears twice in reschedule policy '" + policy + "'. Give it once");
        }
        seen.add(key);
    }

    public boolean allowed() {
        return allowed;
    }

    public OptionalInt maxReschedules() {
        return maxReschedules == null ? OptionalInt.empty() : OptionalInt.of(maxReschedules);
    }

    public Optional<Duration> minNotice() {
        return Optional.ofNullable(minNotice);
    }

    /**
     * Allows or refuses moving an appointment now.
     *
     * @param reschedulesSoFar how often it has been moved already
     * @param currentStart     the start it would be moved away from
     * @throws ConflictException with the reason when the policy forbids it
     */
    public void check(String reference, int reschedulesSoFar, Instant currentStart, Instant now) {
        Objects.requireNonNull(currentStart, "currentStart");
        Objects.requireNonNull(now, "now");
        if (!allowed) {
            throw new ConflictException("appointment " + reference
                    + " cannot be rescheduled: its type does not allow it. Cancel it and book a new time instead");
        }
        if (maxReschedules != null && reschedulesSoFar >= maxReschedules) {
            throw new ConflictException("appointment " + reference + " has already been rescheduled " + reschedulesSoFar
                    + (reschedulesSoFar == 1 ? " time" : " times") + ", the most its type allows (max=" + maxReschedules
                    + "). Cancel it and book a new time instead");
        }
        if (minNotice != null) {
            Duration left = Duration.between(now, currentStart);
            if (left.compareTo(minNotice) < 0) {
                String when = left.isNegative() || left.isZero() ? "has already started"
                        : "starts in " + Durations.format(left.withNanos(0));
                throw new ConflictException("appointment " + reference + " " + when + ", but rescheduling needs at least "
                        + CancellationPolicy.formatNotice(minNotice) + " notice. Keep the time or cancel it");
            }
        }
    }

    /** The canonical form, e.g. {@code max=2,notice>=24h}; parsing it gives an equal policy. */
    @Override
    public String toString() {
        if (!allowed) {
            return "none";
        }
        if (maxReschedules == null && minNotice == null) {
            return "any";
        }
        List<String> parts = new ArrayList<>();
        if (maxReschedules != null) parts.add("max=" + maxReschedules);
        if (minNotice != null) parts.add("notice>=" + CancellationPolicy.formatNotice(minNotice));
        return String.join(",", parts);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ReschedulePolicy policy && toString().equals(policy.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
