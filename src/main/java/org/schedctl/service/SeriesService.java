package org.schedctl.service;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.schedctl.domain.AppointmentType;
import org.schedctl.domain.Checked;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.Text;
import org.schedctl.domain.TimeInput;
import org.schedctl.domain.User;
import org.schedctl.domain.Zones;
import org.schedctl.domain.booking.BookingInputs;
import org.schedctl.domain.booking.BookingReference;
import org.schedctl.domain.booking.ReschedulePolicy;
import org.schedctl.domain.booking.SeriesPlan;
import org.schedctl.store.Database;
import org.schedctl.store.dao.AppointmentDao;
import org.schedctl.store.dao.AppointmentDao.AppointmentRow;
import org.schedctl.store.dao.AppointmentDao.CheckResult;

/**
 * Lesson series (issue 16): {@code book --repeat} plans the occurrences in java.time ({@link SeriesPlan}) and books
 * them in ONE transaction through the SQL function book_series, which runs the guard per occurrence under the
 * instructor's lock; each occurrence is an ordinary appointment linked to its series. {@code series cancel} and
 * {@code series reschedule} change "this and the following" occurrences in one transaction.
 */
public final class SeriesService {
    private final Database db;
    private final Clock clock;
    private final AppointmentLifecycleService lifecycle;
    private final FreedSlots freedSlots;

    public SeriesService(Database db, Clock clock, AppointmentLifecycleService lifecycle, FreedSlots freedSlots) {
        this.db = db;
        this.clock = clock;
        this.lifecycle = lifecycle;
        this.freedSlots = freedSlots;
    }

    /** What to do with an occurrence the guard refuses (a closure is always skipped). */
    public enum ConflictMode {
        FAIL, SKIP, NEAREST;

        public static ConflictMode parse(String text) {
            if (text == null) {
                return FAIL;
            }
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("bad --on-conflict '" + Text.printable(text) + "'. Give fail, skip or nearest");
            }
        }
    }

    public record SeriesRequest(String instructor, String type, String student, TimeInput.Arg at, Checked<ZoneId> tz,
                                String notes, String repeat, Checked<LocalDate> until, String term, ConflictMode mode,
                                Duration window, boolean dryRun) {
    }

    /** One occurrence: its planned start, where it is (or would be) booked, and what happened to it. */
    public record OccurrenceView(String series, int n, Instant planned, Instant start, String outcome, String reference,
                                 String note) {
    }

    public record SeriesView(String reference, String instructor, String student, String type, String rule,
                             String timezone, Instant first, Instant last, int active, int cancelled, int sequence) {
    }

    /** A change of "this and the following": how many occurrences, their references, and the fees summed. */
    public record SeriesChangeView(String series, String action, int occurrences, String references, BigDecimal fees,
                                   String currency) {
    }

    /** What book answers: the occurrences, shown in the series' zone. */
    public record Booked(List<OccurrenceView> occurrences, ZoneId zone) {
    }

    /** Thrown inside the transaction of a dry run, to roll it back and still hand the plan out. */
    private static final class DryRun extends RuntimeException {
        final transient Booked plan;

        DryRun(Booked plan) {
            super(null, null, false, false);
            this.plan = plan;
        }
    }

    public record Outcome(int n, Instant wanted, Instant startsAt, String outcome, String reason, String message,
                           String reference, String seriesReference) {
    }

    public Booked book(SeriesRequest r) {
        String notes = BookingInputs.text("--notes", r.notes(), BookingInputs.MAX_NOTES);
        Duration window = r.window() == null ? Duration.ofHours(2) : r.window();
        if (window.isNegative() || window.isZero() || window.compareTo(Duration.ofDays(7)) > 0) {
            throw new InvalidInputException("--window must be more than 0 and at most 7d, e.g. --window 2h");
        }
        Instant now = clock.instant();
        List<org.schedctl.domain.booking.FreedSlot> freed = new ArrayList<>();
        try {
            Booked booked = db.inTransaction(handle -> {
                User instructor = Lookups.instructor(handle, r.instructor());
                AppointmentType type = Lookups.type(handle, r.type());
                if (type.instructorId() != instructor.id()) {
                    throw new InvalidInputException("appointment type '" + type.slug() + "' is not offered by " + instructor.email()
                            + ". See `schedctl type list --instructor " + instructor.email() + "`");
                }
                User student = Lookups.user(handle, r.student());
                if (student.id() == instructor.id()) {
                    throw org.schedctl.domain.booking.BookingRequest.sameUser();
                }
                ZoneId zone = r.tz() != null ? r.tz().get() : Zones.parse(instructor.timezone());
                if (r.at() == null) {
                    throw new InvalidInputException("missing --at. Give the first lesson's start, e.g. --at 2027-09-06T16:00");
                }
                TimeInput.Parsed at = r.at().get();
                LocalDateTime first = at.instant() != null ? at.instant().atZone(zone).toLocalDateTime() : at.local();
                TimeInput.resolveLocal(first, zone); // the first lesson itself must exist and be unambiguous
                LocalDate until = r.until() == null ? null : r.until().get();
                String repeat = r.repeat();
                if (r.term() != null) {
                    TermService.TermView term = TermService.find(handle, r.term());
                    if (first.toLocalDate().isBefore(term.from()) || first.toLocalDate().isAfter(term.to())) {
                        throw new InvalidInputException("--at " + first.toLocalDate() + " is outside term '" + term.name() + "' ("
                                + term.from() + " to " + term.to() + "). Give a first lesson inside the term");
                    }
                    until = until == null || term.to().isBefore(until) ? term.to() : until;
                    repeat = repeat == null ? "weekly" : repeat;
                }
                SeriesPlan.Plan plan = SeriesPlan.plan(repeat, first, zone, until);
                // the instructor's lock and the sweep of lapsed holds (book_series finds nothing left to sweep),
                // whose slots go to the waitlist after commit
                BookingRows.collect(freed, instructor.id(), handle.attach(AppointmentDao.class).prepare(instructor.id(), now));
                List<Outcome> outcomes = call(handle, instructor.id(), type.id(), student.id(), plan, r.mode(), window, notes, now);
                List<OccurrenceView> views = views(plan, outcomes);
                if (r.dryRun()) {
                    // the series' reference is not kept: the transaction is rolled back
                    throw new DryRun(new Booked(views.stream().map(v -> new OccurrenceView(null, v.n(), v.planned(),
                            v.start(), v.outcome(), null, v.note())).toList(), zone));
                }
                List<OccurrenceView> conflicts = views.stream().filter(v -> v.outcome().equals("conflict")).toList();
                if (!conflicts.isEmpty()) {
                    throw new ConflictException("cannot book the series: " + conflicts.size() + " of " + views.size()
                            + " dates conflict: " + conflicts.stream().map(v -> BookingRows.format(v.planned(), zone) + " (" + v.note() + ")")
                            .collect(Collectors.joining("; ")) + ". Nothing was booked; use --on-conflict skip or nearest, or another time");
                }
                if (views.stream().noneMatch(v -> v.reference() != null)) {
                    throw new ConflictException("cannot book the series: none of its " + views.size()
                            + " dates is free. Nothing was booked; pick another time (see `schedctl availability slots`)");
                }
                return new Booked(views, zone);
            });
            freedSlots.offerAfterCommit(freed, now);
            return booked;
        } catch (DryRun dry) {
            return dry.plan;
        }
    }

    private static List<Outcome> call(Handle handle, long instructor, long type, long student, SeriesPlan.Plan plan,
                                      ConflictMode mode, Duration window, String notes, Instant now) {
        Instant[] starts = plan.occurrences().stream().map(SeriesPlan.Occurrence::start).toArray(Instant[]::new);
        return handle.createQuery("""
                        SELECT n, wanted, starts_at, outcome, reason, message, reference, series_reference
                          FROM book_series(:instructor, :type, :student, :starts::timestamptz[], :mode, make_interval(secs => :window),
                                           :rule, :local, :zone, :notes, :now)
                        """)
                .bind("instructor", instructor).bind("type", type).bind("student", student)
                .bind("starts", java.util.Arrays.stream(starts).map(Instant::toString).toArray(String[]::new))
                .bind("mode", (mode == null ? ConflictMode.FAIL : mode).name().toLowerCase(Locale.ROOT))
                .bind("window", (double) window.toSeconds()).bind("rule", plan.rule())
                .bind("local", plan.localStart()).bind("zone", plan.zone().getId()).bind("notes", notes)
                .bind("now", now)
                .map(ConstructorMapper.of(Outcome.class)).list();
    }

    private static List<OccurrenceView> views(SeriesPlan.Plan plan, List<Outcome> outcomes) {
        if (outcomes.size() != plan.occurrences().size()) {
            throw new org.schedctl.domain.PermissionDeniedException("you may not book for these people. Run it with --as the student,"
                    + " their instructor or an administrator");
        }
        List<OccurrenceView> views = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome o = outcomes.get(i);
            SeriesPlan.Occurrence planned = plan.occurrences().get(i);
            String note = switch (o.outcome()) {
                case "booked" -> planned.shiftNote(plan.zone());
                case "moved" -> "nearest free time (" + o.message() + ")";
                default -> o.message();
            };
            if (!o.outcome().equals("booked") && planned.shifted()) {
                note = planned.shiftNote(plan.zone()) + "; " + note;
            }
            views.add(new OccurrenceView(o.seriesReference(), o.n(), o.wanted(), o.startsAt(), o.outcome(), o.reference(), note));
        }
        return views;
    }

    private static final String SELECT_SERIES = """
            SELECT s.reference, i.email AS instructor, st.email AS student, t.slug AS type, s.rule, s.timezone,
                   min(a.starts_at) FILTER (WHERE a.status NOT IN ('cancelled', 'declined')) AS first,
                   max(a.starts_at) FILTER (WHERE a.status NOT IN ('cancelled', 'declined')) AS last,
                   count(a.id) FILTER (WHERE a.status NOT IN ('cancelled', 'declined'))::int AS active,
                   count(a.id) FILTER (WHERE a.status = 'cancelled')::int AS cancelled, s.sequence
              FROM appointment_series s
              JOIN users i ON i.id = s.instructor_id
              JOIN users st ON st.id = s.student_id
              JOIN appointment_types t ON t.id = s.type_id
              LEFT JOIN appointments a ON a.series_id = s.id
            """;

    public List<SeriesView> list(String instructor, String student) {
        return db.inTransaction(handle -> {
            Long teacher = instructor == null ? null : Lookups.instructor(handle, instructor).id();
            Long learner = student == null ? null : Lookups.user(handle, student).id();
            return handle.createQuery(SELECT_SERIES + """
                             WHERE (:instructor::bigint IS NULL OR s.instructor_id = :instructor)
                               AND (:student::bigint IS NULL OR s.student_id = :student)
                             GROUP BY s.id, i.email, st.email, t.slug ORDER BY s.created_at, s.id
                            """)
                    .bind("instructor", teacher).bind("student", learner)
                    .map(ConstructorMapper.of(SeriesView.class)).list();
        });
    }

    /** A series' occurrences with their status (the status is the outcome column), in planned order. */
    public List<OccurrenceView> show(String series) {
        String sref = seriesReference(series);
        return db.inTransaction(handle -> {
            long id = seriesId(handle, sref);
            return occurrences(handle, id, sref);
        });
    }

    /** The time zone a series keeps its local times in (for display). */
    public ZoneId zoneOf(String series) {
        String sref = seriesReference(series);
        return db.inTransaction(handle -> Zones.parse(handle.createQuery("SELECT timezone FROM appointment_series WHERE reference = :r")
                .bind("r", sref).mapTo(String.class).findOne().orElseThrow(() -> notFound(sref))));
    }

    private static List<OccurrenceView> occurrences(Handle handle, long id, String sref) {
        return handle.createQuery("""
                        SELECT :sref AS series, (row_number() OVER (ORDER BY a.series_start, a.id))::int AS n,
                               a.series_start AS planned, a.starts_at AS start, a.status AS outcome, a.reference,
                               CASE WHEN a.starts_at <> a.series_start THEN 'moved' END AS note
                          FROM appointments a WHERE a.series_id = :id ORDER BY a.series_start, a.id
                        """)
                .bind("sref", sref).bind("id", id).map(ConstructorMapper.of(OccurrenceView.class)).list();
    }

    /**
     * Cancels this and the following occurrences: from {@code from} (an occurrence's reference, or a date in the
     * series' zone), else every one still to come. Each by its type's cancellation policy; one message.
     */
    public SeriesChangeView cancel(String series, Checked<Position> from, String reason, boolean waiveFee) {
        String sref = seriesReference(series);
        Instant now = clock.instant();
        List<String> refs = db.inTransaction(handle -> {
            long id = seriesId(handle, sref);
            Instant since = from == null ? now : fromInstant(handle, id, sref, from.get());
            return handle.createQuery("""
                            SELECT reference FROM appointments
                             WHERE series_id = :id AND series_start >= :since AND status IN ('held', 'pending', 'confirmed')
                               AND starts_at > :now
                             ORDER BY series_start
                            """)
                    .bind("id", id).bind("since", since).bind("now", now).mapTo(String.class).list();
        });
        if (refs.isEmpty()) {
            throw new ConflictException("series " + sref + " has no occurrence to cancel from there. See `schedctl series show " + sref + "`");
        }
        List<AppointmentView> cancelled = lifecycle.cancelAll(refs, reason, waiveFee,
                "Series " + sref + ": " + refs.size() + " lessons cancelled:",
                handle -> handle.createUpdate("UPDATE appointment_series SET sequence = sequence + 1 WHERE reference = :r")
                        .bind("r", sref).execute());
        BigDecimal fees = cancelled.stream().map(AppointmentView::fee).filter(java.util.Objects::nonNull)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        return new SeriesChangeView(sref, "cancel", cancelled.size(),
                cancelled.stream().map(AppointmentView::reference).collect(Collectors.joining(",")),
                cancelled.get(0).currency() == null ? null : fees, cancelled.get(0).currency());
    }

    /**
     * Moves this and the following occurrences by the same local offset as {@code from} to {@code to} (wall-clock
     * time in the series' zone, so a lesson at 16:00 stays at 16:00 across a DST change; a time in a gap moves
     * forward as RFC 5545 says). fail: all or nothing; skip: a refused one stays where it was; nearest: the nearest
     * free start within {@code window} of its new time, else it stays. A closure is refused like any conflict.
     */
    public List<OccurrenceView> reschedule(String series, String fromReference, TimeInput.Arg to, Checked<ZoneId> tz,
                                           ConflictMode mode, Duration window) {
        String sref = seriesReference(series);
        BookingReference ref = BookingReference.parse(fromReference);
        ConflictMode m = mode == null ? ConflictMode.FAIL : mode;
        Duration win = window == null ? Duration.ofHours(2) : window;
        Instant now = clock.instant();
        List<org.schedctl.domain.booking.FreedSlot> freed = new ArrayList<>();
        List<OccurrenceView> result = db.inTransaction(handle -> {
            long id = seriesId(handle, sref);
            ZoneId zone = Zones.parse(handle.createQuery("SELECT timezone FROM appointment_series WHERE id = :id")
                    .bind("id", id).mapTo(String.class).one());
            AppointmentDao dao = handle.attach(AppointmentDao.class);
            AppointmentRow pivot = dao.byReference(ref.value()).filter(row -> inSeries(handle, row.id(), id))
                    .orElseThrow(() -> new NotFoundException("appointment " + ref.value() + " is not in series " + sref
                            + ". See `schedctl series show " + sref + "`"));
            BookingRows.collect(freed, pivot.instructorId(), dao.prepare(pivot.instructorId(), now));
            LocalDateTime pivotLocal = pivot.startsAt().atZone(zone).toLocalDateTime();
            Instant target = to.in(tz != null ? tz.get() : zone);
            Duration offset = Duration.between(pivotLocal, target.atZone(zone).toLocalDateTime());
            if (offset.isZero()) {
                throw new ConflictException("appointment " + pivot.reference() + " already starts at "
                        + BookingRows.format(pivot.startsAt(), zone) + ". Give a different --to");
            }
            List<AppointmentRow> moving = new ArrayList<>();
            for (String r : handle.createQuery("""
                            SELECT reference FROM appointments
                             WHERE series_id = :id AND series_start >= (SELECT series_start FROM appointments WHERE id = :pivot)
                               AND status IN ('held', 'pending', 'confirmed') ORDER BY starts_at
                            """).bind("id", id).bind("pivot", pivot.id()).mapTo(String.class).list()) {
                moving.add(dao.byReference(r).orElseThrow());
            }
            // Forward moves go last-first and backward moves first-first, so an occurrence never lands on one
            // that has yet to move.
            if (!offset.isNegative()) {
                java.util.Collections.reverse(moving);
            }
            List<OccurrenceView> views = new ArrayList<>();
            List<String> conflicts = new ArrayList<>();
            for (AppointmentRow row : moving) {
                LocalDateTime local = row.startsAt().atZone(zone).toLocalDateTime().plus(offset);
                ZonedDateTime moved = ZonedDateTime.ofLocal(local, zone, null);
                Instant start = moved.toInstant();
                String note = moved.toLocalDateTime().equals(local) ? null : new SeriesPlan.Occurrence(0, local, start, true).shiftNote(zone);
                Duration length = Duration.between(row.startsAt(), row.endsAt());
                CheckResult check = start.isAfter(now) ? dao.check(row.instructorId(), row.typeId(), start, start.plus(length), row.id(), now)
                        : new CheckResult(false, "in_past", "the time is in the past. Pick a future time");
                String outcome = "moved";
                if (check.ok()) {
                    ReschedulePolicy.parseOrAny(row.reschedulePolicy()).check(row.reference(), row.rescheduleCount(), row.startsAt(), now);
                } else if (m == ConflictMode.FAIL) {
                    conflicts.add(BookingRows.format(start, zone) + " (" + check.message() + ")");
                    continue;
                } else {
                    Instant nearest = m == ConflictMode.NEAREST ? nearest(handle, row, start, win, now) : null;
                    if (nearest == null) {
                        views.add(new OccurrenceView(sref, 0, row.startsAt(), row.startsAt(), "skipped", row.reference(), check.message()));
                        continue;
                    }
                    start = nearest;
                    note = "nearest free time (" + check.message() + ")";
                }
                dao.move(row.id(), null, start, start.plus(length), row.capacity(), now);
                freed.add(new org.schedctl.domain.booking.FreedSlot(row.instructorId(), row.typeId(), row.startsAt(), row.endsAt()));
                dao.record(row.id(), now, org.schedctl.domain.booking.Action.RESCHEDULE.dbValue(), row.status(), BookingRows.details("from_start", row.startsAt().toString(),
                        "to_start", start.toString(), "series", sref), new String[0], null);
                views.add(new OccurrenceView(sref, 0, row.startsAt(), start, outcome, row.reference(), note));
            }
            if (!conflicts.isEmpty()) {
                throw new ConflictException("cannot move the series: " + conflicts.size() + " of " + moving.size()
                        + " new times conflict: " + String.join("; ", conflicts)
                        + ". Nothing was moved; use --on-conflict skip or nearest, or another --to");
            }
            views.sort(java.util.Comparator.comparing(OccurrenceView::planned));
            List<OccurrenceView> numbered = new ArrayList<>();
            for (int i = 0; i < views.size(); i++) {
                OccurrenceView v = views.get(i);
                numbered.add(new OccurrenceView(v.series(), i + 1, v.planned(), v.start(), v.outcome(), v.reference(), v.note()));
            }
            List<OccurrenceView> moved = numbered.stream().filter(v -> v.outcome().equals("moved")).toList();
            if (!moved.isEmpty()) {
                String list = moved.stream().map(v -> BookingRows.format(v.start(), zone)).collect(Collectors.joining("\n"));
                handle.createQuery("SELECT enqueue_appointment_notification_kinds(a.id, ARRAY['rescheduled'], :now, :note) "
                                + "FROM appointments a WHERE a.reference = :ref")
                        .bind("now", now).bind("note", "Series " + sref + ": " + moved.size() + " lessons moved to:\n" + list)
                        .bind("ref", moved.get(0).reference()).mapTo(Integer.class).one();
                handle.createUpdate("UPDATE appointment_series SET sequence = sequence + 1 WHERE id = :id").bind("id", id).execute();
            }
            return numbered;
        });
        freedSlots.offerAfterCommit(freed, now);
        return result;
    }

    /** An occurrence as the calendar export reads it (ExportedAppointment's columns), after SELECT. */
    private static final String EXPORTED = """
            a.reference, a.status, i.email AS instructor, s.email AS student, t.slug AS type,
            a.starts_at AS start, a.ends_at AS "end", a.timezone, a.price, a.currency, a.fee, a.created_at,
            i.name AS instructor_name, s.name AS student_name, t.name AS type_name,
            coalesce(a.meeting_url, t.location) AS location, a.notes, a.reschedule_count
              FROM appointments a JOIN users i ON i.id = a.instructor_id JOIN users s ON s.id = a.student_id
              JOIN appointment_types t ON t.id = a.type_id
            """;

    /**
     * The series as one calendar (issue 16): one recurring VEVENT with its RRULE, an EXDATE per planned occurrence
     * not booked (skipped, closed or cancelled) and a RECURRENCE-ID override per moved one; SEQUENCE counts changes.
     */
    public String ics(String series) {
        String sref = seriesReference(series);
        Instant now = clock.instant();
        return db.inTransaction(handle -> {
            long id = seriesId(handle, sref);
            var head = handle.createQuery("SELECT rule, local_start, timezone, sequence FROM appointment_series WHERE id = :id")
                    .bind("id", id).mapToMap().one();
            ZoneId zone = Zones.parse((String) head.get("timezone"));
            LocalDateTime localStart = ((java.sql.Timestamp) head.get("local_start")).toLocalDateTime();
            SeriesPlan.Plan plan = SeriesPlan.plan((String) head.get("rule"), localStart, zone, null);
            record Row(Instant seriesStart, org.schedctl.domain.calendar.ExportedAppointment a) {
            }
            List<Row> rows = handle.createQuery("SELECT a.series_start, " + EXPORTED + """
                             WHERE a.series_id = :id AND a.status NOT IN ('cancelled', 'declined')
                             ORDER BY a.series_start
                            """)
                    .bind("id", id)
                    .map((rs, ctx) -> new Row(rs.getObject("series_start", java.time.OffsetDateTime.class).toInstant(),
                            ConstructorMapper.of(org.schedctl.domain.calendar.ExportedAppointment.class).map(rs, ctx)))
                    .list();
            java.util.Map<Instant, Row> live = new java.util.HashMap<>();
            rows.forEach(r -> live.put(r.seriesStart(), r));
            List<LocalDateTime> excluded = new ArrayList<>();
            List<org.schedctl.calendar.IcsWriter.Moved> moved = new ArrayList<>();
            for (SeriesPlan.Occurrence o : plan.occurrences()) {
                Row r = live.get(o.start());
                if (r == null) {
                    excluded.add(o.local());
                } else if (!r.a().start().equals(o.start())) {
                    moved.add(new org.schedctl.calendar.IcsWriter.Moved(o.local(), r.a()));
                }
            }
            var first = rows.isEmpty() ? handle.createQuery("SELECT " + EXPORTED
                            + " WHERE a.series_id = :id ORDER BY a.series_start LIMIT 1").bind("id", id).map(ConstructorMapper.of(org.schedctl.domain.calendar.ExportedAppointment.class)).one()
                    : rows.get(0).a();
            return org.schedctl.calendar.IcsWriter.series(new org.schedctl.calendar.IcsWriter.SeriesEvent(sref, zone.getId(),
                    plan.rule(), localStart, Duration.between(first.start(), first.end()),
                    plan.occurrences().get(plan.occurrences().size() - 1).start().plus(Duration.between(first.start(), first.end())),
                    excluded, moved,
                    (Integer) head.get("sequence"), first), now);
        });
    }

    private static Instant nearest(Handle handle, AppointmentRow row, Instant wanted, Duration window, Instant now) {
        return handle.createQuery("""
                        SELECT s.slot_start FROM get_available_slots_comprehensive(ARRAY[:instructor]::bigint[], :type,
                                   :from, :to, :now) s
                         ORDER BY abs(extract(epoch FROM s.slot_start - :wanted::timestamptz)), s.slot_start LIMIT 1
                        """)
                .bind("instructor", row.instructorId()).bind("type", String.valueOf(row.typeId()))
                .bind("from", wanted.minus(window)).bind("to", wanted.plus(window).plusNanos(1000)).bind("now", now)
                .bind("wanted", wanted).mapTo(Instant.class).findOne().orElse(null);
    }

    private static boolean inSeries(Handle handle, long appointment, long series) {
        return handle.createQuery("SELECT series_id = :s FROM appointments WHERE id = :id").bind("s", series)
                .bind("id", appointment).mapTo(Boolean.class).findOne().orElse(false);
    }

    /** {@code --from} of series cancel: an occurrence's reference, or a day (read in the series' zone). */
    public record Position(BookingReference reference, LocalDate day) {
        public static Position parse(String text) {
            String t = text.trim();
            return t.matches("\\d{4}-\\d{2}-\\d{2}") ? new Position(null, TimeInput.parseDate(t))
                    : new Position(BookingReference.parse(t), null);
        }
    }

    /** Where a series cancel starts: the occurrence's planned start, or the day's start in the series' zone. */
    private static Instant fromInstant(Handle handle, long id, String sref, Position from) {
        if (from.day() != null) {
            ZoneId zone = Zones.parse(handle.createQuery("SELECT timezone FROM appointment_series WHERE id = :id")
                    .bind("id", id).mapTo(String.class).one());
            return from.day().atStartOfDay(zone).toInstant();
        }
        BookingReference ref = from.reference();
        return handle.createQuery("SELECT series_start FROM appointments WHERE reference = :r AND series_id = :id")
                .bind("r", ref.value()).bind("id", id).mapTo(Instant.class).findOne()
                .orElseThrow(() -> new NotFoundException("appointment " + ref.value() + " is not in series " + sref
                        + ". See `schedctl series show " + sref + "`"));
    }

    private static long seriesId(Handle handle, String sref) {
        return handle.createQuery("SELECT id FROM appointment_series WHERE reference = :r").bind("r", sref)
                .mapTo(Long.class).findOne().orElseThrow(() -> notFound(sref));
    }

    private static NotFoundException notFound(String sref) {
        return new NotFoundException("no series with reference " + sref + ". See `schedctl series list`");
    }

    /** A series reference: S and eight characters of the booking alphabet, case-insensitive. */
    static String seriesReference(String text) {
        String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        if (!t.matches("S[" + BookingReference.ALPHABET + "]{8}")) {
            throw new InvalidInputException("bad series reference '" + Text.printable(text == null ? "" : text)
                    + "'. Give the S… reference `schedctl series list` shows, e.g. SABCD2345");
        }
        return t;
    }
}
