package org.schedctl.service;

import java.time.Instant;
import java.time.ZoneId;

import org.jdbi.v3.core.Handle;
import org.schedctl.domain.AppointmentType;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.User;
import org.schedctl.domain.Zones;
import org.schedctl.domain.booking.BookingOutcome;
import org.schedctl.domain.booking.BookingRequest;
import org.schedctl.service.BookingRefusals.Refusal;
import org.schedctl.service.HoldService.BookRequest;
import org.schedctl.service.SlotSuggestions.SlotConflict;
import org.schedctl.service.SlotSuggestions.Target;
import org.schedctl.store.dao.AppointmentDao;
import org.schedctl.store.dao.AppointmentDao.AppointmentRow;
import org.schedctl.store.dao.AppointmentDao.BookingRules;
import org.schedctl.store.dao.AppointmentDao.CheckResult;

/** A book or hold request resolved step by step in Java (holds, and book requests book_appointment cannot take). */
final class BookingResolver {
    private BookingResolver() {
    }

    /** The instructor, type, student and start of a book/hold request, and the rules that apply. */
    record Resolved(User instructor, AppointmentType type, User student, BookingRequest request, Instant end,
                    BookingRules rules, ZoneId zone) {
    }

    static Resolved resolve(Handle handle, BookRequest r, Instant now) {
        if (r.instructor() == null || r.type() == null || r.student() == null || r.at() == null) {
            throw new InvalidInputException("--instructor, --type, --student and --at are required (or --hold ID). "
                    + "See 'schedctl book --help'");
        }
        User instructor = Lookups.instructor(handle, r.instructor());
        AppointmentType type = Lookups.type(handle, r.type());
        Refusal refusal = Refusal.of(BookingOutcome.TYPE_NOT_OFFERED).found(instructor.email(), instructor.role(), type.slug());
        if (type.instructorId() != instructor.id()) {
            throw BookingRefusals.exception(refusal);
        }
        if (type.archived()) {
            throw BookingRefusals.exception(Refusal.of(BookingOutcome.ARCHIVED).found(null, null, type.slug()));
        }
        User student = Lookups.user(handle, r.student());
        ZoneId zone = r.tz() != null ? r.tz().get() : Zones.parse(instructor.timezone());
        Instant start = r.at().in(zone);
        BookingRequest request = new BookingRequest(instructor.id(), type.id(), student.id(), start);
        request.requireFuture(now);
        BookingRules rules = handle.attach(AppointmentDao.class).rules(type.id());
        return new Resolved(instructor, type, student, request, start.plus(type.duration()), rules, zone);
    }

    /** Refuses (with the slot, for suggestions) a time the instructor's rules do not allow. */
    static void requireAvailable(AppointmentDao dao, Resolved res, Instant now) {
        CheckResult check = dao.check(res.instructor().id(), res.type().id(), res.request().start(), res.end(), null, now);
        if (!check.ok()) {
            throw new SlotConflict((ConflictException) BookingRefusals.exception(Refusal.of(BookingOutcome.UNAVAILABLE)
                    .check("book " + BookingRows.format(res.request().start(), res.zone()), check.message())),
                    new Target(res.instructor().id(), res.type().id(), res.request().start(), res.zone()));
        }
    }

    /** {@code book --hold ID} may repeat the hold's names and time, but not name others. */
    static void checkHoldMatches(Handle handle, BookRequest r, AppointmentRow hold) {
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
            ZoneId zone = r.tz() != null ? r.tz().get() : Zones.parse(hold.timezone());
            if (!r.at().in(zone).equals(hold.startsAt())) {
                throw new ConflictException("hold " + r.holdId() + " is for " + BookingRows.format(hold.startsAt(), zone) + ". Leave out --at or give that time");
            }
        }
    }
}
