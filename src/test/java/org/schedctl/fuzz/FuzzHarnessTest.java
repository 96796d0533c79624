package org.schedctl.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.schedctl.domain.InvalidInputException;

/** The harness itself: it catches what it promises to catch, and replays the same inputs for the same seed. */
class FuzzHarnessTest {
    @Test
    void anUnexpectedExceptionFailsNamingSeedAndInput() {
        FuzzHarness fuzz = FuzzHarness.seeded(7L, Duration.ofMillis(500));
        AssertionError e = assertThrows(AssertionError.class,
                () -> fuzz.run("parseInt", 200, fuzz.strings(List.of("12", "-3")), s -> Integer.parseInt(s)));
        assertTrue(e.getMessage().contains("NumberFormatException") && e.getMessage().contains("seed 7"), e.getMessage());
    }

    @Test
    void aHangFailsInsteadOfBlockingTheBuild() {
        FuzzHarness fuzz = FuzzHarness.seeded(7L, Duration.ofMillis(20));
        AssertionError e = assertThrows(AssertionError.class, () -> fuzz.run("hang", 3, r -> "x", s -> {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.onSpinWait();
            }
        }));
        assertTrue(e.getMessage().contains("no answer within"), e.getMessage());
    }

    @Test
    void multiLineMessagesAreAllowedButEmptyOnesAreNot() {
        FuzzHarness fuzz = FuzzHarness.seeded(7L, Duration.ofMillis(500));
        fuzz.run("refuses", 10, r -> "x", s -> {
            throw new InvalidInputException("bad input. Fix it");
        });
        assertThrows(AssertionError.class, () -> fuzz.run("blank", 1, r -> "x", s -> {
            throw new InvalidInputException(" ");
        }));
    }

    @Test
    void theSameSeedGivesTheSameInputs() {
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        FuzzHarness a = FuzzHarness.seeded(42L, Duration.ofSeconds(1));
        FuzzHarness b = FuzzHarness.seeded(42L, Duration.ofSeconds(1));
        a.run("collect", 50, a.strings(List.of("2h")), first::add);
        b.run("collect", 50, b.strings(List.of("2h")), second::add);
        assertEquals(first, second);
    }
}
