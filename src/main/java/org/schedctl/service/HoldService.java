package org.schedctl.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import org.schedctl.domain.Checked;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.Text;
import org.schedctl.domain.TimeInput;
import org.schedctl.domain.Zones;
import org.schedctl.domain.booking.Action;
import org.schedctl.domain.booking.AppointmentStatus;
import org.schedctl.domain.booking.BookingInputs;
import org.schedctl.domain.booking.BookingLifecycle;
import org.schedctl.domain.booking.BookingOutcome;
import org.schedctl.domain.booking.BookingRequest;
import org.schedctl.domain.booking.FreedSlot;
import org.schedctl.domain.booking.IdempotencyKey;
import org.schedctl.service.BookingRefusals.Refusal;
import org.schedctl.service.BookingResolver.Resolved;
import org.schedctl.service.SlotSuggestions.SlotConflict;
import org.schedctl.service.SlotSuggestions.Target;
import org.schedctl.store.Database;
import org.schedctl.store.SqlErrors;
import org.schedctl.store.dao.AppointmentDao;
import org.schedctl.store.dao.AppointmentDao.AppointmentRow;
import org.schedctl.store.dao.AppointmentDao.BookOutcome;
import org.schedctl.store.dao.AppointmentDao.ExpiredHold;

/**
 * Booking and holds: {@code book}, {@code hold}, {@code book --hold} and the sweep of lapsed holds. Every decision
 * about an instructor's time is taken under that instructor's transaction-scoped advisory lock (taken by
 * {@code booking_prepare}, which also sweeps the instructor's expired holds), so limits such as max-per-day and group
 * capacity cannot be raced, and the exclusion constraint stays the last word against double booking. Refusals are
 * {@link BookingOutcome}s mapped to exceptions by {@link BookingRefusals}; freed slots go to {@link FreedSlots}.
 */
public final class HoldService {
    private final Database db;
    private final Clock clock;
    private final HoldAllowance allowance;
    private final FreedSlots freedSlots;
    private final SlotSuggestions suggestions;

    public HoldService(Database db, Clock clock, HoldAllowance allowance, FreedSlots freedSlots, SlotSuggestions suggestions) {
        this.db = db;
        this.clock = clock;
        this.allowance = allowance;
        this.freedSlots = freedSlots;
        this.suggestions = suggestions;
    }

    /**
     * What {@code book} and {@code hold} are asked; names are resolved inside the transaction. {@code at} is the
     * --at as read (an instant, or a local time read in {@code tz}, else in the instructor's zone); a bad --at or
     * --tz is refused in the order of the step-by-step checks (names first).
     */
    public record BookRequest(String instructor, String type, String student, TimeInput.Arg at, Checked<ZoneId> tz, String notes,
                              IdempotencyKey idempotencyKey, Long holdId, Duration holdFor) {
    }

    /**
     * Books a slot, or turns a hold into a booking ({@code holdId}). One round trip to the database
     * (book_appointment) does the name lookups, the lock and sweep, the idempotency lookup, the availability
     * check and the writes; Java maps its outcome to an exception (BookingRefusals), and offers slots the sweep
     * freed to the waitlist after commit.
     */
    public AppointmentView book(BookRequest r) {
        String notes = BookingInputs.text("--notes", r.notes(), BookingInputs.MAX_NOTES);
        IdempotencyKey key = r.idempotencyKey();
        if (r.holdId() != null) {
            return bookHold(r, notes, key);
        }
        Instant now = clock.instant();
        BookCall call = wellFormed(r);
        if (call == null) {
            // Something in the request is malformed (a blank or overlong name, a DST gap under --tz). The
            // step-by-step resolution reports the first problem exactly as `book` always has; should it find none,
            // book what it resolved.
            Resolved res = db.inTransaction(handle -> BookingResolver.resolve(handle, r, now));
            call = new BookCall(String.valueOf(res.instructor().id()), String.valueOf(res.type().id()),
                    String.valueOf(res.student().id()), res.request().start(), null, res.zone());
        }
        for (int attempt = 0; ; attempt++) {
            try {
                return book(r, call, notes, key, now);
            } catch (LocalTimeMoved moved) {
                // PostgreSQL read the local time with another tz database than Java's (which CLI.md's rules
                // follow): book Java's instant instead. Happens at most once.
                if (attempt > 0) {
                    throw new IllegalStateException("the database and Java disagree on " + call.local() + " twice", moved);
                }
                call = new BookCall(call.instructor(), call.type(), call.student(), moved.start, null, moved.zone);
            }
        }
    }

    /** The names (trimmed) and the time of a well-formed book request: an instant, or a local time (no --tz). */
    private record BookCall(String instructor, String type, String student, Instant start, LocalDateTime local, ZoneId tz) {
    }

    /** The request ready for book_appointment, or null when resolving it step by step must report an error. */
    private static BookCall wellFormed(BookRequest r) {
        if (!Lookups.wellFormedUser(r.instructor()) || !Lookups.wellFormedType(r.type())
                || !Lookups.wellFormedUser(r.student()) || r.at() == null) {
            return null;
        }
        if (!r.at().ok() || (r.tz() != null && !r.tz().ok())) {
            return null;
        }
        try {
            TimeInput.Parsed at = r.at().parsed();
            ZoneId tz = r.tz() == null ? null : r.tz().get();
            Instant start = at.instant() != null ? at.instant() : tz != null ? TimeInput.resolveLocal(at.local(), tz) : null;
            return new BookCall(r.instructor().trim(), r.type().trim(), r.student().trim(), start,
                    start == null ? at.local() : null, tz);
        } catch (InvalidInputException e) {
            return null;
        }
    }

    /** Thrown inside the booking transaction (rolling it back) when the database read a local time differently. */
    private static final class LocalTimeMoved extends RuntimeException {
        final transient Instant start;
        final transient ZoneId zone;

        LocalTimeMoved(Instant start, ZoneId zone) {
            super(null, null, false, false);
            this.start = start;
            this.zone = zone;
        }
    }

    private AppointmentView book(BookRequest r, BookCall call, String notes, IdempotencyKey key, Instant now) {
        Target[] target = new Target[1];
        List<FreedSlot> freed = new ArrayList<>();
        try {
            AppointmentView booked = db.inTransaction(handle -> {
                BookOutcome o = AppointmentDao.book(handle, call.instructor(), call.type(), call.student(), call.start(),
                        call.local(), notes, key == null ? null : key.value(), now);
                BookingOutcome outcome = BookingOutcome.of(o.outcome());
                Refusal refusal = Refusal.of(outcome).names(r.instructor(), r.type(), r.student())
                        .found(o.userEmail(), o.userRole(), o.typeSlug());
                if (o.requestStart() == null) {
                    // Refused before the names were all known.
                    throw BookingRefusals.exception(refusal);
                }
                ZoneId zone = call.tz() != null ? call.tz() : Zones.parse(o.zone());
                if (call.local() != null) {
                    Instant start = TimeInput.resolveLocal(call.local(), zone);
                    if (!start.equals(o.requestStart())) {
                        throw new LocalTimeMoved(start, zone);
                    }
                }
                target[0] = new Target(o.requestInstructorId(), o.requestTypeId(), o.requestStart(), zone);
                switch (outcome) {
                    case EXISTING -> {
                        AppointmentRow row = o.appointment();
                        key.checkReplay(row.reference(), new BookingRequest(row.instructorId(), row.typeId(),
                                row.studentId(), row.startsAt()), new BookingRequest(o.requestInstructorId(),
                                o.requestTypeId(), o.requestStudentId(), o.requestStart()));
                    }
                    case UNAVAILABLE -> throw new SlotConflict((ConflictException) BookingRefusals.exception(
                            refusal.check("book " + BookingRows.format(o.requestStart(), zone), o.message())), target[0]);
                    case BOOKED -> {
                    }
                    default -> throw BookingRefusals.exception(refusal.time(o.requestStart(), now));
                }
                for (AppointmentDao.FreedHold hold : o.freed()) {
                    freed.add(new FreedSlot(o.requestInstructorId(), hold.typeId(), hold.startsAt(), hold.endsAt()));
                }
                return BookingRows.view(o.appointment());
            });
            freedSlots.offerAfterCommit(freed, now);
            return booked;
        } catch (SlotConflict conflict) {
            throw suggestions.withSuggestions(conflict, now);
        } catch (RuntimeException e) {
            if (SqlErrors.isOverlap(e)) {
                // The exclusion constraint refused the insert inside book_appointment (a writer that bypassed
                // the lock): the ids come from a fresh resolution, for the suggestions.
                ConflictException taken = (ConflictException) BookingRefusals.exception(
                        Refusal.of(BookingOutcome.SLOT_TAKEN).cause(e));
                Target t = target[0] != null ? target[0] : targetOf(r, now);
                throw t != null ? suggestions.withSuggestions(new SlotConflict(taken, t), now) : taken;
            }
            throw e;
        }
    }

    private Target targetOf(BookRequest r, Instant now) {
        try {
            return db.inTransaction(handle -> {
                Resolved res = BookingResolver.resolve(handle, r, now);
                return new Target(res.instructor().id(), res.type().id(), res.request().start(), res.zone());
            });
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Reserves a slot for a few minutes: an appointment in state held plus its booking session. */
    public AppointmentView hold(BookRequest r) {
        Duration holdFor = r.holdFor() == null ? BookingInputs.DEFAULT_HOLD : r.holdFor();
        if (holdFor.compareTo(BookingInputs.MIN_HOLD) < 0 || holdFor.compareTo(BookingInputs.MAX_HOLD) > 0) {
            throw new InvalidInputException("hold time " + org.schedctl.domain.Durations.format(holdFor)
                    + " is out of range. Give 1m to 24h, e.g. --for 10m");
        }
        Instant now = clock.instant();
        List<FreedSlot> freed = new ArrayList<>();
        try {
            AppointmentView held = db.inTransaction(handle -> {
                Resolved res = BookingResolver.resolve(handle, r, now);
                allowance.require(handle, db, res.student(), now);
                AppointmentDao dao = handle.attach(AppointmentDao.class);
                BookingRows.collect(freed, res.instructor().id(), dao.prepare(res.instructor().id(), now));
                BookingResolver.requireAvailable(dao, res, now);
                long id = BookingRows.createHold(dao, res.instructor().id(), res.type(), res.student().id(),
                        res.request().start(), res.end(), Zones.parse(res.instructor().timezone()), res.rules(),
                        now.plus(holdFor), null, now);
                return BookingRows.view(dao.byId(id));
            });
            freedSlots.offerAfterCommit(freed, now);
            return held;
        } catch (SlotConflict conflict) {
            throw suggestions.withSuggestions(conflict, now);
        }
    }

    private AppointmentView bookHold(BookRequest r, String notes, IdempotencyKey key) {
        long holdId = r.holdId();
        Instant now = clock.instant();
        List<FreedSlot> freed = new ArrayList<>();
        AppointmentView booked = db.inTransaction(handle -> {
            AppointmentDao dao = handle.attach(AppointmentDao.class);
            AppointmentRow hold = dao.byHoldId(holdId).orElseThrow(() -> new NotFoundException(
                    "no hold with id " + holdId + ". See `schedctl appointments list --status held`"));
            BookingRows.collect(freed, hold.instructorId(), dao.prepare(hold.instructorId(), now));
            dao.lock(hold.id());
            hold = dao.byId(hold.id());
            BookingResolver.checkHoldMatches(handle, r, hold);
            if ("expired".equals(hold.holdStep()) || (hold.holdExpiresAt() != null && !hold.holdExpiresAt().isAfter(now))) {
                throw new ConflictException("hold expired: hold " + holdId + " (" + hold.reference() + ") lapsed at "
                        + hold.holdExpiresAt() + ". Book the time again if it is still free");
            }
            if (key != null && hold.idempotencyKey() != null && hold.idempotencyKey().equals(key.value())
                    && !"held".equals(hold.status())) {
                return BookingRows.view(hold);
            }
            AppointmentStatus current = AppointmentStatus.fromDb(hold.status());
            AppointmentStatus next = BookingLifecycle.next(hold.reference(), current, Action.BOOK,
                    new BookingLifecycle.Context(hold.confirmationRequired(), hold.startsAt(), now));
            handle.createUpdate("""
                            UPDATE appointments SET status = :status, notes = coalesce(:notes, notes),
                                   idempotency_key = coalesce(:key, idempotency_key),
                                   confirmed_at = CASE WHEN :status = 'confirmed' THEN :now::timestamptz END,
                                   reminders_from = :now
                             WHERE id = :id
                            """)
                    .bind("status", next.dbValue()).bind("notes", notes).bind("key", key == null ? null : key.value())
                    .bind("now", now).bind("id", hold.id()).execute();
            dao.setHoldStep(holdId, "converted");
            if (hold.waitlistId() != null) {
                handle.createUpdate("UPDATE appointment_waitlist SET status = 'booked' WHERE id = :id")
                        .bind("id", hold.waitlistId()).execute();
            }
            dao.record(hold.id(), now, Action.BOOK.dbValue(), current.dbValue(), BookingRows.details("hold_id", holdId),
                    new String[] {"booked"}, null);
            return BookingRows.view(dao.byId(hold.id()));
        });
        freedSlots.offerAfterCommit(freed, now);
        return booked;
    }

    /**
     * Cancels every hold whose time ran out (history action 'expire'), passing each freed slot to the waitlist.
     * The daemon calls this; {@code book} and {@code hold} also sweep the instructor they work on. Returns how many
     * holds expired.
     */
    public int expireHolds(Instant now) {
        List<Long> instructors = db.inTransaction(handle -> handle.attach(AppointmentDao.class).instructorsWithExpiredHolds(now));
        int expired = 0;
        for (long instructorId : instructors) {
            expired += db.inTransaction(handle -> {
                List<ExpiredHold> lapsed = handle.attach(AppointmentDao.class).prepare(instructorId, now);
                for (ExpiredHold hold : lapsed) {
                    freedSlots.offer(handle, new FreedSlot(instructorId, hold.typeId(), hold.startsAt(), hold.endsAt()), now);
                }
                return lapsed.size();
            });
        }
        return expired;
    }

    /** The hold id of {@code book --hold ID}, parsed. */
    public static long holdId(String text) {
        return Text.positiveId(text, "hold id", "Give the number `schedctl hold` printed as hold_id");
    }
}
