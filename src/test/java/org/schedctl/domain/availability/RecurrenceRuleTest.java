package org.schedctl.domain.availability;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.schedctl.domain.InvalidInputException;

/** Issue 13: rule parts RFC 5545 forbids are input errors naming the part, not a silent single occurrence. */
class RecurrenceRuleTest {
    private static void refused(String rule, String part) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> RecurrenceRule.parse(rule), rule);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void forbiddenPartsAreRefusedByName() {
        refused("FREQ=WEEKLY;BYDAY=2TU;COUNT=5", "BYDAY with a number ('2TU') is not allowed with FREQ=WEEKLY");
        refused("FREQ=DAILY;BYWEEKNO=20;COUNT=5", "BYWEEKNO is only allowed with FREQ=YEARLY");
        refused("FREQ=WEEKLY;BYMONTHDAY=1;COUNT=5", "BYMONTHDAY is not allowed with FREQ=WEEKLY");
        refused("FREQ=MONTHLY;BYYEARDAY=1;COUNT=5", "BYYEARDAY is not allowed with FREQ=MONTHLY");
        refused("FREQ=MONTHLY;BYSETPOS=-1;COUNT=5", "BYSETPOS needs another BYxxx part");
    }

    @Test
    void theAllowedFormsStillParse() {
        RecurrenceRule.parse("FREQ=MONTHLY;BYDAY=2TU;COUNT=5");
        RecurrenceRule.parse("FREQ=YEARLY;BYWEEKNO=20;COUNT=5");
        RecurrenceRule.parse("FREQ=MONTHLY;BYMONTHDAY=1;COUNT=5");
        RecurrenceRule.parse("FREQ=YEARLY;BYYEARDAY=1;COUNT=5");
        RecurrenceRule.parse("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=5");
        RecurrenceRule.parse("FREQ=WEEKLY;BYDAY=TU,TH;COUNT=5");
    }
}
