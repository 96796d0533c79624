package org.schedctl.domain.booking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;

class BookingLifecycleTest {
    private static final String REF = "ABCD2345";
    private static final Instant START = Instant.parse("2027-03-15T14:00:00Z");
    private static final Instant BEFORE_START = START.minusSeconds(3600);
    private static final Instant AFTER_START = START.plusSeconds(60);

    /** The whole legal table, written out by hand: from, action, confirmation required, now, expected. */
    @ParameterizedTest(name = "{0} --{1} (confirmation required {2}, {3})--> {4}")
    @CsvSource({
            "held,      BOOK,       false, before, confirmed",
            "held,      BOOK,       true,  before, pending",
            "held,      EXPIRE,     false, before, cancelled",
            "pending,   CONFIRM,    false, before, confirmed",
            "pending,   DECLINE,    false, before, declined",
            "pending,   CANCEL,     false, before, cancelled",
            "pending,   CANCEL,     false, after,  cancelled",
            "pending,   RESCHEDULE, false, before, pending",
            "pending,   RESCHEDULE, true,  before, pending",
            "confirmed, CANCEL,     false, before, cancelled",
            "confirmed, CANCEL,     false, after,  cancelled",
            "confirmed, RESCHEDULE, false, before, confirmed",
            "confirmed, RESCHEDULE, true,  before, pending",
            "confirmed, COMPLETE,   false, after,  completed",
            "confirmed, COMPLETE,   false, start,  completed",
            "confirmed, NO_SHOW,    false, after,  no_show",
            "confirmed, NO_SHOW,    false, start,  no_show",
    })
    void legalTransitions(String from, Action action, boolean confirmationRequired, String when, String expected) {
        AppointmentStatus next = BookingLifecycle.next(REF, AppointmentStatus.fromDb(from), action,
                new BookingLifecycle.Context(confirmationRequired, START, now(when)));
        assertEquals(AppointmentStatus.fromDb(expected), next);
    }

    static Stream<Arguments> illegalPairs() {
        Map<AppointmentStatus, Set<Action>> legal = new HashMap<>();
        legal.put(AppointmentStatus.HELD, EnumSet.of(Action.BOOK, Action.EXPIRE));
        legal.put(AppointmentStatus.PENDING, EnumSet.of(Action.CONFIRM, Action.DECLINE, Action.CANCEL, Action.RESCHEDULE));
        legal.put(AppointmentStatus.CONFIRMED, EnumSet.of(Action.CANCEL, Action.RESCHEDULE, Action.COMPLETE, Action.NO_SHOW));
        List<Arguments> pairs = new ArrayList<>();
        for (AppointmentStatus status : AppointmentStatus.values()) {
            for (Action action : Action.values()) {
                if (action != Action.HOLD && !legal.getOrDefault(status, Set.of()).contains(action)) {
                    pairs.add(Arguments.of(status, action));
                }
            }
        }
        return pairs.stream();
    }

    @ParameterizedTest(name = "{0} refuses {1}")
    @MethodSource("illegalPairs")
    void illegalTransitionsAreConflictsNamingTheState(AppointmentStatus from, Action action) {
        for (Instant now : List.of(BEFORE_START, AFTER_START)) {
            ConflictException e = assertThrows(ConflictException.class, () -> BookingLifecycle.next(REF, from, action,
                    new BookingLifecycle.Context(false, START, now)));
            assertTrue(e.getMessage().startsWith("appointment ABCD2345 is "), e.getMessage());
            assertTrue(e.getMessage().contains(" " + from.dbValue()), e.getMessage());
        }
    }

    @Test
    void illegalMessageSaysWhichStatesWouldDo() {
        ConflictException e = assertThrows(ConflictException.class, () -> BookingLifecycle.next(REF,
                AppointmentStatus.COMPLETED, Action.CANCEL, new BookingLifecycle.Context(false, START, AFTER_START)));
        assertEquals("appointment ABCD2345 is completed; only pending or confirmed appointments can be cancelled", e.getMessage());
    }

    @Test
    void repeatingAnActionSaysItIsAlreadyDone() {
        ConflictException e = assertThrows(ConflictException.class, () -> BookingLifecycle.next(REF,
                AppointmentStatus.CONFIRMED, Action.CONFIRM, new BookingLifecycle.Context(false, START, BEFORE_START)));
        assertEquals("appointment ABCD2345 is already confirmed. Nothing to do", e.getMessage());
    }

    @Test
    void completeAndNoShowWaitForTheStart() {
        for (Action action : List.of(Action.COMPLETE, Action.NO_SHOW)) {
            ConflictException e = assertThrows(ConflictException.class, () -> BookingLifecycle.next(REF,
                    AppointmentStatus.CONFIRMED, action, new BookingLifecycle.Context(false, START, START.minusNanos(1))));
            assertTrue(e.getMessage().contains("only once it has started"), e.getMessage());
        }
    }

    @Test
    void aStartedSessionCannotBeRescheduled() {
        ConflictException e = assertThrows(ConflictException.class, () -> BookingLifecycle.next(REF,
                AppointmentStatus.CONFIRMED, Action.RESCHEDULE, new BookingLifecycle.Context(false, START, START)));
        assertTrue(e.getMessage().contains("can no longer be rescheduled"), e.getMessage());
    }

    @Test
    void newAppointments() {
        assertEquals(AppointmentStatus.HELD, BookingLifecycle.initialStatus(Action.HOLD, true));
        assertEquals(AppointmentStatus.CONFIRMED, BookingLifecycle.initialStatus(Action.BOOK, false));
        assertEquals(AppointmentStatus.PENDING, BookingLifecycle.initialStatus(Action.BOOK, true));
        assertThrows(IllegalArgumentException.class, () -> BookingLifecycle.initialStatus(Action.CANCEL, false));
        assertThrows(IllegalArgumentException.class, () -> BookingLifecycle.next(REF, AppointmentStatus.HELD, Action.HOLD,
                new BookingLifecycle.Context(false, START, BEFORE_START)));
    }

    /** successors() feeds the database trigger, so it must be exactly what the state machine can produce. */
    @Test
    void successorsMatchTheStateMachine() {
        for (AppointmentStatus from : AppointmentStatus.values()) {
            Set<AppointmentStatus> reached = EnumSet.noneOf(AppointmentStatus.class);
            for (Action action : Action.values()) {
                if (action == Action.HOLD || !BookingLifecycle.legalFrom(action).contains(from)) {
                    continue;
                }
                for (boolean confirmation : new boolean[] {false, true}) {
                    for (Instant now : List.of(BEFORE_START, AFTER_START)) {
                        try {
                            reached.add(BookingLifecycle.next(REF, from, action, new BookingLifecycle.Context(confirmation, START, now)));
                        } catch (ConflictException timeRule) {
                            // the other instant of the pair satisfies the time rule
                        }
                    }
                }
            }
            assertEquals(from.successors(), reached, "successors of " + from);
        }
    }

    @Test
    void activeAndTerminalStatuses() {
        assertEquals(EnumSet.of(AppointmentStatus.HELD, AppointmentStatus.PENDING, AppointmentStatus.CONFIRMED), AppointmentStatus.ACTIVE);
        assertEquals(EnumSet.of(AppointmentStatus.COMPLETED, AppointmentStatus.CANCELLED, AppointmentStatus.DECLINED, AppointmentStatus.NO_SHOW),
                EnumSet.copyOf(Stream.of(AppointmentStatus.values()).filter(AppointmentStatus::isTerminal).toList()));
        assertThrows(UnsupportedOperationException.class, () -> AppointmentStatus.ACTIVE.add(AppointmentStatus.COMPLETED));
    }

    @Test
    void databaseSpelling() {
        assertEquals("no_show", AppointmentStatus.NO_SHOW.dbValue());
        assertEquals("no_show", Action.NO_SHOW.dbValue());
        assertEquals(AppointmentStatus.NO_SHOW, AppointmentStatus.fromDb("no-show"));
        assertEquals(AppointmentStatus.CANCELLED, AppointmentStatus.fromDb(" Cancelled "));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> AppointmentStatus.fromDb("canceled"));
        assertEquals("unknown appointment status 'canceled'. Use one of held, pending, confirmed, completed, cancelled, declined, no_show",
                e.getMessage());
    }

    private static Instant now(String when) {
        return switch (when) {
            case "before" -> BEFORE_START;
            case "after" -> AFTER_START;
            case "start" -> START;
            default -> throw new IllegalArgumentException(when);
        };
    }
}
