package org.schedctl.service;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import org.schedctl.calendar.CalendarLinks;
import org.schedctl.calendar.IcsWriter;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.TimeInput;
import org.schedctl.domain.User;
import org.schedctl.domain.Zones;
import org.schedctl.domain.calendar.ExportedAppointment;
import org.schedctl.store.Database;
import org.schedctl.store.dao.AppointmentExportDao;

/** `export ics|csv|json|links`: which appointments, read once; rendering is the caller's or {@link IcsWriter}'s. */
public final class ExportService {
    /** More rows than this is a mistake (or an attack on memory); narrow with --from/--to. */
    public static final int MAX_ROWS = 100_000;

    private final Database db;

    public ExportService(Database db) {
        this.db = db;
    }

    /**
     * Who and when: at most one of instructor, student, reference; dates are whole local days, inclusive, read in
     * --tz, else the named person's zone, else {@code fallbackZone} (the system zone, per CLI.md).
     */
    public record Selection(String instructor, String student, String reference, String from, String to, String tz,
                            ZoneId fallbackZone) {
    }

    /** The selected appointments and the zone their dates were read in. */
    public record Selected(List<ExportedAppointment> appointments, ZoneId zone) {
    }

    public Selected select(Selection s) {
        int named = (s.instructor() != null ? 1 : 0) + (s.student() != null ? 1 : 0) + (s.reference() != null ? 1 : 0);
        if (named > 1) {
            throw new InvalidInputException("--instructor, --student and --ref exclude each other. Give at most one");
        }
        return db.inTransaction(handle -> {
            User person = s.instructor() != null ? Lookups.instructor(handle, s.instructor())
                    : s.student() != null ? Lookups.user(handle, s.student()) : null;
            if (s.instructor() != null && Access.actor(handle).isInstructor()) {
                // Students exporting "their appointments with instructor X" is fine (RLS keeps it to theirs);
                // another instructor would silently get an empty calendar, so say why.
                Access.requireSelfOrAdmin(handle, person.id(), "export the calendar of " + person.email());
            }
            ZoneId zone = s.tz() != null ? Zones.parse(s.tz()) : person != null ? Zones.parse(person.timezone())
                    : s.fallbackZone() != null ? s.fallbackZone() : ZoneOffset.UTC;
            Instant from = s.from() == null ? null : TimeInput.parseDate(s.from()).atStartOfDay(zone).toInstant();
            Instant to = s.to() == null ? null : TimeInput.parseDate(s.to()).plusDays(1).atStartOfDay(zone).toInstant();
            if (from != null && to != null && !to.isAfter(from)) {
                throw new InvalidInputException("--to is before --from. Give --from before --to (both days are included)");
            }
            String reference = s.reference() == null ? null : s.reference().trim().toUpperCase(java.util.Locale.ROOT);
            List<ExportedAppointment> rows = handle.attach(AppointmentExportDao.class).find(
                    person != null && s.instructor() != null ? person.id() : null,
                    person != null && s.student() != null ? person.id() : null,
                    reference, from, to, MAX_ROWS + 1);
            if (rows.size() > MAX_ROWS) {
                throw new InvalidInputException("more than " + MAX_ROWS + " appointments match. Narrow the export with --from/--to");
            }
            if (reference != null && rows.isEmpty()) {
                throw new NotFoundException("appointment '" + reference + "' not found. Check the booking reference");
            }
            return new Selected(rows, zone);
        });
    }

    public String ics(Selection selection, Clock clock) {
        return IcsWriter.write(select(selection).appointments(), clock.instant());
    }

    public CalendarLinks.Links links(String reference) {
        if (reference == null || !reference.trim().toUpperCase(java.util.Locale.ROOT).matches("[A-HJ-NP-Z2-9]{8}")) {
            throw new InvalidInputException("bad booking reference '" + reference + "'. Give the 8-character reference, e.g. K7QX2MPA");
        }
        List<ExportedAppointment> rows = select(new Selection(null, null, reference, null, null, null, null)).appointments();
        return CalendarLinks.of(rows.get(0));
    }
}
