package org.schedctl.domain.booking;

import static org.schedctl.domain.booking.AppointmentStatus.CANCELLED;
import static org.schedctl.domain.booking.AppointmentStatus.COMPLETED;
import static org.schedctl.domain.booking.AppointmentStatus.CONFIRMED;
import static org.schedctl.domain.booking.AppointmentStatus.DECLINED;
import static org.schedctl.domain.booking.AppointmentStatus.HELD;
import static org.schedctl.domain.booking.AppointmentStatus.NO_SHOW;
import static org.schedctl.domain.booking.AppointmentStatus.PENDING;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.schedctl.domain.ConflictException;

/**
 * The appointment state machine.
 *
 * <pre>
 * (new)      HOLD -> held;  BOOK -> pending if confirmation is required, else confirmed
 * held       BOOK -> pending|confirmed (as above);  EXPIRE -> cancelled
 * pending    CONFIRM -> confirmed;  DECLINE -> declined;  CANCEL -> cancelled;  RESCHEDULE -> pending
 * confirmed  COMPLETE -> completed;  NO_SHOW -> no_show;  CANCEL -> cancelled;
 *            RESCHEDULE -> confirmed, or pending if confirmation is required
 * completed, cancelled, declined, no_show: terminal
 * </pre>
 *
 * Time rules: COMPLETE and NO_SHOW need the session to have started (now >= start), since neither can be known
 * before; RESCHEDULE needs it not to have started, since a session under way can only be completed or missed.
 * CANCEL is allowed at any time while pending or confirmed; a late cancellation is priced by the fee policy.
 * A hold is released by EXPIRE only: the operator lets it lapse or books it.
 */
public final class BookingLifecycle {

    /** What a transition needs beyond the current state: confirmation rule of the type/instructor, start, and now. */
    public record Context(boolean confirmationRequired, Instant start, Instant now) {
        public Context {
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(now, "now");
        }
    }

    private static final Map<Action, Set<AppointmentStatus>> LEGAL_FROM = new EnumMap<>(Action.class);

    static {
        LEGAL_FROM.put(Action.HOLD, EnumSet.noneOf(AppointmentStatus.class));
        LEGAL_FROM.put(Action.BOOK, EnumSet.of(HELD));
        LEGAL_FROM.put(Action.CONFIRM, EnumSet.of(PENDING));
        LEGAL_FROM.put(Action.DECLINE, EnumSet.of(PENDING));
        LEGAL_FROM.put(Action.CANCEL, EnumSet.of(PENDING, CONFIRMED));
        LEGAL_FROM.put(Action.RESCHEDULE, EnumSet.of(PENDING, CONFIRMED));
        LEGAL_FROM.put(Action.COMPLETE, EnumSet.of(CONFIRMED));
        LEGAL_FROM.put(Action.NO_SHOW, EnumSet.of(CONFIRMED));
        LEGAL_FROM.put(Action.EXPIRE, EnumSet.of(HELD));
    }

    private BookingLifecycle() {
    }

    /** The status of a new appointment row: a hold, or a direct booking. */
    public static AppointmentStatus initialStatus(Action action, boolean confirmationRequired) {
        return switch (action) {
            case HOLD -> HELD;
            case BOOK -> confirmationRequired ? PENDING : CONFIRMED;
            default -> throw new IllegalArgumentException(action + " does not create an appointment");
        };
    }

    /** The statuses from which an action is legal (ignoring the time rules). */
    public static Set<AppointmentStatus> legalFrom(Action action) {
        return Collections.unmodifiableSet(LEGAL_FROM.get(action));
    }

    /**
     * The status after applying {@code action} to an appointment in {@code current}.
     *
     * @throws ConflictException naming the current state when the action is not allowed now
     */
    public static AppointmentStatus next(String reference, AppointmentStatus current, Action action, Context context) {
        Set<AppointmentStatus> legal = LEGAL_FROM.get(action);
        if (legal.isEmpty()) {
            throw new IllegalArgumentException(action + " only creates appointments; use initialStatus");
        }
        if (!legal.contains(current)) {
            throw illegal(reference, current, action, legal);
        }
        boolean started = !context.now().isBefore(context.start());
        switch (action) {
            case COMPLETE, NO_SHOW -> {
                if (!started) {
                    throw new ConflictException("appointment " + reference + " starts at " + context.start()
                            + " and can be " + action.pastParticiple() + " only once it has started. Try again after the start");
                }
            }
            case RESCHEDULE -> {
                if (started) {
                    throw new ConflictException("appointment " + reference + " started at " + context.start()
                            + " and can no longer be rescheduled. Mark it completed or no-show, or cancel it");
                }
            }
            default -> {
            }
        }
        return switch (action) {
            case BOOK -> context.confirmationRequired() ? PENDING : CONFIRMED;
            case CONFIRM -> CONFIRMED;
            case DECLINE -> DECLINED;
            case CANCEL, EXPIRE -> CANCELLED;
            case RESCHEDULE -> current == PENDING || context.confirmationRequired() ? PENDING : CONFIRMED;
            case COMPLETE -> COMPLETED;
            case NO_SHOW -> AppointmentStatus.NO_SHOW;
            case HOLD -> throw new IllegalStateException("unreachable: HOLD has no source state");
        };
    }

    private static ConflictException illegal(String reference, AppointmentStatus current, Action action,
                                             Set<AppointmentStatus> legal) {
        String state = current.dbValue();
        if (isRepeat(current, action)) {
            return new ConflictException("appointment " + reference + " is already " + state + ". Nothing to do");
        }
        String sources = legal.stream().map(AppointmentStatus::dbValue).collect(Collectors.joining(" or "));
        return new ConflictException("appointment " + reference + " is " + state + "; only " + sources
                + " appointments can be " + action.pastParticiple());
    }

    private static boolean isRepeat(AppointmentStatus current, Action action) {
        return (action == Action.CONFIRM && current == CONFIRMED)
                || (action == Action.DECLINE && current == DECLINED)
                || (action == Action.CANCEL && current == CANCELLED)
                || (action == Action.COMPLETE && current == COMPLETED)
                || (action == Action.NO_SHOW && current == NO_SHOW);
    }
}
