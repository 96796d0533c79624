package org.schedctl.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jdbi.v3.core.statement.Query;

import org.schedctl.calendar.CalendarLinks;
import org.schedctl.calendar.IcsWriter;
import org.schedctl.domain.Checked;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.TimeInput;
import org.schedctl.domain.User;
import org.schedctl.domain.Zones;
import org.schedctl.domain.calendar.ExportedAppointment;
import org.schedctl.store.Database;

/**
 * `export ics|csv|json|links`: which appointments, streamed from one cursor so an export of any size holds one row at
 * a time; rendering is the caller's or {@link IcsWriter}'s. There is no cap on the count.
 */
public final class ExportService {
    /** Rows fetched per round trip by the export cursor. */
    static final int FETCH_SIZE = 2_000;
    /** How often a feed asks to be refreshed when no --refresh is given. */
    public static final Duration FEED_REFRESH = Duration.ofHours(1);

    private static final String FROM_WHERE = """
            FROM appointments a
            JOIN users i ON i.id = a.instructor_id
            JOIN users s ON s.id = a.student_id
            JOIN appointment_types t ON t.id = a.type_id
            WHERE a.status <> 'held'
              AND (:instructorId::bigint IS NULL OR a.instructor_id = :instructorId)
              AND (:studentId::bigint IS NULL OR a.student_id = :studentId)
              AND (:reference::text IS NULL OR a.reference = :reference)
              AND (:from::timestamptz IS NULL OR a.ends_at > :from)
              AND (:to::timestamptz IS NULL OR a.starts_at < :to)
            """;

    private final Database db;

    public ExportService(Database db) {
        this.db = db;
    }

    /**
     * Who and when: at most one of instructor, student, reference; dates are whole local days, inclusive, read in
     * --tz, else the named person's zone, else {@code fallbackZone} (the system zone, per CLI.md).
     */
    public record Selection(String instructor, String student, String reference, Checked<LocalDate> from,
                            Checked<LocalDate> to, Checked<ZoneId> tz, ZoneId fallbackZone) {
    }

    /** The selected appointments and the zone their dates were read in. */
    public record Selected(List<ExportedAppointment> appointments, ZoneId zone) {
    }

    /** What a selection resolved to: ids and instants for the query, the zone for display, the person named. */
    private record Criteria(Long instructorId, Long studentId, String reference, Instant from, Instant to, ZoneId zone,
                            User person) {
        Query bind(Query query) {
            return query.bind("instructorId", instructorId).bind("studentId", studentId).bind("reference", reference)
                    .bind("from", from).bind("to", to);
        }
    }

    /** Receives a streamed export: first the zone the dates were read in (and, when asked, the zones' spans), then rows. */
    public interface Sink {
        void begin(ZoneId zone, User person, List<IcsWriter.ZoneSpan> zones);

        void row(ExportedAppointment appointment);

        /** After the last row, still inside the transaction. */
        default void end() {
        }
    }

    private Criteria criteria(Handle handle, Selection s) {
        int named = (s.instructor() != null ? 1 : 0) + (s.student() != null ? 1 : 0) + (s.reference() != null ? 1 : 0);
        if (named > 1) {
            throw new InvalidInputException("--instructor, --student and --ref exclude each other. Give at most one");
        }
        User person = s.instructor() != null ? Lookups.instructor(handle, s.instructor())
                : s.student() != null ? Lookups.user(handle, s.student()) : null;
        if (s.instructor() != null && Access.actor(handle).isInstructor()) {
            // Students exporting "their appointments with instructor X" is fine (RLS keeps it to theirs);
            // another instructor would silently get an empty calendar, so say why.
            Access.requireSelfOrAdmin(handle, person.id(), "export the calendar of " + person.email());
        }
        ZoneId zone = s.tz() != null ? s.tz().get() : person != null ? Zones.parse(person.timezone())
                : s.fallbackZone() != null ? s.fallbackZone() : ZoneOffset.UTC;
        Instant from = s.from() == null ? null : s.from().get().atStartOfDay(zone).toInstant();
        Instant to = s.to() == null ? null : s.to().get().plusDays(1).atStartOfDay(zone).toInstant();
        if (from != null && to != null && !to.isAfter(from)) {
            throw new InvalidInputException("--to is before --from. Give --from before --to (both days are included)");
        }
        String reference = s.reference() == null ? null : s.reference().trim().toUpperCase(java.util.Locale.ROOT);
        return new Criteria(person != null && s.instructor() != null ? person.id() : null,
                person != null && s.student() != null ? person.id() : null, reference, from, to, zone, person);
    }

    /** The selection as a list: for one booking (links) and small reads; exports use {@link #stream}. */
    public Selected select(Selection s) {
        List<ExportedAppointment> rows = new ArrayList<>();
        ZoneId[] zone = new ZoneId[1];
        stream(s, false, new Sink() {
            @Override
            public void begin(ZoneId z, User person, List<IcsWriter.ZoneSpan> zones) {
                zone[0] = z;
            }

            @Override
            public void row(ExportedAppointment appointment) {
                rows.add(appointment);
            }
        });
        return new Selected(rows, zone[0]);
    }

    /**
     * Streams the selection in start order inside one transaction. Everything that can refuse the selection (bad
     * input, no such person or reference) is checked before {@link Sink#begin}, so a refused export writes nothing.
     */
    public void stream(Selection s, boolean withZones, Sink sink) {
        db.useTransaction(handle -> {
            Criteria c = criteria(handle, s);
            if (c.reference() != null) {
                boolean exists = c.bind(handle.createQuery("SELECT EXISTS (SELECT 1 " + FROM_WHERE + ")")).mapTo(Boolean.class).one();
                if (!exists) {
                    throw new NotFoundException("appointment '" + c.reference() + "' not found. Check the booking reference");
                }
            }
            List<IcsWriter.ZoneSpan> zones = !withZones ? List.of() : c.bind(handle.createQuery(
                            "SELECT a.timezone, min(a.starts_at) AS first, max(a.ends_at) AS last " + FROM_WHERE
                                    + " GROUP BY a.timezone ORDER BY a.timezone"))
                    .map((rs, ctx) -> new IcsWriter.ZoneSpan(rs.getString(1), rs.getObject(2, java.time.OffsetDateTime.class).toInstant(),
                            rs.getObject(3, java.time.OffsetDateTime.class).toInstant()))
                    .list();
            sink.begin(c.zone(), c.person(), zones);
            try (var rows = c.bind(handle.createQuery("""
                            SELECT a.reference, a.status, i.email AS instructor, s.email AS student, t.slug AS type,
                                   a.starts_at AS start, a.ends_at AS "end", a.timezone, a.price, a.currency,
                                   CASE WHEN a.status = 'cancelled' AND NOT a.fee_waived THEN a.fee END AS fee, a.created_at,
                                   i.name AS instructor_name, s.name AS student_name, t.name AS type_name,
                                   coalesce(a.meeting_url, t.location) AS location, a.notes, a.reschedule_count
                            """ + FROM_WHERE + " ORDER BY a.starts_at, a.reference"))
                    .setFetchSize(FETCH_SIZE)
                    .map(ConstructorMapper.of(ExportedAppointment.class))
                    .stream()) {
                rows.forEach(sink::row);
            }
            sink.end();
        });
    }

    /**
     * `export ics` to {@code out}, streamed. With {@code feed}, the calendar is a subscription feed: RFC 7986 NAME,
     * REFRESH-INTERVAL and SOURCE, and each event's DTSTAMP is its booking's creation time, so the bytes change only
     * when the appointments do (a feed served with an ETag stays cached until then).
     */
    public void ics(Selection selection, Clock clock, FeedOptions feed, Appendable out) {
        if (feed != null && selection.instructor() == null && selection.student() == null) {
            throw new InvalidInputException("--feed needs --instructor or --student. Give whose feed to write");
        }
        Instant now = clock.instant();
        stream(selection, true, new Sink() {
            @Override
            public void begin(ZoneId zone, User person, List<IcsWriter.ZoneSpan> zones) {
                IcsWriter.Feed header = feed == null ? null : new IcsWriter.Feed(
                        feed.name() != null ? feed.name() : "schedctl: " + person.name()
                                + (selection.instructor() != null ? " (teaching)" : " (lessons)"),
                        feed.refresh() != null ? feed.refresh() : FEED_REFRESH, feed.source());
                io(() -> IcsWriter.begin(out, zones, header));
            }

            @Override
            public void row(ExportedAppointment a) {
                io(() -> IcsWriter.event(out, a, feed == null ? now : a.createdAt()));
            }

            @Override
            public void end() {
                io(() -> IcsWriter.end(out));
            }
        });
    }

    /** A feed's options as given; null fields take their defaults. */
    public record FeedOptions(String name, Duration refresh, String source) {
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void io(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public CalendarLinks.Links links(String reference) {
        if (reference == null || !reference.trim().toUpperCase(java.util.Locale.ROOT).matches("[A-HJ-NP-Z2-9]{8}")) {
            throw new InvalidInputException("bad booking reference '" + reference + "'. Give the 8-character reference, e.g. K7QX2MPA");
        }
        List<ExportedAppointment> rows = select(new Selection(null, null, reference, null, null, null, null)).appointments();
        return CalendarLinks.of(rows.get(0));
    }
}
