package org.schedctl.domain.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.schedctl.domain.InvalidInputException;

class RetryPolicyTest {
    @Test
    void backoffDoublesUpToTheCap() {
        RetryPolicy policy = new RetryPolicy(5, Duration.ofMinutes(1), Duration.ofMinutes(5));
        assertEquals(Duration.ofMinutes(1), policy.backoff(1));
        assertEquals(Duration.ofMinutes(2), policy.backoff(2));
        assertEquals(Duration.ofMinutes(4), policy.backoff(3));
        assertEquals(Duration.ofMinutes(5), policy.backoff(4));
        assertEquals(Duration.ofMinutes(5), policy.backoff(60));
    }

    @Test
    void exhaustedAfterMaxAttempts() {
        RetryPolicy policy = new RetryPolicy(3, Duration.ofSeconds(10), Duration.ofHours(1));
        assertFalse(policy.exhausted(2));
        assertTrue(policy.exhausted(3));
    }

    @Test
    void rejectsNonsense() {
        assertThrows(InvalidInputException.class, () -> new RetryPolicy(0, Duration.ofMinutes(1), Duration.ofHours(1)));
        assertThrows(InvalidInputException.class, () -> new RetryPolicy(3, Duration.ZERO, Duration.ofHours(1)));
    }

    @Test
    void statusParsingNamesTheChoices() {
        assertEquals(NotificationStatus.dead, NotificationStatus.parse(" DEAD "));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> NotificationStatus.parse("gone"));
        assertTrue(e.getMessage().contains("pending, sending, sent"), e.getMessage());
    }
}
