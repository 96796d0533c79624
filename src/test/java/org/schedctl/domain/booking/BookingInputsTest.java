package org.schedctl.domain.booking;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;

class BookingInputsTest {
    private static final Instant AT = Instant.parse("2027-03-15T14:00:00Z");

    @Test
    void idempotencyKeys() {
        assertEquals("3f2a-9c1e", IdempotencyKey.parse("3f2a-9c1e").value());
        assertDoesNotThrow(() -> IdempotencyKey.parse("k".repeat(200)));
        for (String bad : new String[] {"", "has space", "k".repeat(201), "tab\there", "café"}) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> IdempotencyKey.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("bad idempotency key"), e.getMessage());
            assertTrue(e.getMessage().length() < 200, "an overlong key is shortened in the message");
        }
        assertThrows(InvalidInputException.class, () -> IdempotencyKey.parse(null));
    }

    @Test
    void replayWithTheSameRequestIsAllowedAndADifferentOneIsAConflict() {
        IdempotencyKey key = IdempotencyKey.parse("retry-1");
        BookingRequest first = new BookingRequest(1, 2, 3, AT);
        assertDoesNotThrow(() -> key.checkReplay("ABCD2345", first, new BookingRequest(1, 2, 3, AT)));
        ConflictException e = assertThrows(ConflictException.class,
                () -> key.checkReplay("ABCD2345", first, new BookingRequest(1, 2, 3, AT.plusSeconds(1800))));
        assertEquals("idempotency key 'retry-1' was already used for booking ABCD2345 with different details. "
                + "Use a new key for a new booking", e.getMessage());
    }

    @Test
    void bookingRequests() {
        assertThrows(InvalidInputException.class, () -> new BookingRequest(7, 2, 7, AT));
        BookingRequest request = new BookingRequest(1, 2, 3, AT);
        assertDoesNotThrow(() -> request.requireFuture(AT.minusNanos(1)));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> request.requireFuture(AT));
        assertEquals("the time 2027-03-15T14:00:00Z is in the past (now is 2027-03-15T14:00:00Z). Pick a future time", e.getMessage());
    }

    @Test
    void holdDurations() {
        assertEquals(Duration.ofMinutes(10), BookingInputs.holdDuration(null));
        assertEquals(Duration.ofMinutes(15), BookingInputs.holdDuration("15m"));
        assertEquals(Duration.ofMinutes(1), BookingInputs.holdDuration("1m"));
        assertEquals(Duration.ofHours(24), BookingInputs.holdDuration("1d"));
        assertThrows(InvalidInputException.class, () -> BookingInputs.holdDuration("30s"));
        assertThrows(InvalidInputException.class, () -> BookingInputs.holdDuration("25h"));
        assertThrows(InvalidInputException.class, () -> BookingInputs.holdDuration("soon"));
    }

    @Test
    void ratingsAndText() {
        assertNull(BookingInputs.rating(null));
        assertEquals(5, BookingInputs.rating(5));
        assertThrows(InvalidInputException.class, () -> BookingInputs.rating(0));
        assertThrows(InvalidInputException.class, () -> BookingInputs.rating(6));
        assertNull(BookingInputs.text("notes", "   ", 10));
        assertEquals("bring the score", BookingInputs.text("notes", "  bring the score ", 20));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> BookingInputs.text("reason", "x".repeat(11), 10));
        assertEquals("reason is 11 characters long. Keep it to 10", e.getMessage());
    }
}
