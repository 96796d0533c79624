package org.schedctl.domain.booking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.schedctl.domain.InvalidInputException;

class BookingReferenceTest {

    @ParameterizedTest(name = "''{0}'' -> {1}")
    @CsvSource(delimiter = '|', value = {
            "ABCD2345      | ABCD2345",
            "abcd2345      | ABCD2345",
            "abc-23456     | ABC23456",
            "' abcd 2345 ' | ABCD2345",
            "Zz99-9988     | ZZ999988",
            "hjkm-npqr     | HJKMNPQR",
    })
    void normalises(String input, String canonical) {
        assertEquals(canonical, BookingReference.parse(input).value());
    }

    @ParameterizedTest(name = "''{0}'' is refused: {1}")
    @CsvSource(delimiter = '|', value = {
            "ABCD0345  | booking reference 'ABCD0345' contains '0', which references never use (they have no 0, O, 1 or I). Check the reference for a typo",
            "abco2345  | contains 'O', which references never use",
            "ABC12345  | contains '1', which references never use",
            "ABCI2345  | contains 'I', which references never use",
            "ABCD#345  | contains '#', which is not a letter or digit of a reference",
            "ABCD234   | booking reference 'ABCD234' has 7 characters, but references have 8, e.g. ABCD2345. Check the reference for a typo",
            "ABCD23456 | has 9 characters",
            "''        | missing booking reference",
    })
    void refuses(String input, String messagePart) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> BookingReference.parse(input));
        assertEquals(true, e.getMessage().contains(messagePart), e.getMessage());
    }

    @Test
    void theRecordItselfHoldsOnlyCanonicalValues() {
        assertThrows(IllegalArgumentException.class, () -> new BookingReference("abcd2345"));
        assertEquals("ABCD2345", new BookingReference("ABCD2345").toString());
    }

    /** Mirrors the database: CHECK (reference ~ '^[A-HJ-NP-Z2-9]{8}$'). */
    @Test
    void alphabetIsTheDatabaseOne() {
        assertEquals(32, BookingReference.ALPHABET.length());
        assertEquals(true, BookingReference.ALPHABET.matches("[A-HJ-NP-Z2-9]{32}"));
        assertEquals(32, BookingReference.ALPHABET.chars().distinct().count());
    }
}
