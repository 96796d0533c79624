package org.schedctl.service;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;

import org.jdbi.v3.core.Handle;
import org.schedctl.domain.Checked;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.PermissionDeniedException;
import org.schedctl.domain.TimeInput;
import org.schedctl.domain.Zones;
import org.schedctl.domain.booking.Action;
import org.schedctl.domain.booking.AppointmentStatus;
import org.schedctl.domain.booking.BookingInputs;
import org.schedctl.domain.booking.BookingLifecycle;
import org.schedctl.domain.booking.BookingOutcome;
import org.schedctl.domain.booking.BookingReference;
import org.schedctl.domain.booking.CancellationPolicy;
import org.schedctl.domain.booking.FreedSlot;
import org.schedctl.domain.booking.ReschedulePolicy;
import org.schedctl.service.BookingRefusals.Refusal;
import org.schedctl.service.SlotSuggestions.SlotConflict;
import org.schedctl.service.SlotSuggestions.Target;
import org.schedctl.store.Database;
import org.schedctl.store.dao.AppointmentDao;
import org.schedctl.store.dao.AppointmentDao.AppointmentRow;
import org.schedctl.store.dao.AppointmentDao.CheckResult;
import org.schedctl.store.dao.AppointmentDao.ExpiredHold;

/**
 * An appointment's life after booking: confirm, decline, cancel, complete, no-show and reschedule. Each is one
 * transaction under the instructor's booking lock (which also sweeps lapsed holds); the state machine is
 * {@link BookingLifecycle}; slots a change frees go to {@link FreedSlots} after commit.
 */
public final class AppointmentLifecycleService {
    private final Database db;
    private final Clock clock;
    private final FreedSlots freedSlots;
    private final SlotSuggestions suggestions;

    public AppointmentLifecycleService(Database db, Clock clock, FreedSlots freedSlots, SlotSuggestions suggestions) {
        this.db = db;
        this.clock = clock;
        this.freedSlots = freedSlots;
        this.suggestions = suggestions;
    }

    public AppointmentView confirm(String reference) {
        return transition(reference, Action.CONFIRM, (handle, row, next, now) -> {
            handle.createUpdate("UPDATE appointments SET status = :s, confirmed_at = :now WHERE id = :id")
                    .bind("s", next.dbValue()).bind("now", now).bind("id", row.id()).execute();
            return new Effects(BookingRows.details(), new String[] {"confirmed"}, false);
        });
    }

    public AppointmentView decline(String reference, String reason) {
        String why = BookingInputs.text("--reason", reason, BookingInputs.MAX_REASON);
        return transition(reference, Action.DECLINE, (handle, row, next, now) -> {
            handle.createUpdate("""
                            UPDATE appointments SET status = :s, cancel_reason = :reason, cancelled_by = app_current_user_id(),
                                   cancelled_at = :now WHERE id = :id
                            """)
                    .bind("s", next.dbValue()).bind("reason", why).bind("now", now).bind("id", row.id()).execute();
            handle.attach(AppointmentDao.class).cancelOwedNotifications(row.id(), null);
            return new Effects(BookingRows.details("reason", why), new String[] {"declined"}, true);
        });
    }

    public AppointmentView cancel(String reference, String reason, boolean waiveFee) {
        String why = BookingInputs.text("--reason", reason, BookingInputs.MAX_REASON);
        return transition(reference, Action.CANCEL, cancelChange(why, waiveFee, true));
    }

    /**
     * Cancels several appointments (a series' occurrences) in one transaction, each by its own cancellation
     * policy, and sends ONE 'cancelled' message (on the first) whose note lists every date and the fees summed;
     * {@code also} runs last in the same transaction. Returns the cancelled appointments.
     */
    public List<AppointmentView> cancelAll(List<String> references, String reason, boolean waiveFee, String heading,
                                           java.util.function.Consumer<Handle> also) {
        String why = BookingInputs.text("--reason", reason, BookingInputs.MAX_REASON);
        Instant now = clock.instant();
        List<FreedSlot> freed = new ArrayList<>();
        List<AppointmentView> cancelled = db.inTransaction(handle -> {
            List<AppointmentView> views = new ArrayList<>();
            for (String reference : references) {
                views.add(transitionIn(handle, BookingReference.parse(reference), Action.CANCEL,
                        cancelChange(why, waiveFee, false), now, freed));
            }
            if (!views.isEmpty()) {
                StringBuilder note = new StringBuilder(heading).append('\n');
                BigDecimal total = BigDecimal.ZERO;
                for (AppointmentView v : views) {
                    note.append(BookingRows.format(v.start(), Zones.parse(v.timezone()))).append(' ').append(v.reference()).append('\n');
                    total = v.fee() == null ? total : total.add(v.fee());
                }
                if (views.get(0).currency() != null) {
                    note.append("Cancellation fees: ").append(total.toPlainString()).append(' ').append(views.get(0).currency());
                }
                if (why != null) {
                    note.append("\nReason: ").append(why);
                }
                handle.createQuery("SELECT enqueue_appointment_notification_kinds(a.id, ARRAY['cancelled'], :now, :note) "
                                + "FROM appointments a WHERE a.reference = :ref")
                        .bind("now", now).bind("note", note.toString().strip()).bind("ref", views.get(0).reference())
                        .mapTo(Integer.class).one();
            }
            also.accept(handle);
            return views;
        });
        freedSlots.offerAfterCommit(freed, now);
        return cancelled;
    }

    private static Change cancelChange(String why, boolean waiveFee, boolean notify) {
        return (handle, row, next, now) -> {
            CancellationPolicy policy = CancellationPolicy.parseOrFree(row.cancelPolicy());
            BigDecimal fee = null;
            String tier = null;
            if (row.price() != null && row.currency() != null) {
                CancellationPolicy.Fee computed = policy.evaluate(row.price(), Currency.getInstance(row.currency()),
                        row.startsAt(), now, waiveFee);
                fee = computed.amount();
                tier = computed.tier().toString();
            }
            handle.createUpdate("""
                            UPDATE appointments SET status = :s, fee = :fee, fee_waived = :waived, cancel_reason = :reason,
                                   cancelled_by = app_current_user_id(), cancelled_at = :now WHERE id = :id
                            """)
                    .bind("s", next.dbValue()).bind("fee", fee).bind("waived", waiveFee).bind("reason", why)
                    .bind("now", now).bind("id", row.id()).execute();
            handle.attach(AppointmentDao.class).cancelOwedNotifications(row.id(), null);
            return new Effects(BookingRows.details("reason", why, "fee", fee == null ? null : fee.toPlainString(),
                    "policy", policy.toString(), "tier", tier, "waived", waiveFee), notify ? new String[] {"cancelled"} : new String[0], true);
        };
    }

    public AppointmentView complete(String reference, String notes, Integer rating) {
        String text = BookingInputs.text("--notes", notes, BookingInputs.MAX_NOTES);
        Integer stars = BookingInputs.rating(rating);
        return transition(reference, Action.COMPLETE, (handle, row, next, now) -> {
            handle.createUpdate("""
                            UPDATE appointments SET status = :s, instructor_notes = coalesce(:notes, instructor_notes),
                                   rating = coalesce(:rating, rating), completed_at = :now WHERE id = :id
                            """)
                    .bind("s", next.dbValue()).bind("notes", text).bind("rating", stars).bind("now", now)
                    .bind("id", row.id()).execute();
            handle.attach(AppointmentDao.class).cancelOwedNotifications(row.id(), null);
            return new Effects(BookingRows.details("rating", stars), new String[] {"completed"}, false);
        });
    }

    public AppointmentView noShow(String reference) {
        return transition(reference, Action.NO_SHOW, (handle, row, next, now) -> {
            handle.createUpdate("UPDATE appointments SET status = :s WHERE id = :id")
                    .bind("s", next.dbValue()).bind("id", row.id()).execute();
            handle.attach(AppointmentDao.class).cancelOwedNotifications(row.id(), null);
            return new Effects(BookingRows.details(), new String[] {"no_show"}, false);
        });
    }

    /**
     * Moves an appointment: re-checks the new time (ignoring its own old slot), keeps both times in the history.
     * {@code to} is read in {@code tz}, else in the appointment's zone.
     */
    public AppointmentView reschedule(String reference, TimeInput.Arg to, Checked<ZoneId> tz) {
        Instant now = clock.instant();
        BookingReference ref = BookingReference.parse(reference);
        try {
            return transition(ref.value(), Action.RESCHEDULE, (handle, row, next, when) -> {
                ReschedulePolicy.parseOrAny(row.reschedulePolicy()).check(row.reference(), row.rescheduleCount(),
                        row.startsAt(), when);
                ZoneId zone = tz != null ? tz.get() : Zones.parse(row.timezone());
                Instant newStart = to.in(zone);
                if (newStart.equals(row.startsAt())) {
                    throw new ConflictException("appointment " + row.reference() + " already starts at "
                            + BookingRows.format(newStart, zone) + ". Give a different --to");
                }
                if (!newStart.isAfter(when)) {
                    throw new InvalidInputException("the time " + BookingRows.format(newStart, zone) + " is in the past. Pick a future time");
                }
                Instant newEnd = newStart.plus(Duration.between(row.startsAt(), row.endsAt()));
                AppointmentDao dao = handle.attach(AppointmentDao.class);
                CheckResult check = dao.check(row.instructorId(), row.typeId(), newStart, newEnd, row.id(), when);
                if (!check.ok()) {
                    throw new SlotConflict((ConflictException) BookingRefusals.exception(Refusal.of(BookingOutcome.UNAVAILABLE)
                            .check("move " + row.reference(), check.message())),
                            new Target(row.instructorId(), row.typeId(), newStart, zone));
                }
                dao.move(row.id(), next.dbValue(), newStart, newEnd, row.capacity(), when);
                return new Effects(BookingRows.details("from_start", row.startsAt().toString(), "from_end", row.endsAt().toString(),
                        "to_start", newStart.toString(), "to_end", newEnd.toString()),
                        new String[] {"rescheduled"}, true);
            });
        } catch (SlotConflict conflict) {
            throw suggestions.withSuggestions(conflict, now);
        }
    }

    private interface Change {
        Effects apply(Handle handle, AppointmentRow row, AppointmentStatus next, Instant now);
    }

    /**
     * The history details and outbox kinds of a change, and whether it frees the old slot. The messages say the
     * rest (a cancel's reason and fee, the time before a move) from the appointment's state when they are sent.
     */
    private record Effects(String details, String[] notifications, boolean freesSlot) {
    }

    private AppointmentView transition(String reference, Action action, Change change) {
        BookingReference ref = BookingReference.parse(reference);
        Instant now = clock.instant();
        List<FreedSlot> freed = new ArrayList<>();
        AppointmentView changed = db.inTransaction(handle -> transitionIn(handle, ref, action, change, now, freed));
        freedSlots.offerAfterCommit(freed, now);
        return changed;
    }

    /** One change of one appointment inside the caller's transaction; the slots it frees are added to {@code freed}. */
    private AppointmentView transitionIn(Handle handle, BookingReference ref, Action action, Change change, Instant now,
                                         List<FreedSlot> freed) {
        AppointmentDao dao = handle.attach(AppointmentDao.class);
        long instructorId = dao.instructorOf(ref.value()).orElseThrow(() -> BookingRows.notFound(ref.value()));
        List<ExpiredHold> lapsed = new ArrayList<>(dao.prepare(instructorId, now));
        AppointmentRow row = dao.byReference(ref.value()).orElseThrow(() -> BookingRows.notFound(ref.value()));
        if (action.instructorsStep()) {
            requireInstructorSide(handle, row, action);
        }
        AppointmentStatus current = AppointmentStatus.fromDb(row.status());
        AppointmentStatus next = BookingLifecycle.next(row.reference(), current, action,
                new BookingLifecycle.Context(row.confirmationRequired(), row.startsAt(), now));
        Effects effects = change.apply(handle, row, next, now);
        dao.record(row.id(), now, action.dbValue(), current.dbValue(), effects.details(), effects.notifications(), null);
        if (effects.freesSlot()) {
            lapsed.add(new ExpiredHold(row.id(), row.typeId(), row.startsAt(), row.endsAt(), row.studentId(), null));
        }
        BookingRows.collect(freed, instructorId, lapsed);
        return BookingRows.view(dao.byId(row.id()));
    }

    /**
     * The role before the state: the student of an appointment asking for an instructor's step hears that it is
     * not theirs (exit 6), whatever state the appointment is in, rather than a reason about the state.
     */
    private static void requireInstructorSide(Handle handle, AppointmentRow row, Action action) {
        Access.Actor actor = Access.actor(handle);
        if (!actor.isAdmin() && actor.id() != row.instructorId()) {
            throw new PermissionDeniedException("only the instructor or an administrator can " + action.command()
                    + " appointment " + row.reference() + ". Ask the instructor");
        }
    }
}
