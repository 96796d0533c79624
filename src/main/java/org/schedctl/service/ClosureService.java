package org.schedctl.service;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.schedctl.calendar.IcsBusyReader;
import org.schedctl.domain.Checked;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.PermissionDeniedException;
import org.schedctl.domain.Text;
import org.schedctl.domain.TimeInput;
import org.schedctl.domain.TimeInput.InstantRange;
import org.schedctl.domain.User;
import org.schedctl.domain.Zones;
import org.schedctl.store.Database;

/**
 * Closures (issue 16): times nobody they cover may be booked — the whole school's (a holiday, a snow day) or one
 * instructor's. They take effect in SQL, in instructor_free_time, so the guard refuses them (reason 'closed') and
 * the slot lister leaves them out; a series skips them.
 */
public final class ClosureService {
    /** How far ahead `closure import` reads a holiday calendar (its recurring events are expanded up to here). */
    public static final Duration IMPORT_AHEAD = Duration.ofDays(3 * 366);

    private final Database db;
    private final Clock clock;

    public ClosureService(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** {@code instructor} is null for a school-wide closure. */
    public record ClosureView(long id, String instructor, Instant from, Instant to, String reason) {
    }

    public record ImportView(int eventsRead, int added, int alreadyKnown, List<String> warnings) {
    }

    private static final String SELECT = """
            SELECT c.id, u.email AS instructor, lower(c.during) AS "from", upper(c.during) AS "to", c.reason
              FROM closures c LEFT JOIN users u ON u.id = c.instructor_id
            """;

    public ClosureView add(TimeInput.Arg from, TimeInput.Arg to, String reason, String instructor, Checked<ZoneId> tz) {
        String why = Text.line(reason, "--reason", 200);
        return db.inTransaction(handle -> {
            User who = instructor == null ? null : Lookups.instructor(handle, instructor);
            requireWriter(handle, who);
            ZoneId zone = zone(handle, who, tz);
            Instant start = from.in(zone);
            Instant end = to.in(zone);
            if (!end.isAfter(start)) {
                throw new InvalidInputException("--to must be after --from. Give the closed period");
            }
            long id = handle.createQuery("INSERT INTO closures (instructor_id, during, reason) "
                            + "VALUES (:instructor, tstzrange(:from, :to, '[)'), :reason) RETURNING id")
                    .bind("instructor", who == null ? null : who.id()).bind("from", start).bind("to", end)
                    .bind("reason", why).mapTo(Long.class).one();
            return find(handle, id);
        });
    }

    public List<ClosureView> list(String instructor) {
        return db.inTransaction(handle -> {
            Long who = instructor == null ? null : Lookups.instructor(handle, instructor).id();
            return handle.createQuery(SELECT + """
                             WHERE (:instructor::bigint IS NULL OR c.instructor_id IS NULL OR c.instructor_id = :instructor)
                             ORDER BY lower(c.during), c.id
                            """)
                    .bind("instructor", who).map(ConstructorMapper.of(ClosureView.class)).list();
        });
    }

    public ClosureView remove(String id) {
        long closure = Text.positiveId(id, "closure id", "Give the id `schedctl closure list` shows");
        return db.inTransaction(handle -> {
            ClosureView view = handle.createQuery(SELECT + " WHERE c.id = :id").bind("id", closure)
                    .map(ConstructorMapper.of(ClosureView.class)).findOne()
                    .orElseThrow(() -> new NotFoundException("no closure with id " + closure + ". See `schedctl closure list`"));
            requireWriter(handle, view.instructor() == null ? null : Lookups.instructor(handle, view.instructor()));
            handle.createUpdate("DELETE FROM closures WHERE id = :id").bind("id", closure).execute();
            return view;
        });
    }

    /**
     * Every event of a holiday calendar (all-day dates read in the instructor's zone, else --tz, else the acting
     * user's) becomes a closure with its SUMMARY as the reason; an event imported before (same UID and
     * occurrence) is left as it is. One transaction.
     */
    public ImportView importFile(String file, InputStream stdin, String instructor, Checked<ZoneId> tz) {
        byte[] content = CalendarImportService.read(file, stdin);
        String name = "-".equals(file) ? "stdin" : Path.of(file).getFileName().toString();
        Instant now = clock.instant();
        return db.inTransaction(handle -> {
            User who = instructor == null ? null : Lookups.instructor(handle, instructor);
            requireWriter(handle, who);
            ZoneId zone = zone(handle, who, tz);
            IcsBusyReader.Result parsed = new IcsBusyReader(zone, new InstantRange(now.minus(CalendarImportService.PAST),
                    now.plus(IMPORT_AHEAD)), name).withTransparentEvents().read(content);
            int added = 0;
            int known = 0;
            for (IcsBusyReader.BusyEvent event : parsed.busy()) {
                String reason = event.summary() == null || event.summary().isBlank() ? "closed (" + name + ")"
                        : Text.printable(event.summary().strip());
                reason = reason.replaceAll("\\p{Cntrl}", " ");
                reason = reason.length() > 200 ? reason.substring(0, 200) : reason;
                for (InstantRange busy : event.busy()) {
                    String uid = event.uid() + (event.recurrenceId() == null ? "" : "/" + event.recurrenceId()) + "@" + busy.start();
                    uid = (who == null ? "school:" : who.id() + ":") + uid;
                    int n = handle.createUpdate("""
                                    INSERT INTO closures (instructor_id, during, reason, uid)
                                    VALUES (:instructor, tstzrange(:from, :to, '[)'), :reason, left(:uid, 500))
                                    ON CONFLICT (uid) WHERE uid IS NOT NULL DO NOTHING
                                    """)
                            .bind("instructor", who == null ? null : who.id()).bind("from", busy.start())
                            .bind("to", busy.end()).bind("reason", reason).bind("uid", uid).execute();
                    if (n == 1) {
                        added++;
                    } else {
                        known++;
                    }
                }
            }
            return new ImportView(parsed.eventsRead(), added, known, parsed.warnings());
        });
    }

    private static void requireWriter(Handle handle, User instructor) {
        Access.Actor me = Access.actor(handle);
        if (me.isAdmin()) {
            return;
        }
        if (instructor == null) {
            throw new PermissionDeniedException("only administrators can close the whole school. Name --instructor, or ask an administrator");
        }
        if (me.id() != instructor.id()) {
            throw new PermissionDeniedException("only the instructor themselves or an administrator can change "
                    + instructor.email() + "'s closures. Run it with --as that instructor, or ask an administrator");
        }
    }

    /** Local times are read in --tz, else the instructor's zone, else the acting user's. */
    private static ZoneId zone(Handle handle, User instructor, Checked<ZoneId> tz) {
        if (tz != null) {
            return tz.get();
        }
        if (instructor != null) {
            return Zones.parse(instructor.timezone());
        }
        return Zones.parse(handle.createQuery("SELECT timezone FROM users WHERE id = app_current_user_id()")
                .mapTo(String.class).one());
    }

    private static ClosureView find(Handle handle, long id) {
        return handle.createQuery(SELECT + " WHERE c.id = :id").bind("id", id)
                .map(ConstructorMapper.of(ClosureView.class)).one();
    }
}
