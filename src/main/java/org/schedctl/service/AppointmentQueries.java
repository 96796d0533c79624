package org.schedctl.service;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;

import org.schedctl.domain.Checked;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.TimeInput;
import org.schedctl.domain.User;
import org.schedctl.domain.Zones;
import org.schedctl.domain.booking.AppointmentStatus;
import org.schedctl.domain.booking.BookingReference;
import org.schedctl.store.Database;
import org.schedctl.store.dao.AppointmentDao;
import org.schedctl.store.dao.AppointmentDao.AppointmentRow;

/** Reading appointments: one with its history ({@code appointments show}), or a filtered list. */
public final class AppointmentQueries {
    private final Database db;

    public AppointmentQueries(Database db) {
        this.db = db;
    }

    public AppointmentView show(String reference) {
        BookingReference ref = BookingReference.parse(reference);
        return db.inTransaction(handle -> {
            AppointmentDao dao = handle.attach(AppointmentDao.class);
            AppointmentRow row = dao.byReference(ref.value()).orElseThrow(() -> BookingRows.notFound(ref.value()));
            List<AppointmentView.HistoryEntry> history = dao.history(row.id()).stream()
                    .map(e -> new AppointmentView.HistoryEntry(e.at(), e.action(), e.actor(), e.fromStatus(), e.toStatus(),
                            e.startsAt(), e.endsAt(), e.details()))
                    .toList();
            return BookingRows.view(row).withHistory(history);
        });
    }

    /** Days {@code from} and {@code to} are both included, read in {@code tz}, else the instructor's zone, else UTC. */
    public record ListFilter(String instructor, String student, String status, Checked<LocalDate> from,
                             Checked<LocalDate> to, Checked<ZoneId> tz) {
    }

    public List<AppointmentView> list(ListFilter f) {
        String status = f.status() == null ? null : AppointmentStatus.fromDb(f.status()).dbValue();
        return db.inTransaction(handle -> {
            User instructor = f.instructor() == null ? null : Lookups.instructor(handle, f.instructor());
            User student = f.student() == null ? null : Lookups.user(handle, f.student());
            ZoneId zone = f.tz() != null ? f.tz().get()
                    : instructor != null ? Zones.parse(instructor.timezone()) : ZoneId.of("UTC");
            LocalDate fromDay = f.from() == null ? null : f.from().get();
            LocalDate toDay = f.to() == null ? null : f.to().get();
            if (fromDay != null && toDay != null && toDay.isBefore(fromDay)) {
                throw new InvalidInputException("--to " + f.to().text() + " is before --from " + f.from().text()
                        + ". Give --from first (both days are included)");
            }
            Instant from = fromDay == null ? null : TimeInput.dateRange(fromDay, fromDay, zone).start();
            Instant to = toDay == null ? null : TimeInput.dateRange(toDay, toDay, zone).end();
            return handle.attach(AppointmentDao.class)
                    .list(instructor == null ? null : instructor.id(), student == null ? null : student.id(), status, from, to)
                    .stream().map(BookingRows::view).toList();
        });
    }
}
