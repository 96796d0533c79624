package org.schedctl.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class CsvCellsTest {
    @Test
    void formulaTriggersAreGuarded() {
        assertEquals("'=1+2", CsvCells.guard("=1+2"));
        assertEquals("'+SUM(A1)", CsvCells.guard("+SUM(A1)"));
        assertEquals("'-2+3", CsvCells.guard("-2+3"));
        assertEquals("'@cmd", CsvCells.guard("@cmd"));
        assertEquals("'\tx", CsvCells.guard("\tx"));
        assertEquals("'\rx", CsvCells.guard("\rx"));
        assertEquals("''=x", CsvCells.guard("'=x"), "an apostrophe before a trigger is guarded too, so unguard is exact");
    }

    @Test
    void ordinaryCellsAndNumbersAreLeftAlone() {
        for (String cell : List.of("plain", "a@school.test", "2030-01-07T10:00:00Z", "-5", "+1.5", "42", "'tis", "x=1", "")) {
            assertEquals(cell, CsvCells.guard(cell));
            assertEquals(cell, CsvCells.unguard(cell));
        }
        assertNull(CsvCells.guard(null));
        assertNull(CsvCells.unguard(null));
    }

    @Test
    void unguardInvertsGuardForEveryValue() {
        char[] alphabet = {'=', '+', '-', '@', '\t', '\r', '\'', 'a', '1', ' ', '.'};
        Random random = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int n = random.nextInt(6); n > 0; n--) {
                sb.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String value = sb.toString();
            String guarded = CsvCells.guard(value);
            assertEquals(value, CsvCells.unguard(guarded), "round trip of [" + value + "]");
            if (!guarded.isEmpty() && "=+-@\t\r".indexOf(guarded.charAt(0)) >= 0) {
                assertEquals(true, guarded.matches("[+-]?[0-9]+(\\.[0-9]+)?"), "unguarded formula trigger in [" + guarded + "]");
            }
        }
    }
}
