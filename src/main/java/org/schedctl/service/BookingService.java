package org.schedctl.service;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jdbi.v3.core.Handle;
import org.schedctl.domain.AppointmentType;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.PermissionDeniedException;
import org.schedctl.domain.SchedException;
import org.schedctl.domain.Text;
import org.schedctl.domain.TimeInput;
import org.schedctl.domain.User;
import org.schedctl.domain.Zones;
import org.schedctl.domain.booking.Action;
import org.schedctl.domain.booking.AppointmentStatus;
import org.schedctl.domain.booking.BookingInputs;
import org.schedctl.domain.booking.BookingLifecycle;
import org.schedctl.domain.booking.BookingReference;
import org.schedctl.domain.booking.BookingRequest;
import org.schedctl.domain.booking.CancellationPolicy;
import org.schedctl.domain.booking.FreedSlot;
import org.schedctl.domain.booking.IdempotencyKey;
import org.schedctl.domain.booking.ReschedulePolicy;
import org.schedctl.store.Database;
import org.schedctl.store.dao.AppointmentDao;
import org.schedctl.store.dao.AppointmentDao.AppointmentRow;
import org.schedctl.store.dao.AppointmentDao.BookOutcome;
import org.schedctl.store.dao.AppointmentDao.BookingRules;
import org.schedctl.store.dao.AppointmentDao.CheckResult;
import org.schedctl.store.dao.AppointmentDao.ExpiredHold;
import org.schedctl.store.dao.AppointmentDao.NewAppointment;

/**
 * The booking lifecycle. Every method is one transaction; every decision about an instructor's time is taken
 * under that instructor's transaction-scoped advisory lock (taken by {@code booking_prepare}, which also sweeps
 * the instructor's expired holds), so limits such as max-per-day and group capacity cannot be raced, and the
 * exclusion constraint stays the last word against double booking.
 */
public final class BookingService {
    static final int SUGGESTIONS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter SUGGESTION_FORMAT = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    /** How many live holds a student may place for themselves at once, unless configured (holds.max_per_student). */
    public static final int DEFAULT_HOLDS_PER_STUDENT = 3;
    /** Advisory-lock namespace of a student's holds (the two-key form, apart from the instructors' one-key locks). */
    private static final int STUDENT_HOLDS_LOCK = 0x73686c64;

    private final Database db;
    private final Clock clock;
    private final java.util.OptionalInt holdsPerStudent;

    public BookingService(Database db, Clock clock) {
        this(db, clock, java.util.OptionalInt.of(DEFAULT_HOLDS_PER_STUDENT));
    }

    /** {@code holdsPerStudent} empty: students may hold any number of slots. */
    public BookingService(Database db, Clock clock, java.util.OptionalInt holdsPerStudent) {
        this.db = db;
        this.clock = clock;
        this.holdsPerStudent = holdsPerStudent;
    }

    /** What {@code book} and {@code hold} are asked; names are resolved inside the transaction. */
    public record BookRequest(String instructor, String type, String student, String at, String tz, String notes,
                              String idempotencyKey, String holdId, Duration holdFor) {
    }

    /**
     * Books a slot, or turns a hold into a booking ({@code holdId}). One round trip to the database
     * (book_appointment, V47) does the name lookups, the lock and sweep, the idempotency lookup, the availability
     * check and the writes; Java parses the input, maps refusals to their messages and exit codes, and offers slots
     * the sweep freed to the waitlist after commit.
     */
    public AppointmentView book(BookRequest r) {
        String notes = BookingInputs.text("--notes", r.notes(), BookingInputs.MAX_NOTES);
        IdempotencyKey key = r.idempotencyKey() == null ? null : IdempotencyKey.parse(r.idempotencyKey());
        if (r.holdId() != null) {
            return bookHold(r, notes, key);
        }
        Instant now = clock.instant();
        BookCall call = wellFormed(r);
        if (call == null) {
            // Something in the request is malformed (a blank or overlong name, a bad --tz or --at, a DST gap
            // under --tz). The step-by-step resolution reports the first problem exactly as `book` always has;
            // should it find none, book what it resolved.
            Resolved res = db.inTransaction(handle -> resolve(handle, r, now));
            call = new BookCall(String.valueOf(res.instructor.id()), String.valueOf(res.type.id()),
                    String.valueOf(res.student.id()), res.request.start(), null, res.zone);
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
        try {
            ZoneId tz = r.tz() == null ? null : Zones.parse(r.tz());
            TimeInput.Parsed at = TimeInput.parse(r.at());
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
        List<FreedSlot> freedSlots = new ArrayList<>();
        try {
            AppointmentView booked = db.inTransaction(handle -> {
                BookOutcome o = AppointmentDao.book(handle, call.instructor(), call.type(), call.student(), call.start(),
                        call.local(), notes, key == null ? null : key.value(), now);
                switch (o.outcome()) {
                    case "unknown_instructor" -> throw Lookups.userNotFound(r.instructor());
                    case "not_instructor" -> throw Lookups.notAnInstructor(o.userEmail(), o.userRole());
                    case "unknown_type" -> throw Lookups.typeNotFound(r.type());
                    case "type_not_offered" -> throw notOffered(o.typeSlug(), o.userEmail());
                    case "archived" -> throw archived(o.typeSlug());
                    case "unknown_student" -> throw Lookups.userNotFound(r.student());
                    default -> {
                    }
                }
                // From here on the names are known, in the order resolve() checks the rest.
                ZoneId zone = call.tz() != null ? call.tz() : Zones.parse(o.zone());
                if (call.local() != null) {
                    Instant start = TimeInput.resolveLocal(call.local(), zone);
                    if (!start.equals(o.requestStart())) {
                        throw new LocalTimeMoved(start, zone);
                    }
                }
                BookingRequest request = new BookingRequest(o.requestInstructorId(), o.requestTypeId(),
                        o.requestStudentId(), o.requestStart());
                request.requireFuture(now);
                target[0] = new Target(request.instructorId(), request.typeId(), request.start(), zone);
                switch (o.outcome()) {
                    case "existing" -> {
                        AppointmentRow row = o.appointment();
                        key.checkReplay(row.reference(), new BookingRequest(row.instructorId(), row.typeId(),
                                row.studentId(), row.startsAt()), request);
                    }
                    case "unavailable" -> throw new SlotConflict("cannot book " + format(request.start(), zone) + ": "
                            + o.message(), target[0]);
                    case "booked" -> {
                    }
                    default -> throw new IllegalStateException("book_appointment answered '" + o.outcome() + "'");
                }
                for (AppointmentDao.FreedHold hold : o.freed()) {
                    freedSlots.add(new FreedSlot(request.instructorId(), hold.typeId(), hold.startsAt(), hold.endsAt()));
                }
                return view(o.appointment());
            });
            waitlist().offerAsSystem(freedSlots, now);
            return booked;
        } catch (SlotConflict conflict) {
            throw withSuggestions(conflict, now);
        } catch (ConflictException e) {
            if (isOverlap(e)) {
                // The exclusion constraint refused the insert inside book_appointment (a writer that bypassed
                // the lock): the ids come from a fresh resolution, for the suggestions.
                Target t = target[0] != null ? target[0] : targetOf(r, now);
                if (t != null) {
                    throw withSuggestions(new SlotConflict(e.getMessage(), t), now);
                }
            }
            throw e;
        }
    }

    private Target targetOf(BookRequest r, Instant now) {
        try {
            return db.inTransaction(handle -> {
                Resolved res = resolve(handle, r, now);
                return new Target(res.instructor.id(), res.type.id(), res.request.start(), res.zone);
            });
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static InvalidInputException notOffered(String slug, String instructorEmail) {
        return new InvalidInputException("appointment type '" + slug + "' is not offered by " + instructorEmail
                + ". See `schedctl type list --instructor " + instructorEmail + "`");
    }

    private static ConflictException archived(String slug) {
        return new ConflictException("appointment type '" + slug + "' is archived and takes no new bookings. Pick another type");
    }

    /** Reserves a slot for a few minutes: an appointment in state held plus its booking session. */
    public AppointmentView hold(BookRequest r) {
        Duration holdFor = r.holdFor() == null ? BookingInputs.DEFAULT_HOLD : r.holdFor();
        if (holdFor.compareTo(BookingInputs.MIN_HOLD) < 0 || holdFor.compareTo(BookingInputs.MAX_HOLD) > 0) {
            throw new InvalidInputException("hold time " + org.schedctl.domain.Durations.format(holdFor)
                    + " is out of range. Give 1m to 24h, e.g. --for 10m");
        }
        Instant now = clock.instant();
        List<FreedSlot> freedSlots = new ArrayList<>();
        try {
            AppointmentView held = db.inTransaction(handle -> {
                Resolved res = resolve(handle, r, now);
                requireHoldAllowance(handle, res.student, now);
                AppointmentDao dao = handle.attach(AppointmentDao.class);
                List<ExpiredHold> freed = dao.prepare(res.instructor.id(), now);
                collect(freedSlots, res.instructor.id(), freed);
                requireAvailable(dao, res, null, now);
                long id = createHold(dao, res, now.plus(holdFor), null, now);
                return view(dao.byId(id));
            });
            waitlist().offerAsSystem(freedSlots, now);
            return held;
        } catch (SlotConflict conflict) {
            throw withSuggestions(conflict, now);
        }
    }

    /**
     * A student placing holds for themselves may keep at most {@code holdsPerStudent} live at once, so that one
     * student cannot tie up an instructor's week by holding and letting lapse (the seed's abuse limit; an
     * operator or instructor holding on a student's behalf is trusted, and waitlist offers are the school's). The
     * count is taken under a per-student advisory lock, so two holds at once cannot both take the last place.
     */
    private void requireHoldAllowance(Handle handle, User student, Instant now) {
        // The acting user was resolved when this transaction began (Database.actAs): no query needed.
        if (holdsPerStudent.isEmpty() || db.actorId() != student.id()) {
            return;
        }
        handle.createQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(:ns, (:student % 2147483647)::int)) locked")
                .bind("ns", STUDENT_HOLDS_LOCK).bind("student", student.id()).mapTo(Integer.class).one();
        long live = handle.createQuery("""
                        SELECT count(*) FROM appointments a JOIN booking_sessions b ON b.id = a.booking_session_id
                         WHERE a.student_id = :student AND a.status = 'held' AND b.expires_at > :now AND b.waitlist_id IS NULL
                        """)
                .bind("student", student.id()).bind("now", now).mapTo(Long.class).one();
        int limit = holdsPerStudent.getAsInt();
        if (live >= limit) {
            throw new ConflictException("you already hold " + live + " slot" + (live == 1 ? "" : "s") + ", the most a student may hold at once ("
                    + limit + ", holds.max_per_student). Book one with `schedctl book --hold ID`, or wait for one to lapse");
        }
    }

    private AppointmentView bookHold(BookRequest r, String notes, IdempotencyKey key) {
        long holdId = Text.positiveId(r.holdId(), "hold id", "Give the number `schedctl hold` printed as hold_id");
        Instant now = clock.instant();
        List<FreedSlot> freedSlots = new ArrayList<>();
        AppointmentView booked = db.inTransaction(handle -> {
            AppointmentDao dao = handle.attach(AppointmentDao.class);
            AppointmentRow hold = dao.byHoldId(holdId).orElseThrow(() -> new NotFoundException(
                    "no hold with id " + holdId + ". See `schedctl appointments list --status held`"));
            collect(freedSlots, hold.instructorId(), dao.prepare(hold.instructorId(), now));
            dao.lock(hold.id());
            hold = dao.byId(hold.id());
            checkHoldMatches(handle, r, hold);
            if ("expired".equals(hold.holdStep()) || (hold.holdExpiresAt() != null && !hold.holdExpiresAt().isAfter(now))) {
                throw new ConflictException("hold expired: hold " + holdId + " (" + hold.reference() + ") lapsed at "
                        + hold.holdExpiresAt() + ". Book the time again if it is still free");
            }
            if (key != null && hold.idempotencyKey() != null && hold.idempotencyKey().equals(key.value())
                    && !"held".equals(hold.status())) {
                return view(hold);
            }
            AppointmentStatus current = AppointmentStatus.fromDb(hold.status());
            AppointmentStatus next = BookingLifecycle.next(hold.reference(), current, Action.BOOK,
                    new BookingLifecycle.Context(hold.confirmationRequired(), hold.startsAt(), now));
            handle.createUpdate("""
                            UPDATE appointments SET status = :status, notes = coalesce(:notes, notes),
                                   idempotency_key = coalesce(:key, idempotency_key),
                                   confirmed_at = CASE WHEN :status = 'confirmed' THEN :now::timestamptz END
                             WHERE id = :id
                            """)
                    .bind("status", next.dbValue()).bind("notes", notes).bind("key", key == null ? null : key.value())
                    .bind("now", now).bind("id", hold.id()).execute();
            dao.setHoldStep(holdId, "converted");
            if (hold.waitlistId() != null) {
                handle.createUpdate("UPDATE appointment_waitlist SET status = 'booked' WHERE id = :id")
                        .bind("id", hold.waitlistId()).execute();
            }
            dao.record(hold.id(), now, Action.BOOK.dbValue(), current.dbValue(), details("hold_id", holdId),
                    new String[] {"booked", "reminder"}, null);
            return view(dao.byId(hold.id()));
        });
        waitlist().offerAsSystem(freedSlots, now);
        return booked;
    }

    public AppointmentView confirm(String reference) {
        return transition(reference, Action.CONFIRM, null, (handle, row, next, now) -> {
            handle.createUpdate("UPDATE appointments SET status = :s, confirmed_at = :now WHERE id = :id")
                    .bind("s", next.dbValue()).bind("now", now).bind("id", row.id()).execute();
            return new Effects(details(), new String[] {"confirmed"}, null, false);
        });
    }

    public AppointmentView decline(String reference, String reason) {
        String why = BookingInputs.text("--reason", reason, BookingInputs.MAX_REASON);
        return transition(reference, Action.DECLINE, null, (handle, row, next, now) -> {
            handle.createUpdate("""
                            UPDATE appointments SET status = :s, cancel_reason = :reason, cancelled_by = app_current_user_id(),
                                   cancelled_at = :now WHERE id = :id
                            """)
                    .bind("s", next.dbValue()).bind("reason", why).bind("now", now).bind("id", row.id()).execute();
            handle.attach(AppointmentDao.class).cancelPendingNotifications(row.id(), null);
            return new Effects(details("reason", why), new String[] {"declined"}, why == null ? null : "Reason: " + why, true);
        });
    }

    public AppointmentView cancel(String reference, String reason, boolean waiveFee) {
        String why = BookingInputs.text("--reason", reason, BookingInputs.MAX_REASON);
        return transition(reference, Action.CANCEL, null, (handle, row, next, now) -> {
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
            handle.attach(AppointmentDao.class).cancelPendingNotifications(row.id(), null);
            String note = (why == null ? "" : "Reason: " + why + ". ")
                    + (fee == null ? "" : "Cancellation fee: " + fee.toPlainString() + " " + row.currency() + (waiveFee ? " (waived)" : ""));
            return new Effects(details("reason", why, "fee", fee == null ? null : fee.toPlainString(), "policy", policy.toString(),
                    "tier", tier, "waived", waiveFee), new String[] {"cancelled"}, note.isBlank() ? null : note.strip(), true);
        });
    }

    public AppointmentView complete(String reference, String notes, Integer rating) {
        String text = BookingInputs.text("--notes", notes, BookingInputs.MAX_NOTES);
        Integer stars = BookingInputs.rating(rating);
        return transition(reference, Action.COMPLETE, null, (handle, row, next, now) -> {
            handle.createUpdate("""
                            UPDATE appointments SET status = :s, instructor_notes = coalesce(:notes, instructor_notes),
                                   rating = coalesce(:rating, rating), completed_at = :now WHERE id = :id
                            """)
                    .bind("s", next.dbValue()).bind("notes", text).bind("rating", stars).bind("now", now)
                    .bind("id", row.id()).execute();
            handle.attach(AppointmentDao.class).cancelPendingNotifications(row.id(), "reminder");
            return new Effects(details("rating", stars), new String[] {"completed"}, null, false);
        });
    }

    public AppointmentView noShow(String reference) {
        return transition(reference, Action.NO_SHOW, null, (handle, row, next, now) -> {
            handle.createUpdate("UPDATE appointments SET status = :s WHERE id = :id")
                    .bind("s", next.dbValue()).bind("id", row.id()).execute();
            handle.attach(AppointmentDao.class).cancelPendingNotifications(row.id(), "reminder");
            return new Effects(details(), new String[] {"no_show"}, null, false);
        });
    }

    /** Moves an appointment: re-checks the new time (ignoring its own old slot), keeps both times in the history. */
    public AppointmentView reschedule(String reference, String to, String tz) {
        Instant now = clock.instant();
        BookingReference ref = BookingReference.parse(reference);
        try {
            return transition(ref.value(), Action.RESCHEDULE, tz, (handle, row, next, when) -> {
                ReschedulePolicy.parseOrAny(row.reschedulePolicy()).check(row.reference(), row.rescheduleCount(),
                        row.startsAt(), when);
                ZoneId zone = tz != null ? Zones.parse(tz) : Zones.parse(row.timezone());
                Instant newStart = TimeInput.parseInstant(to, zone);
                if (newStart.equals(row.startsAt())) {
                    throw new ConflictException("appointment " + row.reference() + " already starts at " + format(newStart, zone)
                            + ". Give a different --to");
                }
                if (!newStart.isAfter(when)) {
                    throw new InvalidInputException("the time " + format(newStart, zone) + " is in the past. Pick a future time");
                }
                Instant newEnd = newStart.plus(Duration.between(row.startsAt(), row.endsAt()));
                AppointmentDao dao = handle.attach(AppointmentDao.class);
                CheckResult check = dao.check(row.instructorId(), row.typeId(), newStart, newEnd, row.id(), when);
                if (!check.ok()) {
                    throw new SlotConflict("cannot move " + row.reference() + ": " + check.message(),
                            new Target(row.instructorId(), row.typeId(), newStart, zone));
                }
                handle.createUpdate("""
                                UPDATE appointments SET status = :s, starts_at = :start, ends_at = :end,
                                       session_key = coalesce(appointment_session_key(type_id, :capacity, :start), 'a:' || id),
                                       reschedule_count = reschedule_count + 1 WHERE id = :id
                                """)
                        .bind("s", next.dbValue()).bind("start", newStart).bind("end", newEnd)
                        .bind("capacity", row.capacity()).bind("id", row.id()).execute();
                dao.moveReminders(row.id(), row.startsAt(), newStart, when);
                return new Effects(details("from_start", row.startsAt().toString(), "from_end", row.endsAt().toString(),
                        "to_start", newStart.toString(), "to_end", newEnd.toString()),
                        new String[] {"rescheduled", "reminder"}, "Previously: " + format(row.startsAt(), zone), true);
            });
        } catch (SlotConflict conflict) {
            throw withSuggestions(conflict, now);
        }
    }

    public AppointmentView show(String reference) {
        BookingReference ref = BookingReference.parse(reference);
        return db.inTransaction(handle -> {
            AppointmentDao dao = handle.attach(AppointmentDao.class);
            AppointmentRow row = dao.byReference(ref.value()).orElseThrow(() -> notFound(ref.value()));
            List<AppointmentView.HistoryEntry> history = dao.history(row.id()).stream()
                    .map(e -> new AppointmentView.HistoryEntry(e.at(), e.action(), e.actor(), e.fromStatus(), e.toStatus(),
                            e.startsAt(), e.endsAt(), e.details()))
                    .toList();
            return view(row).withHistory(history);
        });
    }

    public record ListFilter(String instructor, String student, String status, String from, String to, String tz) {
    }

    public List<AppointmentView> list(ListFilter f) {
        String status = f.status() == null ? null : AppointmentStatus.fromDb(f.status()).dbValue();
        return db.inTransaction(handle -> {
            User instructor = f.instructor() == null ? null : Lookups.instructor(handle, f.instructor());
            User student = f.student() == null ? null : Lookups.user(handle, f.student());
            ZoneId zone = f.tz() != null ? Zones.parse(f.tz())
                    : instructor != null ? Zones.parse(instructor.timezone()) : ZoneId.of("UTC");
            Instant from = f.from() == null ? null : TimeInput.dateRange(f.from(), f.from(), zone).start();
            Instant to = f.to() == null ? null : TimeInput.dateRange(f.to(), f.to(), zone).end();
            if (from != null && to != null && !to.isAfter(from)) {
                throw new InvalidInputException("--to " + f.to() + " is before --from " + f.from() + ". Give --from first (both days are included)");
            }
            return handle.attach(AppointmentDao.class)
                    .list(instructor == null ? null : instructor.id(), student == null ? null : student.id(), status, from, to)
                    .stream().map(BookingService::view).toList();
        });
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
                List<ExpiredHold> freed = handle.attach(AppointmentDao.class).prepare(instructorId, now);
                WaitlistService waitlist = waitlist();
                for (ExpiredHold hold : freed) {
                    waitlist.offer(handle, new FreedSlot(instructorId, hold.typeId(), hold.startsAt(), hold.endsAt()), now);
                }
                return freed.size();
            });
        }
        return expired;
    }

    // ---------------------------------------------------------------------------------------------------------

    private interface Change {
        Effects apply(Handle handle, AppointmentRow row, AppointmentStatus next, Instant now);
    }

    /** The history details, outbox kinds and note of a change, and whether it frees the old slot. */
    private record Effects(String details, String[] notifications, String note, boolean freesSlot) {
    }

    private AppointmentView transition(String reference, Action action, String tz, Change change) {
        BookingReference ref = BookingReference.parse(reference);
        Instant now = clock.instant();
        List<FreedSlot> freedSlots = new ArrayList<>();
        AppointmentView changed = db.inTransaction(handle -> {
            AppointmentDao dao = handle.attach(AppointmentDao.class);
            long instructorId = dao.instructorOf(ref.value()).orElseThrow(() -> notFound(ref.value()));
            List<ExpiredHold> freed = new ArrayList<>(dao.prepare(instructorId, now));
            AppointmentRow row = dao.byReference(ref.value()).orElseThrow(() -> notFound(ref.value()));
            if (action.instructorsStep()) {
                requireInstructorSide(handle, row, action);
            }
            AppointmentStatus current = AppointmentStatus.fromDb(row.status());
            AppointmentStatus next = BookingLifecycle.next(row.reference(), current, action,
                    new BookingLifecycle.Context(row.confirmationRequired(), row.startsAt(), now));
            Effects effects = change.apply(handle, row, next, now);
            dao.record(row.id(), now, action.dbValue(), current.dbValue(), effects.details(), effects.notifications(), effects.note());
            if (effects.freesSlot()) {
                freed.add(new ExpiredHold(row.id(), row.typeId(), row.startsAt(), row.endsAt(), row.studentId(), null));
            }
            collect(freedSlots, instructorId, freed);
            return view(dao.byId(row.id()));
        });
        waitlist().offerAsSystem(freedSlots, now);
        return changed;
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

    private WaitlistService waitlist() {
        return new WaitlistService(db, clock);
    }

    private static void collect(List<FreedSlot> into, long instructorId, List<ExpiredHold> freed) {
        for (ExpiredHold hold : freed) {
            into.add(new FreedSlot(instructorId, hold.typeId(), hold.startsAt(), hold.endsAt()));
        }
    }

    /** The instructor, type, student and start of a book/hold request, and the rules that apply. */
    private record Resolved(User instructor, AppointmentType type, User student, BookingRequest request, Instant end,
                            BookingRules rules, ZoneId zone) {
    }

    private Resolved resolve(Handle handle, BookRequest r, Instant now) {
        if (r.instructor() == null || r.type() == null || r.student() == null || r.at() == null) {
            throw new InvalidInputException("--instructor, --type, --student and --at are required (or --hold ID). "
                    + "See 'schedctl book --help'");
        }
        User instructor = Lookups.instructor(handle, r.instructor());
        AppointmentType type = Lookups.type(handle, r.type());
        if (type.instructorId() != instructor.id()) {
            throw notOffered(type.slug(), instructor.email());
        }
        if (type.archived()) {
            throw archived(type.slug());
        }
        User student = Lookups.user(handle, r.student());
        ZoneId zone = r.tz() != null ? Zones.parse(r.tz()) : Zones.parse(instructor.timezone());
        Instant start = TimeInput.parseInstant(r.at(), zone);
        BookingRequest request = new BookingRequest(instructor.id(), type.id(), student.id(), start);
        request.requireFuture(now);
        BookingRules rules = handle.attach(AppointmentDao.class).rules(type.id());
        return new Resolved(instructor, type, student, request, start.plus(type.duration()), rules, zone);
    }

    private void requireAvailable(AppointmentDao dao, Resolved res, Long exclude, Instant now) {
        CheckResult check = dao.check(res.instructor.id(), res.type.id(), res.request.start(), res.end, exclude, now);
        if (!check.ok()) {
            throw new SlotConflict("cannot book " + format(res.request.start(), res.zone) + ": " + check.message(),
                    new Target(res.instructor.id(), res.type.id(), res.request.start(), res.zone));
        }
    }

    long createHold(AppointmentDao dao, Resolved res, Instant expiresAt, Long waitlistId, Instant now) {
        return createHold(dao, res.instructor.id(), res.type, res.student.id(), res.request.start(), res.end,
                Zones.parse(res.instructor.timezone()), res.rules, expiresAt, waitlistId, now);
    }

    /** A hold: its booking session, its appointment in state held, and the history row. */
    static long createHold(AppointmentDao dao, long instructorId, AppointmentType type, long studentId, Instant start,
                           Instant end, ZoneId instructorZone, BookingRules rules, Instant expiresAt, Long waitlistId,
                           Instant now) {
        long holdId = dao.insertHold(studentId, instructorId, type.id(), start, end, expiresAt, waitlistId);
        long id = dao.insert(new NewAppointment(instructorId, studentId, type.id(), AppointmentStatus.HELD.dbValue(), start, end,
                instructorZone.getId(), rules.bufferBefore(), rules.bufferAfter(), type.price(), type.currency(), null, null,
                holdId, type.capacity(), null, null));
        dao.record(id, now, Action.HOLD.dbValue(), null, details("hold_id", holdId, "expires_at", expiresAt.toString(),
                "waitlist_id", waitlistId), waitlistId == null ? new String[0] : new String[] {"waitlist_offer"},
                waitlistId == null ? null : "Book it with `schedctl book --hold " + holdId + "` before " + expiresAt);
        return id;
    }

    private void checkHoldMatches(Handle handle, BookRequest r, AppointmentRow hold) {
        if (r.instructor() != null && Lookups.instructor(handle, r.instructor()).id() != hold.instructorId()) {
            throw new ConflictException("hold " + r.holdId() + " is for instructor " + hold.instructorEmail() + ". Leave out --instructor or name that instructor");
        }
        if (r.student() != null && Lookups.user(handle, r.student()).id() != hold.studentId()) {
            throw new ConflictException("hold " + r.holdId() + " is for student " + hold.studentEmail() + ". Leave out --student or name that student");
        }
        if (r.type() != null && Lookups.type(handle, r.type()).id() != hold.typeId()) {
            throw new ConflictException("hold " + r.holdId() + " is for type " + hold.typeSlug() + ". Leave out --type or name that type");
        }
        if (r.at() != null) {
            ZoneId zone = r.tz() != null ? Zones.parse(r.tz()) : Zones.parse(hold.timezone());
            if (!TimeInput.parseInstant(r.at(), zone).equals(hold.startsAt())) {
                throw new ConflictException("hold " + r.holdId() + " is for " + format(hold.startsAt(), zone) + ". Leave out --at or give that time");
            }
        }
    }

    /** A refused slot; suggestions are added after the transaction has rolled back (and released its lock). */
    static final class SlotConflict extends ConflictException {
        final transient Target target;

        SlotConflict(String message, Target target) {
            super(message);
            this.target = target;
        }
    }

    record Target(long instructorId, long typeId, Instant start, ZoneId zone) {
    }

    private static boolean isOverlap(SchedException e) {
        return e.getMessage() != null && e.getMessage().startsWith("the slot is taken");
    }

    private ConflictException withSuggestions(SlotConflict conflict, Instant now) {
        Target t = conflict.target;
        if (t == null) {
            return conflict;
        }
        List<Instant> next;
        try {
            next = new SlotFinder(db).next(t.instructorId(), t.typeId(), t.start(), SUGGESTIONS, now);
        } catch (RuntimeException e) {
            return conflict;
        }
        String message = stripDot(conflict.getMessage());
        if (next.isEmpty()) {
            return new ConflictException(message + ". No free slot of this type in the next 14 days", conflict);
        }
        return new ConflictException(message + ". Next free: "
                + next.stream().map(i -> format(i, t.zone())).collect(Collectors.joining(", ")), conflict);
    }

    private static String stripDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    static String format(Instant instant, ZoneId zone) {
        return SUGGESTION_FORMAT.format(instant.atZone(zone).toOffsetDateTime());
    }

    static NotFoundException notFound(String reference) {
        return new NotFoundException("no appointment with reference " + reference + ". See `schedctl appointments list`");
    }

    static String details(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                map.put((String) pairs[i], pairs[i + 1]);
            }
        }
        try {
            return JSON.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Amounts are stored with two decimals; they are shown with the currency's own (1000 JPY, not 1000.00). */
    private static BigDecimal money(BigDecimal amount, String currency) {
        if (amount == null || currency == null) {
            return amount;
        }
        int digits = Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
        return amount.setScale(digits, java.math.RoundingMode.HALF_EVEN);
    }

    static AppointmentView view(AppointmentRow row) {
        Objects.requireNonNull(row, "row");
        boolean liveHold = "held".equals(row.status());
        return new AppointmentView(row.reference(), row.status(), row.instructorEmail(), row.studentEmail(), row.typeSlug(),
                row.startsAt(), row.endsAt(), row.timezone(), money(row.price(), row.currency()), row.currency(),
                money(row.fee(), row.currency()), row.createdAt(),
                liveHold ? row.bookingSessionId() : null, liveHold ? row.holdExpiresAt() : null, row.rescheduleCount(),
                "cancelled".equals(row.status()) ? row.feeWaived() : null, row.notes(), row.rating(), row.cancelReason(), null);
    }
}
