package org.schedctl.domain.notify;

import java.time.Duration;

import org.schedctl.domain.InvalidInputException;

/**
 * How the dispatcher treats a failed delivery: the n-th failure waits {@code base * 2^(n-1)} (capped), and
 * after {@code maxAttempts} attempts the message is dead and waits for an operator's {@code notifications retry}.
 */
public record RetryPolicy(int maxAttempts, Duration base, Duration cap) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMinutes(1), Duration.ofHours(6));

    public RetryPolicy {
        if (maxAttempts < 1 || maxAttempts > 100) {
            throw new InvalidInputException("the maximum number of delivery attempts must be between 1 and 100, got " + maxAttempts);
        }
        if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
            throw new InvalidInputException("the retry backoff must be positive and no longer than its cap");
        }
    }

    /** Whether a message that has failed {@code attempts} times should be given up. */
    public boolean exhausted(int attempts) {
        return attempts >= maxAttempts;
    }

    /** The wait before the next attempt after the {@code attempts}-th failure. */
    public Duration backoff(int attempts) {
        int doublings = Math.max(0, Math.min(attempts - 1, 30));
        Duration wait = base.multipliedBy(1L << doublings);
        return wait.compareTo(cap) > 0 ? cap : wait;
    }
}
