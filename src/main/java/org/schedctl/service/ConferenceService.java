package org.schedctl.service;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.jdbi.v3.core.Handle;
import org.schedctl.domain.Checked;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.Durations;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.SchedException;
import org.schedctl.domain.Text;
import org.schedctl.domain.User;
import org.schedctl.domain.availability.CsvError;
import org.schedctl.domain.conference.ConferenceProblem;
import org.schedctl.domain.conference.ConferenceScheduler;
import org.schedctl.store.Database;

/**
 * Issue 17: parents' evenings. Administrators create an evening (date, local time range, slot length, teachers and
 * rooms, breaks, walking time), collect requests (by command or CSV), schedule them ({@link ConferenceScheduler}),
 * publish the plan as ordinary appointments with one message per family and per teacher, and open the rest for
 * guardians to book. Local times are read in the evening's zone with java.time's rules (ZonedDateTime.of).
 */
public final class ConferenceService {
    private final Database db;
    private final Clock clock;

    public ConferenceService(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public record NewConference(String name, Checked<LocalDate> on, Checked<LocalTime> from, Checked<LocalTime> to,
                                Checked<Duration> slot, List<String> teachers, Map<String, String> rooms,
                                Integer maxConsecutive, Checked<Duration> breakLength, Checked<Duration> walk,
                                Checked<ZoneId> zone) {
    }

    public record Conference(long id, String name, LocalDate on, LocalTime from, LocalTime to, String timezone,
                             Duration slot, Integer maxConsecutive, Duration breakLength, Duration walk, String status,
                             int slots, int teachers, int requests, int planned, int published) {
    }

    public record ConferenceTeacher(String teacher, String name, String room) {
    }

    public record Details(Conference conference, List<ConferenceTeacher> teachers) {
    }

    public record Request(long id, String conference, String guardian, String student, String teacher, String priority,
                          LocalTime earliest, LocalTime latest) {
    }

    public record ScheduleReport(String conference, boolean dryRun, int requiredRequests, int wishedRequests,
                                 int requiredPlaced, int wishedPlaced, int boundPlaced, int boundRequired,
                                 int idleP50Minutes, int idleP95Minutes, int roomChanges, int greedyRequiredPlaced,
                                 int greedyWishedPlaced, int greedyIdleP50Minutes, int greedyIdleP95Minutes,
                                 int kept, long solveMillis) {
    }

    public record ImportResult(String file, int rows, int created, List<CsvError> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    // ------------------------------------------------------------------ create, list, show

    public Details create(NewConference c) {
        String name = Text.line(c.name(), "conference name", 200);
        if (name.matches("[0-9]+")) {
            throw new InvalidInputException("a conference name cannot be all digits (ids look like that). Give it a name such as 'Autumn evening'");
        }
        LocalDate on = c.on().get();
        LocalTime from = c.from().get();
        LocalTime to = c.to().get();
        Duration slot = c.slot().get();
        if (!to.isAfter(from)) {
            throw new InvalidInputException("--to " + to + " is not after --from " + from + ". Give an evening that ends after it starts");
        }
        long minutes = Duration.between(from, to).toMinutes();
        if (slot.toSeconds() % 60 != 0 || slot.toMinutes() == 0 || minutes % slot.toMinutes() != 0) {
            throw new InvalidInputException("--slot " + Durations.format(slot) + " does not divide the evening " + from + "-" + to
                    + " (" + minutes + " minutes) into whole slots. Pick a length that does, such as " + divisors(minutes));
        }
        Duration breakLength = c.breakLength() == null ? null : c.breakLength().get();
        if ((c.maxConsecutive() == null) != (breakLength == null)) {
            throw new InvalidInputException("--max-consecutive and --break go together. Give both (e.g. --max-consecutive 8 --break 10m) or neither");
        }
        if (c.maxConsecutive() != null && c.maxConsecutive() < 1) {
            throw new InvalidInputException("--max-consecutive must be 1 or more");
        }
        Duration walk = c.walk() == null ? Duration.ZERO : c.walk().get();
        ZoneId zone = c.zone() == null ? null : c.zone().get();
        if (c.teachers().isEmpty() && c.rooms().isEmpty()) {
            throw new InvalidInputException("an evening needs teachers. Give --teachers U,... or --room U=ROOM");
        }
        return db.inTransaction(handle -> {
            Access.Actor actor = Access.requireAdmin(handle, "create parents' evenings");
            if (findId(handle, name) != null) {
                throw new ConflictException("a conference named '" + name + "' exists. Pick another name or see `schedctl conference show`");
            }
            Map<Long, String> teachers = new LinkedHashMap<>();
            for (String t : c.teachers()) {
                teachers.putIfAbsent(teacher(handle, t).id(), null);
            }
            for (Map.Entry<String, String> e : c.rooms().entrySet()) {
                teachers.put(teacher(handle, e.getKey()).id(), Text.line(e.getValue(), "room", 100));
            }
            String tz = zone != null ? zone.getId()
                    : handle.createQuery("SELECT timezone FROM users WHERE id = :id").bind("id", actor.id()).mapTo(String.class).one();
            long id = handle.createQuery("""
                            INSERT INTO conferences (name, on_date, local_from, local_to, timezone, slot, max_consecutive, break_length, walk)
                            VALUES (:name, :on, :from, :to, :tz, make_interval(secs => :slot), :maxc,
                                    CASE WHEN CAST(:brk AS bigint) IS NOT NULL THEN make_interval(secs => :brk) END, make_interval(secs => :walk))
                            RETURNING id""")
                    .bind("name", name).bind("on", on).bind("from", from).bind("to", to).bind("tz", tz)
                    .bind("slot", slot.toSeconds()).bind("maxc", c.maxConsecutive())
                    .bind("brk", breakLength == null ? null : breakLength.toSeconds()).bind("walk", walk.toSeconds())
                    .mapTo(Long.class).one();
            var batch = handle.prepareBatch("INSERT INTO conference_teachers (conference_id, teacher_id, room) VALUES (:c, :t, :r)");
            teachers.forEach((t, room) -> batch.bind("c", id).bind("t", t).bind("r", room).add());
            batch.execute();
            return details(handle, String.valueOf(id));
        });
    }

    private static String divisors(long minutes) {
        List<String> out = new ArrayList<>();
        for (long m : new long[] {5, 10, 15, 20, 30}) {
            if (minutes % m == 0) {
                out.add(m + "m");
            }
        }
        return out.isEmpty() ? "a whole number of minutes that divides " + minutes : String.join(", ", out);
    }

    /** A teacher named on the command line or in a file: an unknown name is bad input (exit 2), not "not found". */
    private static User teacher(Handle handle, String ident) {
        try {
            return Lookups.instructor(handle, ident);
        } catch (NotFoundException e) {
            throw new InvalidInputException("unknown teacher '" + Text.printable(ident) + "'. Name instructors by email or id (see `schedctl user list --role instructor`)");
        }
    }

    public List<Conference> list() {
        return db.inTransaction(handle -> conferences(handle, null));
    }

    public Details show(String ident) {
        return db.inTransaction(handle -> details(handle, ident));
    }

    private Details details(Handle handle, String ident) {
        long id = require(handle, ident);
        Conference c = conferences(handle, id).get(0);
        List<ConferenceTeacher> teachers = handle.createQuery("""
                        SELECT u.email, u.name, ct.room FROM conference_teachers ct JOIN users u ON u.id = ct.teacher_id
                        WHERE ct.conference_id = :c ORDER BY u.email""")
                .bind("c", id).map((rs, ctx) -> new ConferenceTeacher(rs.getString(1), rs.getString(2), rs.getString(3))).list();
        return new Details(c, teachers);
    }

    private static List<Conference> conferences(Handle handle, Long id) {
        return handle.createQuery("""
                        SELECT c.id, c.name, c.on_date, c.local_from, c.local_to, c.timezone, extract(epoch FROM c.slot)::bigint AS slot,
                               c.max_consecutive, extract(epoch FROM c.break_length)::bigint AS brk, extract(epoch FROM c.walk)::bigint AS walk,
                               c.status,
                               (SELECT count(*) FROM conference_teachers t WHERE t.conference_id = c.id) AS teachers,
                               (SELECT count(*) FROM conference_requests r WHERE r.conference_id = c.id) AS requests,
                               (SELECT count(*) FROM conference_plan p WHERE p.conference_id = c.id) AS planned,
                               (SELECT count(*) FROM conference_plan p WHERE p.conference_id = c.id AND p.appointment_id IS NOT NULL) AS published
                        FROM conferences c WHERE CAST(:id AS bigint) IS NULL OR c.id = :id ORDER BY c.on_date, c.name""")
                .bind("id", id)
                .map((rs, ctx) -> {
                    LocalTime from = rs.getObject("local_from", LocalTime.class);
                    LocalTime to = rs.getObject("local_to", LocalTime.class);
                    Duration slot = Duration.ofSeconds(rs.getLong("slot"));
                    long brk = rs.getLong("brk");
                    boolean hasBreak = !rs.wasNull();
                    int maxc = rs.getInt("max_consecutive");
                    boolean hasMax = !rs.wasNull();
                    return new Conference(rs.getLong("id"), rs.getString("name"), rs.getObject("on_date", LocalDate.class), from, to,
                            rs.getString("timezone"), slot, hasMax ? maxc : null, hasBreak ? Duration.ofSeconds(brk) : null,
                            Duration.ofSeconds(rs.getLong("walk")), rs.getString("status"),
                            (int) (Duration.between(from, to).toSeconds() / slot.toSeconds()), rs.getInt("teachers"),
                            rs.getInt("requests"), rs.getInt("planned"), rs.getInt("published"));
                }).list();
    }

    private static Long findId(Handle handle, String ident) {
        String name = ident.trim();
        return handle.createQuery("SELECT id FROM conferences WHERE lower(name) = lower(:n) OR (:n ~ '^[0-9]{1,18}$' AND id = CAST(CASE WHEN :n ~ '^[0-9]{1,18}$' THEN :n END AS bigint))")
                .bind("n", name).mapTo(Long.class).findOne().orElse(null);
    }

    private static long require(Handle handle, String ident) {
        if (ident == null || ident.isBlank()) {
            throw new InvalidInputException("missing conference. Name it by name or id (see `schedctl conference list`)");
        }
        Long id = findId(handle, ident);
        if (id == null) {
            throw new NotFoundException("conference '" + Text.printable(ident) + "' not found. See `schedctl conference list`");
        }
        return id;
    }

    // ------------------------------------------------------------------ requests

    public record NewRequest(String guardian, String student, String teacher, boolean required, boolean byTeacher,
                             Checked<LocalTime> earliest, Checked<LocalTime> latest) {
    }

    public Request request(String conference, NewRequest r) {
        LocalTime earliest = r.earliest() == null ? null : r.earliest().get();
        LocalTime latest = r.latest() == null ? null : r.latest().get();
        return db.inTransaction(handle -> {
            long id = require(handle, conference);
            Conference c = conferences(handle, id).get(0);
            Map<String, Long> teachers = conferenceTeachers(handle, id);
            Parties who = parties(handle, c, teachers, new HashMap<>(), null, r.guardian(), r.student(), r.teacher(), earliest, latest);
            long s = who.student().id();
            long t = who.teacher().id();
            int added = insertRequest(handle, id, who.guardian().id(), s, t, r.required() || r.byTeacher(), r.byTeacher(), earliest, latest);
            if (added == 0) {
                throw new ConflictException("a request for " + r.student() + " with " + r.teacher() + " exists in this conference");
            }
            return requests(handle, id, s, t).get(0);
        });
    }

    private static int insertRequest(Handle handle, long conference, long g, long s, long t, boolean required, boolean byTeacher,
                                     LocalTime earliest, LocalTime latest) {
        return handle.createUpdate("""
                        INSERT INTO conference_requests (conference_id, guardian_id, student_id, teacher_id, required, by_teacher, earliest, latest)
                        VALUES (:c, :g, :s, :t, :req, :bt, :e, :l) ON CONFLICT (conference_id, student_id, teacher_id) DO NOTHING""")
                .bind("c", conference).bind("g", g).bind("s", s).bind("t", t).bind("req", required).bind("bt", byTeacher)
                .bind("e", earliest).bind("l", latest).execute();
    }

    private static Map<String, Long> conferenceTeachers(Handle handle, long conference) {
        Map<String, Long> m = new HashMap<>();
        handle.createQuery("SELECT u.email, u.id FROM conference_teachers ct JOIN users u ON u.id = ct.teacher_id WHERE ct.conference_id = :c")
                .bind("c", conference).map((rs, ctx) -> Map.entry(rs.getString(1).toLowerCase(Locale.ROOT), rs.getLong(2)))
                .forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    /** The guardian, student and teacher of a request. */
    private record Parties(User guardian, User student, User teacher) {
    }

    /**
     * The parties of one request, or the refusal (InvalidInputException) in the words of a CLI.md message. An import
     * passes a cache of looked-up users and the guardian links it read once; a single request passes empty ones.
     */
    private static Parties parties(Handle handle, Conference c, Map<String, Long> teachers, Map<String, User> users,
                                   java.util.Set<String> links, String guardian, String student, String teacher,
                                   LocalTime earliest, LocalTime latest) {
        User g;
        User s;
        User t;
        try {
            g = users.computeIfAbsent("g:" + guardian, k -> GuardianService.guardian(handle, guardian));
            s = users.computeIfAbsent("u:" + student, k -> Lookups.user(handle, student));
            t = users.computeIfAbsent("u:" + teacher, k -> Lookups.user(handle, teacher));
        } catch (SchedException e) {
            throw new InvalidInputException(e.getMessage());
        }
        if (!teachers.containsValue(t.id())) {
            throw new InvalidInputException("teacher " + t.email() + " is not part of conference '" + c.name() + "'. See `schedctl conference show`");
        }
        boolean linked = links != null ? links.contains(g.id() + "/" + s.id())
                : handle.createQuery("SELECT count(*) FROM guardian_links WHERE guardian_id = :g AND student_id = :s")
                        .bind("g", g.id()).bind("s", s.id()).mapTo(Integer.class).one() > 0;
        if (!linked) {
            throw new InvalidInputException(g.email() + " is not linked to " + s.email() + ". Link them with `schedctl guardian link "
                    + g.email() + " --student " + s.email() + "`");
        }
        if (earliest != null && (earliest.isBefore(c.from()) || !earliest.isBefore(c.to()))) {
            throw new InvalidInputException("--earliest " + earliest + " is outside the evening " + c.from() + "-" + c.to());
        }
        if (latest != null && (!latest.isAfter(c.from()) || latest.isAfter(c.to()))) {
            throw new InvalidInputException("--latest " + latest + " is outside the evening " + c.from() + "-" + c.to());
        }
        if (earliest != null && latest != null && !latest.isAfter(earliest)) {
            throw new InvalidInputException("--latest " + latest + " is not after --earliest " + earliest);
        }
        return new Parties(g, s, t);
    }

    public List<Request> requests(String conference) {
        return db.inTransaction(handle -> requests(handle, require(handle, conference), null, null));
    }

    private static List<Request> requests(Handle handle, long conference, Long student, Long teacher) {
        return handle.createQuery("""
                        SELECT r.id, c.name, g.email AS guardian, s.email AS student, t.email AS teacher,
                               CASE WHEN r.by_teacher THEN 'by-teacher' WHEN r.required THEN 'required' ELSE 'wished' END AS priority,
                               r.earliest, r.latest
                        FROM conference_requests r JOIN conferences c ON c.id = r.conference_id
                        JOIN users g ON g.id = r.guardian_id JOIN users s ON s.id = r.student_id JOIN users t ON t.id = r.teacher_id
                        WHERE r.conference_id = :c AND (CAST(:s AS bigint) IS NULL OR r.student_id = :s)
                          AND (CAST(:t AS bigint) IS NULL OR r.teacher_id = :t)
                        ORDER BY g.email, s.email, t.email""")
                .bind("c", conference).bind("s", student).bind("t", teacher)
                .map((rs, ctx) -> new Request(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getObject(7, LocalTime.class), rs.getObject(8, LocalTime.class)))
                .list();
    }

    /**
     * Imports requests from CSV (header {@code guardian,student,teacher[,priority][,earliest][,latest]}; priority
     * {@code required}, {@code wished} (default) or {@code by-teacher}). All or nothing: every bad row is reported
     * as FILE:LINE in one pass and nothing is written.
     */
    public ImportResult importCsv(String conference, Path file) {
        String name = file.toString();
        List<CSVRecord> records;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setTrim(true)
                     .setIgnoreEmptyLines(true).build().parse(reader)) {
            List<String> header = parser.getHeaderNames().stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
            for (String need : List.of("guardian", "student", "teacher")) {
                if (!header.contains(need)) {
                    return new ImportResult(name, 0, 0, List.of(new CsvError(name, 1, "missing column '" + need
                            + "'. The header is guardian,student,teacher[,priority][,earliest][,latest]")));
                }
            }
            records = parser.getRecords();
        } catch (NoSuchFileException e) {
            throw new NotFoundException("file " + name + " not found. Check the path");
        } catch (IOException | java.io.UncheckedIOException | IllegalArgumentException e) {
            throw new InvalidInputException(name + " is not a readable CSV file: " + Text.printable(String.valueOf(e.getMessage())));
        }
        return db.inTransaction(handle -> {
            Access.requireAdmin(handle, "import conference requests");
            long id = require(handle, conference);
            Conference c = conferences(handle, id).get(0);
            Map<String, Long> teachers = conferenceTeachers(handle, id);
            List<CsvError> errors = new ArrayList<>();
            List<Row> rows = new ArrayList<>();
            java.util.Set<String> seen = new java.util.HashSet<>();
            Map<String, User> users = new HashMap<>();
            java.util.Set<String> links = new java.util.HashSet<>(handle.createQuery("SELECT guardian_id || '/' || student_id FROM guardian_links")
                    .mapTo(String.class).list());
            for (CSVRecord rec : records) {
                long line = rec.getRecordNumber() + 1; // the header is line 1
                try {
                    String priority = cell(rec, "priority").isEmpty() ? "wished" : cell(rec, "priority").toLowerCase(Locale.ROOT);
                    if (!List.of("required", "wished", "by-teacher").contains(priority)) {
                        throw new InvalidInputException("priority '" + Text.printable(priority) + "' is not required, wished or by-teacher");
                    }
                    LocalTime earliest = cell(rec, "earliest").isEmpty() ? null : AvailabilityService.time(cell(rec, "earliest"), "earliest");
                    LocalTime latest = cell(rec, "latest").isEmpty() ? null : AvailabilityService.time(cell(rec, "latest"), "latest");
                    Parties who = parties(handle, c, teachers, users, links, cell(rec, "guardian"), cell(rec, "student"),
                            cell(rec, "teacher"), earliest, latest);
                    if (!seen.add(who.student().id() + "/" + who.teacher().id())) {
                        throw new InvalidInputException("a second request for " + who.student().email() + " with " + who.teacher().email() + " in this file");
                    }
                    rows.add(new Row(who, !priority.equals("wished"), priority.equals("by-teacher"), earliest, latest));
                } catch (SchedException e) {
                    errors.add(new CsvError(name, line, e.getMessage()));
                }
            }
            if (!errors.isEmpty()) {
                return new ImportResult(name, records.size(), 0, errors);
            }
            int created = 0;
            for (Row r : rows) {
                created += insertRequest(handle, id, r.who().guardian().id(), r.who().student().id(), r.who().teacher().id(),
                        r.required(), r.byTeacher(), r.earliest(), r.latest());
            }
            return new ImportResult(name, records.size(), created, List.of());
        });
    }

    private record Row(Parties who, boolean required, boolean byTeacher, LocalTime earliest, LocalTime latest) {
    }

    private static String cell(CSVRecord rec, String column) {
        return rec.isMapped(column) && rec.isSet(column) ? rec.get(column).trim() : "";
    }

    public static InvalidInputException importFailure(ImportResult result) {
        return new InvalidInputException(result.errors().size() + " bad row" + (result.errors().size() == 1 ? "" : "s")
                + " in " + result.file() + "; nothing was imported. Fix the rows listed above and import again");
    }

    // ------------------------------------------------------------------ scheduling

    /** The evening as the scheduler sees it, with the request ids in the order of the problem. */
    record Loaded(Conference conference, ConferenceProblem problem, List<Instant> slotStarts) {
    }

    Loaded load(Handle handle, long id, boolean replan) {
        Conference c = conferences(handle, id).get(0);
        ZoneId zone = ZoneId.of(c.timezone());
        int slotMinutes = (int) c.slot().toMinutes();
        List<Instant> starts = new ArrayList<>();
        for (int s = 0; s <= c.slots(); s++) {
            starts.add(ZonedDateTime.of(c.on(), c.from().plusMinutes((long) s * slotMinutes), zone).toInstant());
        }
        Instant evening0 = starts.get(0);
        Instant evening1 = starts.get(c.slots());
        Map<Long, BitSet> unavailable = new HashMap<>();
        // the teachers' ordinary absences (unavailable blocks, vacations) and their other bookings that evening
        handle.createQuery("""
                        SELECT o.instructor_id, lower(o.during) AS lo, upper(o.during) AS hi
                        FROM time_block_occurrences o JOIN conference_teachers ct ON ct.teacher_id = o.instructor_id AND ct.conference_id = :c
                        WHERE o.kind IN ('unavailable', 'vacation') AND o.during && tstzrange(:a, :b)
                        UNION ALL
                        SELECT a.instructor_id, a.starts_at, a.ends_at
                        FROM appointments a JOIN conference_teachers ct ON ct.teacher_id = a.instructor_id AND ct.conference_id = :c
                        WHERE a.status IN ('held', 'pending', 'confirmed') AND a.starts_at < :b AND a.ends_at > :a
                          AND NOT EXISTS (SELECT 1 FROM conference_plan p WHERE p.appointment_id = a.id AND p.conference_id = :c)""")
                .bind("c", id).bind("a", utc(evening0)).bind("b", utc(evening1))
                .map((rs, ctx) -> {
                    Instant lo = rs.getObject("lo", java.time.OffsetDateTime.class) == null ? Instant.MIN : rs.getObject("lo", java.time.OffsetDateTime.class).toInstant();
                    Instant hi = rs.getObject("hi", java.time.OffsetDateTime.class) == null ? Instant.MAX : rs.getObject("hi", java.time.OffsetDateTime.class).toInstant();
                    BitSet b = unavailable.computeIfAbsent(rs.getLong("instructor_id"), k -> new BitSet());
                    for (int s = 0; s < c.slots(); s++) {
                        if (lo.isBefore(starts.get(s + 1)) && hi.isAfter(starts.get(s))) {
                            b.set(s);
                        }
                    }
                    return 0;
                }).list();
        List<ConferenceProblem.Teacher> teachers = handle.createQuery(
                        "SELECT teacher_id, room FROM conference_teachers WHERE conference_id = :c ORDER BY teacher_id")
                .bind("c", id)
                .map((rs, ctx) -> new ConferenceProblem.Teacher(rs.getLong(1), rs.getString(2),
                        unavailable.getOrDefault(rs.getLong(1), new BitSet())))
                .list();
        List<ConferenceProblem.Request> requests = handle.createQuery("""
                        SELECT r.id, r.guardian_id, r.teacher_id, r.required, r.earliest, r.latest, p.slot_index, p.appointment_id
                        FROM conference_requests r LEFT JOIN conference_plan p ON p.request_id = r.id
                        WHERE r.conference_id = :c
                          -- a published meeting the family or teacher cancelled is withdrawn: not planned again, its slot free
                          AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.id = p.appointment_id
                                          AND a.status IN ('cancelled', 'declined', 'no_show'))
                        ORDER BY r.id""")
                .bind("c", id)
                .map((rs, ctx) -> {
                    LocalTime e = rs.getObject("earliest", LocalTime.class);
                    LocalTime l = rs.getObject("latest", LocalTime.class);
                    int earliest = e == null ? 0 : ceilDiv(Duration.between(c.from(), e).toMinutes(), slotMinutes);
                    int latest = l == null ? c.slots() : (int) (Duration.between(c.from(), l).toMinutes() / slotMinutes);
                    int slot = rs.getInt("slot_index");
                    boolean planned = !rs.wasNull();
                    rs.getLong("appointment_id");
                    boolean published = !rs.wasNull();
                    return new ConferenceProblem.Request(rs.getLong("id"), rs.getLong("guardian_id"), rs.getLong("teacher_id"),
                            rs.getBoolean("required"), earliest, latest, planned && published && !replan ? slot : -1);
                }).list();
        int walkSlots = ceilDiv(c.walk().toMinutes(), slotMinutes);
        int breakSlots = c.breakLength() == null ? 0 : ceilDiv(c.breakLength().toMinutes(), slotMinutes);
        ConferenceProblem p = new ConferenceProblem(c.slots(), slotMinutes, walkSlots,
                c.maxConsecutive() == null ? 0 : c.maxConsecutive(), breakSlots, teachers, requests);
        return new Loaded(c, p, starts);
    }

    public ScheduleReport schedule(String conference, Duration timeLimit, boolean dryRun, boolean replan) {
        if (timeLimit.isNegative() || timeLimit.isZero() || timeLimit.compareTo(Duration.ofHours(1)) > 0) {
            throw new InvalidInputException("--time-limit must be between 1s and 1h");
        }
        Loaded loaded = db.inTransaction(handle -> {
            Access.requireAdmin(handle, "schedule parents' evenings");
            return load(handle, require(handle, conference), replan);
        });
        ConferenceScheduler.Result r = ConferenceScheduler.schedule(loaded.problem(), timeLimit);
        if (!r.violations().isEmpty()) {
            throw new IllegalStateException("the plan breaks a rule: " + r.violations().get(0));
        }
        int kept = (int) loaded.problem().requests().stream().filter(ConferenceProblem.Request::pinnedSlot).count();
        if (!dryRun) {
            db.useTransaction(handle -> {
                Access.requireAdmin(handle, "schedule parents' evenings");
                long id = loaded.conference().id();
                // the published meetings a rerun keeps stay; the rest of the plan is replaced
                handle.createUpdate("DELETE FROM conference_plan WHERE conference_id = :c AND (appointment_id IS NULL OR :replan)")
                        .bind("c", id).bind("replan", replan).execute();
                var batch = handle.prepareBatch("""
                        INSERT INTO conference_plan (request_id, conference_id, slot_index) VALUES (:r, :c, :s)
                        ON CONFLICT (request_id) DO NOTHING""");
                r.plan().slots().forEach((request, slot) -> batch.bind("r", request).bind("c", id).bind("s", slot).add());
                if (!r.plan().slots().isEmpty()) {
                    batch.execute();
                }
            });
        }
        return new ScheduleReport(loaded.conference().name(), dryRun, r.required(), r.wished(), r.solver().requiredPlaced(),
                r.solver().wishedPlaced(), r.boundAll(), r.boundRequired(), r.solver().idleP50Minutes(), r.solver().idleP95Minutes(),
                r.solver().roomChanges(), r.greedy().requiredPlaced(), r.greedy().wishedPlaced(), r.greedy().idleP50Minutes(),
                r.greedy().idleP95Minutes(), kept, r.solveMillis());
    }

    // ------------------------------------------------------------------ publish, open, timetable

    public record PublishResult(String conference, int appointments, int moved, int familyMessages, int teacherMessages,
                                long millis) {
    }

    /** One row of a timetable: a meeting in the evening's local time and in the reader's zone. */
    public record Slot(String teacher, String teacherName, String room, ZonedDateTime start, ZonedDateTime end,
                       String student, String studentName, String guardian, String guardianName, String guardianLocale,
                       String guardianZone, String reference) {
    }

    /**
     * Turns the plan into ordinary confirmed appointments (one type per teacher, so reminders, ICS, cancel and
     * reschedule work as for any booking), moves published ones a --replan changed, queues their reminders, and
     * queues ONE message per family with its timetable and one per teacher with their list. One transaction.
     */
    public PublishResult publish(String conference) {
        long started = System.nanoTime();
        Instant now = clock.instant();
        return db.inTransaction(handle -> {
            Access.Actor actor = Access.requireAdmin(handle, "publish parents' evenings");
            long id = require(handle, conference);
            Loaded loaded = load(handle, id, false);
            Conference c = loaded.conference();
            int planned = handle.createQuery("SELECT count(*) FROM conference_plan WHERE conference_id = :c").bind("c", id)
                    .mapTo(Integer.class).one();
            if (planned == 0) {
                throw new InvalidInputException("conference '" + c.name() + "' has no plan yet. Run `schedctl conference schedule "
                        + c.name() + "` first");
            }
            handle.createUpdate("""
                            WITH ins AS (
                                INSERT INTO appointment_types (instructor_id, slug, name, duration, location, min_notice, archived_at)
                                SELECT ct.teacher_id, 'conference-' || :c || '-' || ct.teacher_id, left(:name, 200),
                                       make_interval(secs => :slot), ct.room, interval '0', :now
                                FROM conference_teachers ct WHERE ct.conference_id = :c AND ct.type_id IS NULL
                                RETURNING id, instructor_id)
                            UPDATE conference_teachers ct SET type_id = ins.id FROM ins
                            WHERE ct.conference_id = :c AND ct.teacher_id = ins.instructor_id""")
                    .bind("c", id).bind("name", c.name()).bind("slot", c.slot().toSeconds()).bind("now", utc(now)).execute();
            String[] starts = loaded.slotStarts().stream().map(Instant::toString).toArray(String[]::new);
            int moved = handle.createUpdate("""
                            UPDATE appointments a SET starts_at = (CAST(CAST(:starts AS text[]) AS timestamptz[]))[p.slot_index + 1],
                                                      ends_at = (CAST(CAST(:starts AS text[]) AS timestamptz[]))[p.slot_index + 2],
                                                      reschedule_count = a.reschedule_count + 1, reminders_from = CAST(:now AS timestamptz)
                            FROM conference_plan p
                            WHERE p.conference_id = :c AND p.appointment_id = a.id AND a.status IN ('pending', 'confirmed')
                              AND a.starts_at <> (CAST(CAST(:starts AS text[]) AS timestamptz[]))[p.slot_index + 1]""")
                    .bind("c", id).bind("now", utc(now)).bindArray("starts", String.class, (Object[]) starts).execute();
            List<Long> created = handle.createQuery("""
                            WITH unplaced AS (
                                SELECT p.request_id, r.teacher_id, r.student_id, ct.type_id,
                                       (CAST(CAST(:starts AS text[]) AS timestamptz[]))[p.slot_index + 1] AS starts_at,
                                       (CAST(CAST(:starts AS text[]) AS timestamptz[]))[p.slot_index + 2] AS ends_at
                                FROM conference_plan p JOIN conference_requests r ON r.id = p.request_id
                                JOIN conference_teachers ct ON ct.conference_id = r.conference_id AND ct.teacher_id = r.teacher_id
                                WHERE p.conference_id = :c AND p.appointment_id IS NULL),
                            made AS (
                                INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone,
                                                          confirmed_at, created_by, reminders_from)
                                SELECT teacher_id, student_id, type_id, 'confirmed', starts_at, ends_at, :tz, :now, :actor, :now FROM unplaced
                                RETURNING id, instructor_id, starts_at, ends_at),
                            linked AS (
                                UPDATE conference_plan p SET appointment_id = m.id
                                FROM made m, unplaced t
                                WHERE t.request_id = p.request_id AND m.instructor_id = t.teacher_id AND m.starts_at = t.starts_at
                                RETURNING m.id)
                            SELECT id FROM linked""")
                    .bind("c", id).bind("tz", c.timezone()).bind("now", utc(now)).bind("actor", actor.id())
                    .bindArray("starts", String.class, (Object[]) starts)
                    .mapTo(Long.class).list();
            if (!created.isEmpty()) {
                // a separate statement: the history's policy must see the new appointments
                handle.createUpdate("""
                                INSERT INTO appointment_events (appointment_id, at, actor_id, action, from_status, to_status, starts_at, ends_at, details)
                                SELECT a.id, :now, :actor, 'book', NULL, 'confirmed', a.starts_at, a.ends_at,
                                       jsonb_build_object('conference', CAST(:c AS bigint))
                                FROM appointments a WHERE a.id = ANY (CAST(:ids AS bigint[]))""")
                        .bind("now", utc(now)).bind("actor", actor.id()).bind("c", id)
                        .bindArray("ids", Long.class, created.toArray()).execute();
                // reminders are owed from now on (reminders_from) and written when due by the one reminder schedule
            }
            List<Slot> slots = timetable(handle, id, null, null);
            int[] messages = ConferenceMessages.queue(handle, c, slots, now);
            handle.createUpdate("UPDATE conferences SET status = CASE WHEN status = 'open' THEN 'open' ELSE 'published' END WHERE id = :c")
                    .bind("c", id).execute();
            return new PublishResult(c.name(), created.size(), moved, messages[0], messages[1],
                    (System.nanoTime() - started) / 1_000_000);
        });
    }

    /**
     * Opens a published evening: each teacher's conference type takes bookings and the evening becomes available
     * time, so guardians book the remaining free slots with the ordinary `book` (for their linked children).
     */
    public Details open(String conference) {
        Instant now = clock.instant();
        return db.inTransaction(handle -> {
            Access.Actor actor = Access.requireAdmin(handle, "open parents' evenings for booking");
            long id = require(handle, conference);
            Loaded loaded = load(handle, id, false);
            Conference c = loaded.conference();
            if (c.status().equals("draft")) {
                throw new ConflictException("conference '" + c.name() + "' is not published yet. Run `schedctl conference publish "
                        + c.name() + "` first");
            }
            if (c.status().equals("published")) {
                handle.createUpdate("""
                                UPDATE appointment_types t SET archived_at = NULL
                                FROM conference_teachers ct WHERE ct.conference_id = :c AND ct.type_id = t.id""")
                        .bind("c", id).execute();
                java.time.OffsetDateTime from = utc(loaded.slotStarts().get(0));
                java.time.OffsetDateTime to = utc(loaded.slotStarts().get(c.slots()));
                handle.createUpdate("""
                                WITH b AS (
                                    INSERT INTO time_blocks (instructor_id, kind, starts_at, ends_at, timezone, local_start, local_end, reason, created_by)
                                    SELECT ct.teacher_id, 'available', :from, :to, :tz, :lfrom, :lto, left('parents'' evening ' || :name, 500), :actor
                                    FROM conference_teachers ct WHERE ct.conference_id = :c
                                    RETURNING id, instructor_id, starts_at, ends_at)
                                INSERT INTO time_block_occurrences (block_id, instructor_id, kind, during)
                                SELECT id, instructor_id, 'available', tstzrange(starts_at, ends_at) FROM b""")
                        .bind("c", id).bind("from", from).bind("to", to).bind("tz", c.timezone())
                        .bind("lfrom", c.on().atTime(c.from())).bind("lto", c.on().atTime(c.to()))
                        .bind("name", c.name()).bind("actor", actor.id()).execute();
                handle.createUpdate("UPDATE conferences SET status = 'open' WHERE id = :c").bind("c", id).execute();
            }
            return details(handle, String.valueOf(id));
        });
    }

    /** The published meetings of an evening, optionally one teacher's or one guardian's; as row-level security shows them. */
    public List<Slot> timetable(String conference, String teacher, String guardian) {
        return db.inTransaction(handle -> {
            long id = require(handle, conference);
            Long t = teacher == null ? null : Lookups.user(handle, teacher).id();
            Long g = guardian == null ? null : Lookups.user(handle, guardian).id();
            return timetable(handle, id, t, g);
        });
    }

    static List<Slot> timetable(Handle handle, long conference, Long teacher, Long guardian) {
        return handle.createQuery("""
                        SELECT t.email AS teacher, t.name AS teacher_name, ct.room, a.starts_at, a.ends_at, a.timezone,
                               s.email AS student, s.name AS student_name, g.email AS guardian, g.name AS guardian_name,
                               coalesce(gc.locale, 'en') AS locale, g.timezone AS guardian_zone, a.reference
                        FROM conference_plan p
                        JOIN conference_requests r ON r.id = p.request_id
                        JOIN appointments a ON a.id = p.appointment_id
                        JOIN conference_teachers ct ON ct.conference_id = r.conference_id AND ct.teacher_id = r.teacher_id
                        JOIN users t ON t.id = r.teacher_id JOIN users s ON s.id = r.student_id JOIN users g ON g.id = r.guardian_id
                        LEFT JOIN user_contacts gc ON gc.id = g.id -- the locale is a contact detail (V48)
                        WHERE p.conference_id = :c AND a.status IN ('pending', 'confirmed', 'completed')
                          AND (CAST(:t AS bigint) IS NULL OR r.teacher_id = :t)
                          AND (CAST(:g AS bigint) IS NULL OR r.guardian_id = :g)
                        ORDER BY t.email, a.starts_at""")
                .bind("c", conference).bind("t", teacher).bind("g", guardian)
                .map((rs, ctx) -> {
                    ZoneId zone = ZoneId.of(rs.getString("timezone"));
                    return new Slot(rs.getString("teacher"), rs.getString("teacher_name"), rs.getString("room"),
                            rs.getObject("starts_at", java.time.OffsetDateTime.class).atZoneSameInstant(zone),
                            rs.getObject("ends_at", java.time.OffsetDateTime.class).atZoneSameInstant(zone),
                            rs.getString("student"), rs.getString("student_name"), rs.getString("guardian"),
                            rs.getString("guardian_name"), rs.getString("locale"), rs.getString("guardian_zone"),
                            rs.getString("reference"));
                }).list();
    }

    static int ceilDiv(long a, long b) {
        return (int) -Math.floorDiv(-a, b);
    }

    static java.time.OffsetDateTime utc(Instant i) {
        return java.time.OffsetDateTime.ofInstant(i, java.time.ZoneOffset.UTC);
    }
}
