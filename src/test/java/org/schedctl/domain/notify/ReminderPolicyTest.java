package org.schedctl.domain.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.schedctl.domain.InvalidInputException;

class ReminderPolicyTest {
    @Test
    void parsesSortsLongestFirstAndDropsRepeats() {
        ReminderPolicy policy = ReminderPolicy.parse("15m, 24h,1h,15m");
        assertEquals(List.of(Duration.ofHours(24), Duration.ofHours(1), Duration.ofMinutes(15)), policy.offsets());
        assertEquals("1d,1h,15m", policy.toString());
    }

    @Test
    void emptyTextMeansNoReminders() {
        assertTrue(ReminderPolicy.parse("").offsets().isEmpty());
        assertTrue(ReminderPolicy.parse(null).offsets().isEmpty());
    }

    @Test
    void rejectsZeroAndMalformedOffsets() {
        assertThrows(InvalidInputException.class, () -> ReminderPolicy.parse("0m"));
        assertThrows(InvalidInputException.class, () -> ReminderPolicy.parse("24h,soon"));
        assertThrows(InvalidInputException.class, () -> ReminderPolicy.parse("61d"));
    }

    @Test
    void instructorOffsetsWinWhenTheyChoseAnyEvenNone() {
        ReminderPolicy school = ReminderPolicy.parse("24h,1h");
        assertEquals(List.of(Duration.ofMinutes(30)), school.orInstructor(List.of(Duration.ofMinutes(30))).offsets());
        assertTrue(school.orInstructor(List.of()).offsets().isEmpty(), "an empty choice means no reminders");
        assertEquals(school, school.orInstructor(null));
    }

    @Test
    void noneMeansNoRemindersAndTheSqlFormIsWholeSeconds() {
        assertTrue(ReminderPolicy.parse("none").offsets().isEmpty());
        assertEquals("{}", ReminderPolicy.parse("none").toSqlArray());
        assertEquals("{\"7200 seconds\",\"600 seconds\"}", ReminderPolicy.parse("10m,2h").toSqlArray());
    }

    @Test
    void dueTimesSkipReminderMomentsAlreadyPast() {
        Instant start = Instant.parse("2027-03-15T14:00:00Z");
        ReminderPolicy policy = ReminderPolicy.parse("24h,1h,15m");
        assertEquals(List.of(Instant.parse("2027-03-15T13:00:00Z"), Instant.parse("2027-03-15T13:45:00Z")),
                policy.dueTimes(start, Instant.parse("2027-03-15T10:00:00Z")));
        assertTrue(policy.dueTimes(start, Instant.parse("2027-03-15T13:50:00Z")).isEmpty());
    }
}
