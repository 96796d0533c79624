package org.schedctl.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * How an instructor's slots and bookings behave; types may override buffers and notice windows. The reminder
 * offsets are the effective ones: the instructor's own, or the school's default when {@code remindersDefault}.
 */
public record InstructorSettings(long instructorId, boolean autoConfirm, Duration bufferBefore, Duration bufferAfter,
                                 Duration minNotice, Duration maxAdvance, Integer maxDaily, Integer maxConsecutive,
                                 List<Duration> reminderOffsets, boolean remindersDefault, List<String> channels, String meetingPlatform,
                                 String cancelPolicy, String reschedulePolicy, String bio, Instant updatedAt) {
    public static final List<String> CHANNELS = List.of("email", "sms", "push", "in_app", "webhook");
}
