package org.schedctl.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TextTest {
    @ParameterizedTest
    @ValueSource(strings = {"ada", "ada@", "@example.org", "a b@example.org", "ada@example", "ada@@example.org",
            "ada@example..org", "ada\n@example.org", "ada.@example.org"})
    void malformedEmailsAreRefused(String email) {
        assertThrows(InvalidInputException.class, () -> Text.email(email));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "0", "-3", "1.5", "x1", "12345678901234567890", "7\u001b[2J"})
    void idsArePositiveWholeNumbers(String text) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Text.positiveId(text, "hold id", "See the list"));
        assertEquals(-1, e.getMessage().indexOf('\u001b'), "control characters are escaped: " + e.getMessage());
        assertEquals(true, e.getMessage().startsWith("hold id '") && e.getMessage().endsWith("is not a positive whole number. See the list"),
                e.getMessage());
    }

    @Test
    void idsAreTrimmed() {
        assertEquals(42L, Text.positiveId(" 42 ", "hold id", ""));
    }

    @Test
    void emailsAreTrimmedAndKept() {
        assertEquals("Ada.Lovelace+x@example.org", Text.email(" Ada.Lovelace+x@example.org "));
    }

    @Test
    void slugsComeFromNames() {
        assertEquals("intro-lesson-60", Text.slugify("Intro Lesson (60')"));
        assertEquals("uberstunde", Text.slugify("Überstunde"));
        assertThrows(InvalidInputException.class, () -> Text.slugify("!!!"));
        assertThrows(InvalidInputException.class, () -> Text.slug("123"));
        assertThrows(InvalidInputException.class, () -> Text.slug("Bad Slug"));
    }

    @Test
    void namesAreOneLine() {
        assertThrows(InvalidInputException.class, () -> Text.line("Ada\r\nInjected: yes", "name", 200));
        assertThrows(InvalidInputException.class, () -> Text.line("x".repeat(201), "name", 200));
        assertEquals("Robert'); DROP TABLE users;--", Text.line("Robert'); DROP TABLE users;--", "name", 200));
    }

    @Test
    void zonesMustBeIana() {
        assertEquals("America/New_York", Zones.parse("America/New_York").getId());
        assertThrows(InvalidInputException.class, () -> Zones.parse("EST"));
        assertThrows(InvalidInputException.class, () -> Zones.parse("Mars/Olympus"));
        assertThrows(InvalidInputException.class, () -> Zones.parse("+02:00"));
    }
}
