package org.schedctl.domain.booking;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;

class ReschedulePolicyTest {
    private static final Instant START = Instant.parse("2027-11-07T15:00:00Z");

    /** Policy, reschedules so far, time left before the current start, and the expected outcome. */
    @ParameterizedTest(name = "{0} with {1} done, {2} before start -> {3}")
    @CsvSource(delimiter = '|', value = {
            "any               | 0  | PT1M    | ok",
            "any               | 50 | PT1M    | ok",
            "none              | 0  | PT720H  | does not allow it",
            "max=2             | 0  | PT1M    | ok",
            "max=2             | 1  | PT1M    | ok",
            "max=2             | 2  | PT720H  | has already been rescheduled 2 times, the most its type allows (max=2)",
            "max=1             | 1  | PT720H  | has already been rescheduled 1 time, the most its type allows (max=1)",
            "notice>=24h       | 9  | PT24H   | ok",
            "notice>=24h       | 0  | PT23H59M | starts in 23h59m, but rescheduling needs at least 24h notice",
            "notice>=24h       | 0  | -PT1H   | has already started, but rescheduling needs at least 24h notice",
            "max=2,notice>=24h | 1  | PT48H   | ok",
            "max=2,notice>=24h | 2  | PT48H   | the most its type allows (max=2)",
            "max=2,notice>=24h | 1  | PT5H30M | starts in 5h30m, but rescheduling needs at least 24h notice",
    })
    void decisions(String policy, int done, String beforeStart, String outcome) {
        ReschedulePolicy parsed = ReschedulePolicy.parse(policy);
        Instant now = START.minus(Duration.parse(beforeStart));
        if (outcome.equals("ok")) {
            assertDoesNotThrow(() -> parsed.check("ABCD2345", done, START, now));
        } else {
            ConflictException e = assertThrows(ConflictException.class, () -> parsed.check("ABCD2345", done, START, now));
            assertTrue(e.getMessage().startsWith("appointment ABCD2345 "), e.getMessage());
            assertTrue(e.getMessage().contains(outcome), e.getMessage());
        }
    }

    @ParameterizedTest(name = "''{0}'' prints as {1}")
    @CsvSource(delimiter = '|', value = {
            "ANY                    | any",
            "None                   | none",
            "max=2,notice>=24h      | max=2,notice>=24h",
            " notice >= 1d , MAX=3  | max=3,notice>=24h",
            "notice>=PT90M          | notice>=1h30m",
            "max=5                  | max=5",
    })
    void canonicalForm(String text, String canonical) {
        ReschedulePolicy policy = ReschedulePolicy.parse(text);
        assertEquals(canonical, policy.toString());
        assertEquals(policy, ReschedulePolicy.parse(canonical));
    }

    @ParameterizedTest(name = "''{0}'' is refused: {1}")
    @CsvSource(delimiter = '|', value = {
            "''                   | empty reschedule policy",
            "max=0                | max=0 in reschedule policy 'max=0' would forbid rescheduling. Write none for that",
            "max=-1               | bad rule 'max=-1'",
            "max=2,max=3          | max appears twice in reschedule policy 'max=2,max=3'. Give it once",
            "notice>=1h,notice>=2h | notice appears twice",
            "notice>=soon         | bad notice 'soon' in reschedule policy 'notice>=soon'",
            "notice=24h           | bad rule 'notice=24h'",
            "max=2,               | bad rule ''",
            "any,max=2            | bad rule 'any'",
            "limit=2              | bad rule 'limit=2'",
    })
    void invalidPolicies(String text, String messagePart) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ReschedulePolicy.parse(text));
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }

    @Test
    void accessorsAndDefaults() {
        ReschedulePolicy policy = ReschedulePolicy.parse("max=2,notice>=24h");
        assertEquals(OptionalInt.of(2), policy.maxReschedules());
        assertEquals(Duration.ofHours(24), policy.minNotice().orElseThrow());
        assertTrue(policy.allowed());
        assertEquals(ReschedulePolicy.ANY, ReschedulePolicy.parseOrAny(null));
        assertEquals(false, ReschedulePolicy.NONE.allowed());
    }
}
