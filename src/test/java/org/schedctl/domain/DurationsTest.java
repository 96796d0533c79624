package org.schedctl.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @ParameterizedTest
    @CsvSource({"90m,90", "2h,120", "1d,1440", "1h30m,90", "PT1H30M,90", "pt45m,45", "0m,0", "1d2h3m,1563"})
    void parsesTheCliForms(String text, long minutes) {
        assertEquals(Duration.ofMinutes(minutes), Durations.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-5m", "5", "m", "1x", "", "1h 30m", "PT-1H", "90mm", "h1"})
    void refusesEverythingElse(String text) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Durations.parse(text));
        assertTrue(e.getMessage().contains("duration"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"90,1h30m", "45,45m", "1440,1d", "0,0m", "1563,1d2h3m"})
    void formatsCompactly(long minutes, String text) {
        assertEquals(text, Durations.format(Duration.ofMinutes(minutes)));
        assertEquals(Duration.ofMinutes(minutes), Durations.parse(text));
    }
}
