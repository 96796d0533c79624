package org.schedctl.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

import org.jdbi.v3.core.Handle;
import org.schedctl.domain.AppointmentType;
import org.schedctl.domain.Checked;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.Text;
import org.schedctl.domain.TimeInput;
import org.schedctl.domain.User;
import org.schedctl.domain.Zones;
import org.schedctl.domain.booking.FreedSlot;
import org.schedctl.domain.booking.WaitlistEntry;
import org.schedctl.domain.booking.WaitlistMatcher;
import org.schedctl.domain.booking.WaitlistStatus;
import org.schedctl.store.Database;
import org.schedctl.store.dao.AppointmentDao;
import org.schedctl.store.dao.AppointmentDao.CheckResult;

/**
 * Students waiting for a time. When a slot frees, the first matching waiter gets an offer: a hold on their
 * behalf (expiring after {@link #OFFER_TIME}, never after the slot starts) and a 'waitlist_offer' notification.
 * An offer that lapses is expired like any hold (HoldService.expireHolds, the daemon's hold-expiry job), and
 * the slot passes to the next in line.
 */
public final class WaitlistService implements FreedSlots {
    public static final Duration OFFER_TIME = Duration.ofMinutes(30);

    private final Database db;
    private final Clock clock;

    public WaitlistService(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public record WaitlistView(long id, String student, String instructor, String type, Instant from, Instant to,
                               String status, String offeredReference, Long holdId, Instant offerExpiresAt,
                               Instant createdAt) {
    }

    private static final org.jdbi.v3.core.mapper.RowMapper<WaitlistView> VIEW_MAPPER =
            org.jdbi.v3.core.mapper.reflect.ConstructorMapper.of(WaitlistView.class);

    private static final String SELECT_VIEW = """
            SELECT w.id, s.email AS student, i.email AS instructor, t.slug AS type, w.window_start AS "from",
                   w.window_end AS "to", w.status, a.reference AS offered_reference,
                   CASE WHEN w.status = 'offered' THEN a.booking_session_id END AS hold_id, w.offer_expires_at, w.created_at
              FROM appointment_waitlist w
              JOIN users s ON s.id = w.student_id
              JOIN users i ON i.id = w.instructor_id
              JOIN appointment_types t ON t.id = w.type_id
              LEFT JOIN appointments a ON a.id = w.offered_appointment_id
            """;

    /** Puts a student on the waitlist for the window {@code from}..{@code to} (local times read in {@code tz}, else the instructor's zone). */
    public WaitlistView add(String instructor, String type, String student, TimeInput.Arg from, TimeInput.Arg to, Checked<ZoneId> tz) {
        Instant now = clock.instant();
        return db.inTransaction(handle -> {
            User teacher = Lookups.instructor(handle, instructor);
            AppointmentType kind = Lookups.type(handle, type);
            if (kind.instructorId() != teacher.id()) {
                throw new InvalidInputException("appointment type '" + kind.slug() + "' is not offered by " + teacher.email()
                        + ". See `schedctl type list --instructor " + teacher.email() + "`");
            }
            User learner = Lookups.user(handle, student);
            if (learner.id() == teacher.id()) {
                throw new InvalidInputException("the student and the instructor are the same user. Name the student who waits");
            }
            Access.Actor me = Access.actor(handle);
            // the student, a linked guardian (issue 17), the instructor or an administrator
            if (!me.isAdmin() && me.id() != teacher.id() && !Access.actsFor(handle, learner.id())) {
                throw new org.schedctl.domain.PermissionDeniedException("only the student themselves, the instructor or an administrator can put "
                        + learner.email() + " on " + teacher.email() + "'s waitlist. Run it with --as one of them");
            }
            ZoneId zone = tz != null ? tz.get() : Zones.parse(teacher.timezone());
            Instant start = from.in(zone);
            Instant end = to.in(zone);
            if (!end.isAfter(start)) {
                throw new InvalidInputException("--to must be after --from. Give the window the student can attend");
            }
            if (!end.isAfter(now)) {
                throw new InvalidInputException("the window ends in the past. Give a future window");
            }
            if (Duration.between(start, end).compareTo(kind.duration()) < 0) {
                throw new InvalidInputException("the window is shorter than a " + kind.slug() + " session. Give a longer window");
            }
            long id = handle.createQuery("""
                            INSERT INTO appointment_waitlist (student_id, instructor_id, type_id, window_start, window_end)
                            VALUES (:student, :instructor, :type, :from, :to) RETURNING id
                            """)
                    .bind("student", learner.id()).bind("instructor", teacher.id()).bind("type", kind.id())
                    .bind("from", start).bind("to", end).mapTo(Long.class).one();
            return find(handle, id);
        });
    }

    public List<WaitlistView> list(String instructor, String student, String status, boolean all) {
        String wanted = status == null ? null : parseStatus(status).dbValue();
        return db.inTransaction(handle -> {
            Long teacher = instructor == null ? null : Lookups.instructor(handle, instructor).id();
            Long learner = student == null ? null : Lookups.user(handle, student).id();
            return handle.createQuery(SELECT_VIEW + """
                             WHERE (:instructor::bigint IS NULL OR w.instructor_id = :instructor)
                               AND (:student::bigint IS NULL OR w.student_id = :student)
                               AND (CASE WHEN :status::text IS NOT NULL THEN w.status = :status
                                         ELSE :all OR w.status IN ('waiting', 'offered') END)
                             ORDER BY w.created_at, w.id
                            """)
                    .bind("instructor", teacher).bind("student", learner).bind("status", wanted).bind("all", all)
                    .map(VIEW_MAPPER).list();
        });
    }

    /** Takes a student off the waitlist; an open offer is released and passes to the next in line. */
    public WaitlistView remove(String idText) {
        long id = Text.positiveId(idText, "waitlist id", "Give the number `schedctl waitlist list` shows");
        Instant now = clock.instant();
        List<FreedSlot> freedSlots = new java.util.ArrayList<>();
        WaitlistView removed = db.inTransaction(handle -> {
            Long instructorId = handle.createQuery("SELECT instructor_id FROM appointment_waitlist WHERE id = :id")
                    .bind("id", id).mapTo(Long.class).findOne()
                    .orElseThrow(() -> new NotFoundException("no waitlist entry " + id + ". See `schedctl waitlist list`"));
            AppointmentDao dao = handle.attach(AppointmentDao.class);
            List<AppointmentDao.ExpiredHold> freed = new java.util.ArrayList<>(dao.prepare(instructorId, now));
            WaitlistView entry = find(handle, id);
            if (!entry.status().equals("waiting") && !entry.status().equals("offered")) {
                throw new ConflictException("waitlist entry " + id + " is " + entry.status() + "; only waiting or offered entries can be removed");
            }
            handle.createUpdate("UPDATE appointment_waitlist SET status = 'removed' WHERE id = :id").bind("id", id).execute();
            if (entry.status().equals("offered") && entry.offeredReference() != null) {
                var hold = dao.byReference(entry.offeredReference()).orElseThrow();
                if ("held".equals(hold.status())) {
                    handle.createUpdate("""
                                    UPDATE appointments SET status = 'cancelled', cancelled_at = :now,
                                           cancel_reason = 'waitlist entry removed' WHERE id = :id
                                    """).bind("now", now).bind("id", hold.id()).execute();
                    dao.setHoldStep(hold.bookingSessionId(), "abandoned");
                    dao.cancelOwedNotifications(hold.id(), null);
                    dao.record(hold.id(), now, "cancel", "held", BookingRows.details("waitlist_id", id), new String[0], null);
                    freed.add(new AppointmentDao.ExpiredHold(hold.id(), hold.typeId(), hold.startsAt(), hold.endsAt(),
                            hold.studentId(), null));
                }
            }
            for (var slot : freed) {
                freedSlots.add(new FreedSlot(instructorId, slot.typeId(), slot.startsAt(), slot.endsAt()));
            }
            return find(handle, id);
        });
        offerAfterCommit(freedSlots, now);
        return removed;
    }

    /**
     * Offers freed slots to the waitlist in a transaction of its own, acting as the system (the built-in
     * administrator): the student who cancelled may not write a hold for the next student under row-level
     * security, and a failed offer must not undo the cancellation. Runs after the freeing transaction commits,
     * under the instructor's booking lock.
     */
    @Override
    public void offerAfterCommit(List<FreedSlot> slots, Instant now) {
        if (slots.isEmpty()) {
            return;
        }
        try {
            offerAll(slots, now);
        } catch (RuntimeException e) {
            // The change that freed the slots has committed; a failed offer leaves the slot free and bookable, and
            // must not turn a successful cancel or booking into an error.
            org.slf4j.LoggerFactory.getLogger(WaitlistService.class).warn("waitlist offer failed: {}", e.toString());
        }
    }

    private void offerAll(List<FreedSlot> slots, Instant now) {
        db.as(null, "waitlist offer").useTransaction(handle -> {
            AppointmentDao dao = handle.attach(AppointmentDao.class);
            java.util.Set<Long> locked = new java.util.HashSet<>();
            List<FreedSlot> all = new java.util.ArrayList<>(slots);
            for (int i = 0; i < all.size(); i++) {
                FreedSlot slot = all.get(i);
                if (locked.add(slot.instructorId())) {
                    for (var hold : dao.prepare(slot.instructorId(), now)) {
                        all.add(new FreedSlot(slot.instructorId(), hold.typeId(), hold.startsAt(), hold.endsAt()));
                    }
                }
                offer(handle, slot, now);
            }
        });
    }

    /**
     * Offers a freed slot to the first waiter in line, inside the caller's transaction (which holds the
     * instructor's booking lock). Does nothing when nobody fits, the slot is about to start, or it is not
     * bookable (e.g. taken again, or inside the minimum notice).
     */
    @Override
    public void offer(Handle handle, FreedSlot slot, Instant now) {
        offered(handle, slot, now);
    }

    /** {@link #offer}, answering the id of the hold offered, if any. */
    Optional<Long> offered(Handle handle, FreedSlot slot, Instant now) {
        List<WaitlistEntry> candidates = handle.createQuery("""
                        SELECT id, student_id, instructor_id, type_id, window_start, window_end, created_at, status
                          FROM appointment_waitlist
                         WHERE instructor_id = :instructor AND type_id = :type AND status = 'waiting'
                           AND window_start <= :start AND window_end >= :end
                         ORDER BY created_at, id LIMIT 50
                        """)
                .bind("instructor", slot.instructorId()).bind("type", slot.typeId())
                .bind("start", slot.start()).bind("end", slot.end())
                .map((rs, ctx) -> new WaitlistEntry(rs.getLong("id"), rs.getLong("student_id"), rs.getLong("instructor_id"),
                        rs.getLong("type_id"), rs.getObject("window_start", java.time.OffsetDateTime.class).toInstant(),
                        rs.getObject("window_end", java.time.OffsetDateTime.class).toInstant(),
                        rs.getObject("created_at", java.time.OffsetDateTime.class).toInstant(),
                        WaitlistStatus.fromDb(rs.getString("status"))))
                .list();
        Optional<WaitlistEntry> first = WaitlistMatcher.firstInLine(slot, candidates);
        Optional<Instant> expiry = WaitlistMatcher.offerExpiry(now, OFFER_TIME, slot.start());
        if (first.isEmpty() || expiry.isEmpty()) {
            return Optional.empty();
        }
        AppointmentDao dao = handle.attach(AppointmentDao.class);
        CheckResult check = dao.check(slot.instructorId(), slot.typeId(), slot.start(), slot.end(), null, now);
        if (!check.ok()) {
            return Optional.empty();
        }
        WaitlistEntry waiter = first.get();
        AppointmentType type = Lookups.type(handle, String.valueOf(slot.typeId()));
        AppointmentDao.BookingRules rules = dao.rules(slot.typeId());
        long appointmentId = BookingRows.createHold(dao, slot.instructorId(), type, waiter.studentId(), slot.start(),
                slot.end(), Zones.parse(rules.instructorZone()), rules, expiry.get(), waiter.id(), now);
        handle.createUpdate("""
                        UPDATE appointment_waitlist SET status = 'offered', offered_appointment_id = :appointment,
                               offer_expires_at = :expires WHERE id = :id
                        """)
                .bind("appointment", appointmentId).bind("expires", expiry.get()).bind("id", waiter.id()).execute();
        return Optional.of(appointmentId);
    }

    private static WaitlistView find(Handle handle, long id) {
        return handle.createQuery(SELECT_VIEW + " WHERE w.id = :id").bind("id", id).map(VIEW_MAPPER).one();
    }

    private static WaitlistStatus parseStatus(String text) {
        try {
            return WaitlistStatus.fromDb(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("unknown waitlist status '" + text + "'. Use waiting, offered, booked, expired or removed");
        }
    }
}
