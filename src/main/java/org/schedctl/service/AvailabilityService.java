package org.schedctl.service;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.jdbi.v3.core.Handle;
import org.schedctl.domain.Checked;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.Text;
import org.schedctl.domain.TimeInput;
import org.schedctl.domain.User;
import org.schedctl.domain.Zones;
import org.schedctl.domain.availability.BlockRule;
import org.schedctl.domain.availability.Interval;
import org.schedctl.domain.availability.LocalTimes;
import org.schedctl.domain.availability.RecurrenceRule;
import org.schedctl.domain.availability.WeeklyMerge;
import org.schedctl.domain.availability.WeeklyRule;
import org.schedctl.store.AvailabilityStore;
import org.schedctl.store.AvailabilityStore.BlockRowView;
import org.schedctl.store.AvailabilityStore.WeeklyRuleRow;
import org.schedctl.store.CopyWriter;
import org.schedctl.store.Database;

/** Weekly patterns, time blocks, vacations and free slots of instructors. */
public final class AvailabilityService {
    static final List<String> CSV_HEADER = List.of("instructor", "kind", "day", "start_time", "end_time", "timezone",
            "effective_from", "effective_until", "type", "start_at", "end_at", "rrule", "reason", "exdate");

    private final Database db;
    private final AppointmentLifecycleService lifecycle;

    /** Availability without the appointment lifecycle: everything but a vacation that cancels bookings. */
    public AvailabilityService(Database db) {
        this(db, null);
    }

    /** {@code lifecycle} cancels the bookings a vacation covers ({@code --cancel-bookings}). */
    public AvailabilityService(Database db, AppointmentLifecycleService lifecycle) {
        this.db = db;
        this.lifecycle = lifecycle;
    }

    // ------------------------------------------------------------------------------------------------
    // Weekly patterns
    // ------------------------------------------------------------------------------------------------

    /** A weekly range as the command line read it; a bad value is refused in the order {@link #set} checks them. */
    public record SetRequest(String instructor, Checked<DayOfWeek> day, Checked<LocalTime> from, Checked<LocalTime> to,
                             String type, Checked<LocalDate> effectiveFrom, Checked<LocalDate> effectiveUntil,
                             Checked<ZoneId> zone) {
    }

    /** A weekly rule as the commands print it. */
    public record WeeklyView(long id, String instructor, String day, String startTime, String endTime, String timezone,
                             LocalDate effectiveFrom, LocalDate effectiveUntil, String type) {
        static WeeklyView of(WeeklyRuleRow row) {
            return new WeeklyView(row.id(), row.instructor(), dayName(row.day()), LocalTimes.hhmm(row.startTime()),
                    LocalTimes.hhmm(row.endTime()), row.timezone(), row.effectiveFrom(), row.effectiveUntil(), row.type());
        }
    }

    /**
     * Adds a weekly range. A range that overlaps or touches one of the same instructor, day, zone, type and
     * effective window is merged with it, so the result is the rule now covering the given range.
     */
    public WeeklyView set(SetRequest r) {
        DayOfWeek day = r.day().get();
        LocalTime start = r.from().get();
        LocalTime end = r.to().get();
        LocalDate effectiveFrom = r.effectiveFrom() == null ? null : r.effectiveFrom().get();
        LocalDate effectiveUntil = r.effectiveUntil() == null ? null : r.effectiveUntil().get();
        ZoneId explicitZone = r.zone() == null ? null : r.zone().get();
        return db.inTransaction(handle -> {
            User instructor = own(handle, r.instructor(), "change an instructor's weekly availability");
            Long typeId = r.type() == null ? null : ownType(handle, instructor, r.type());
            ZoneId zone = explicitZone != null ? explicitZone : ZoneId.of(instructor.timezone());
            WeeklyRule rule = new WeeklyRule(day, start, end, zone, effectiveFrom, effectiveUntil, typeId);
            AvailabilityStore store = new AvailabilityStore(handle);
            long[] ids = {instructor.id()};
            store.lockInstructors(ids);
            WeeklyMerge.Group group = new WeeklyMerge.Group(instructor.id(), day, zone.getId(), typeId, effectiveFrom, effectiveUntil);
            store.apply(WeeklyMerge.plan(List.of(new WeeklyMerge.Incoming(1, group, start, end)), store.storedRules(ids), false));
            return store.weeklyRules(instructor.id()).stream()
                    .filter(row -> row.day() == day && row.timezone().equals(zone.getId())
                            && java.util.Objects.equals(row.typeId(), typeId)
                            && java.util.Objects.equals(row.effectiveFrom(), effectiveFrom)
                            && java.util.Objects.equals(row.effectiveUntil(), effectiveUntil)
                            && !row.startTime().isAfter(start) && !row.endTime().isBefore(end))
                    .findFirst().map(WeeklyView::of)
                    .orElseThrow(() -> new IllegalStateException("the merged weekly rule is missing"));
        });
    }

    /**
     * The instructor a management command names, when the acting user may manage it: the instructor themselves or an
     * administrator (exit 6 otherwise, with the reason; students are refused before the name is looked up, so a
     * student learns nothing about who exists). Row-level security enforces the same; this only explains.
     */
    private static User own(Handle handle, String ident, String what) {
        Access.requireNotStudent(handle, what);
        User instructor = Lookups.instructor(handle, ident);
        Access.requireSelfOrAdmin(handle, instructor.id(), what + " of " + instructor.email());
        return instructor;
    }

    /** One line of `availability list`: a weekly rule or a block (fields of the other kind stay empty). */
    public record AvailabilityEntry(long id, String kind, String day, String startTime, String endTime, String timezone,
                                    LocalDate effectiveFrom, LocalDate effectiveUntil, String type, Instant start,
                                    Instant end, String rrule, String reason) {
    }

    public record Listing(ZoneId zone, List<AvailabilityEntry> entries) {
    }

    public Listing list(String instructorIdent) {
        return db.inTransaction(handle -> {
            User instructor = own(handle, instructorIdent, "list an instructor's availability and blocks (see free times with `schedctl availability slots`)");
            AvailabilityStore store = new AvailabilityStore(handle);
            List<AvailabilityEntry> entries = new ArrayList<>();
            for (WeeklyRuleRow row : store.weeklyRules(instructor.id())) {
                WeeklyView w = WeeklyView.of(row);
                entries.add(new AvailabilityEntry(w.id(), "weekly", w.day(), w.startTime(), w.endTime(), w.timezone(),
                        w.effectiveFrom(), w.effectiveUntil(), w.type(), null, null, null, null));
            }
            for (BlockRowView b : store.blocks(instructor.id())) {
                entries.add(new AvailabilityEntry(b.id(), b.kind(), null, null, null, b.timezone(), null, null, null,
                        b.start(), b.end(), b.rrule(), b.reason()));
            }
            return new Listing(ZoneId.of(instructor.timezone()), entries);
        });
    }

    // ------------------------------------------------------------------------------------------------
    // Blocks and vacations
    // ------------------------------------------------------------------------------------------------

    /** A block as the command line read it: times read in {@code zone}, else the instructor's zone. */
    public record BlockRequest(String instructor, TimeInput.Arg from, TimeInput.Arg to, String rrule, boolean available,
                               String reason, Checked<ZoneId> zone, List<TimeInput.Arg> exdates) {
    }

    /** A time block as the commands print it. */
    public record BlockView(long id, String instructor, String kind, Instant start, Instant end, String timezone,
                            String rrule, String reason, String source, int occurrences, Instant expandedUntil) {
    }

    /** A one-off or recurring block; its occurrences are stored up to the rolling horizon. */
    public BlockView block(BlockRequest r, Instant now) {
        RecurrenceRule rrule = r.rrule() == null || r.rrule().isBlank() ? null : RecurrenceRule.parse(r.rrule());
        String reason = r.reason() == null ? null : Text.optionalFreeText(r.reason(), "reason", 500);
        ZoneId explicitZone = r.zone() == null ? null : r.zone().get();
        return db.inTransaction(handle -> {
            User instructor = own(handle, r.instructor(), "block an instructor's time");
            ZoneId zone = explicitZone != null ? explicitZone : ZoneId.of(instructor.timezone());
            BlockRule rule = new BlockRule(r.from().in(zone), r.to().in(zone),
                    zone, rrule, r.exdates() == null ? List.of() : r.exdates().stream().map(x -> x.in(zone)).toList());
            rule.requireExdatesNameOccurrences(BlockRule.defaultHorizon(now), "--exdate");
            String kind = r.available() ? "available" : "unavailable";
            long id = insertBlock(handle, instructor.id(), kind, rule, reason, "cli", now);
            return blockView(new AvailabilityStore(handle), id);
        });
    }

    public BlockView unblock(String idText) {
        long id = blockId(idText);
        return db.inTransaction(handle -> {
            AvailabilityStore store = new AvailabilityStore(handle);
            BlockView view = blockView(store, id);
            store.deleteBlock(id);
            return view;
        });
    }

    public record VacationView(long id, String instructor, LocalDate from, LocalDate until, Instant start, Instant end,
                               String timezone, long activeBookings, long cancelledBookings) {
    }

    /**
     * Whole local days off: a 'vacation' block, so no slots are offered then. With {@code cancelBookings}, the
     * active bookings in the range are then cancelled through the booking service (fees waived, students notified);
     * the vacation is in place first, so nobody can book into the range while they are being cancelled, and a
     * rerun after an interruption cancels what is left.
     */
    public VacationView vacation(String instructorIdent, LocalDate first, LocalDate last, boolean cancelBookings, Instant now) {
        if (cancelBookings && lifecycle == null) {
            throw new IllegalStateException("this AvailabilityService was built without the appointment lifecycle; build it with Services");
        }
        if (last.isBefore(first)) {
            throw new org.schedctl.domain.InvalidInputException("--until " + last + " is before --from " + first + ". Swap them");
        }
        if (last.isBefore(first)) {
            throw new org.schedctl.domain.InvalidInputException("--until " + last + " is before --from " + first + ". Swap them");
        }
        record Planned(long id, String email, Interval days, ZoneId zone, List<String> references) {
        }
        Planned planned = db.inTransaction(handle -> {
            User instructor = own(handle, instructorIdent, "put an instructor on vacation");
            ZoneId zone = ZoneId.of(instructor.timezone());
            Interval days = LocalTimes.days(first, last, zone);
            List<String> references = handle.createQuery("""
                            SELECT reference FROM appointments
                            WHERE instructor_id = :i AND status IN ('held', 'pending', 'confirmed')
                              AND starts_at < :end AND ends_at > :start
                            ORDER BY starts_at""")
                    .bind("i", instructor.id()).bind("start", days.start()).bind("end", days.end())
                    .mapTo(String.class).list();
            long id = insertBlock(handle, instructor.id(), "vacation", new BlockRule(days.start(), days.end(), zone, null, List.of()),
                    "vacation", "vacation", now);
            return new Planned(id, instructor.email(), days, zone, references);
        });
        long cancelled = 0;
        if (cancelBookings) {
            for (String reference : planned.references()) {
                lifecycle.cancel(reference, "instructor on vacation " + first + " to " + last, true);
                cancelled++;
            }
        }
        return new VacationView(planned.id(), planned.email(), first, last, planned.days().start(), planned.days().end(),
                planned.zone().getId(), planned.references().size(), cancelled);
    }

    /**
     * Extends the stored occurrences of every recurring block up to the rolling horizon of {@code now}
     * (18 months). Returns how many blocks were extended. Safe to run concurrently: blocks are claimed with
     * SKIP LOCKED and occurrences are only added past each block's expanded_until.
     */
    public int extendHorizon(Instant now) {
        Instant horizon = BlockRule.defaultHorizon(now);
        return db.inTransaction(handle -> {
            AvailabilityStore store = new AvailabilityStore(handle);
            List<BlockRowView> blocks = store.blocksToExtend(horizon);
            if (blocks.isEmpty()) {
                return 0;
            }
            CopyWriter occurrences = store.occurrenceWriter();
            long[] ids = new long[blocks.size()];
            int i = 0;
            for (BlockRowView b : blocks) {
                BlockRule rule = new BlockRule(b.start(), b.end(), ZoneId.of(b.timezone()), RecurrenceRule.parse(b.rrule()), b.exdates());
                Instant from = b.expandedUntil() == null ? b.start() : b.expandedUntil();
                if (horizon.isAfter(from)) {
                    for (Interval o : rule.occurrences(new Interval(from, horizon))) {
                        occurrences.add(b.id()).add(b.instructorId()).add(b.kind()).add(AvailabilityStore.range(o.start(), o.end())).endRow();
                    }
                }
                ids[i++] = b.id();
            }
            occurrences.flush();
            store.insertStagedOccurrences();
            store.setExpandedUntil(ids, horizon);
            return blocks.size();
        });
    }

    static long insertBlock(Handle handle, long instructorId, String kind, BlockRule rule, String reason, String source, Instant now) {
        AvailabilityStore store = new AvailabilityStore(handle);
        store.createBlockStage();
        CopyWriter stage = store.blockStageWriter();
        Instant horizon = rule.rrule() == null ? null : BlockRule.defaultHorizon(now);
        stageBlock(stage, 1, instructorId, kind, rule, reason, horizon);
        stage.flush();
        List<AvailabilityStore.InsertedBlock> inserted = store.insertStagedBlocks(source, db(handle));
        if (inserted.isEmpty()) {
            throw new ConflictException("the same " + kind + " block already exists for this instructor. See `schedctl availability list`");
        }
        long id = inserted.get(0).id();
        CopyWriter occurrences = store.occurrenceWriter();
        writeOccurrences(occurrences, id, instructorId, kind, rule, horizon);
        occurrences.flush();
        store.insertStagedOccurrences();
        return id;
    }

    static void stageBlock(CopyWriter stage, long line, long instructorId, String kind, BlockRule rule, String reason, Instant horizon) {
        stage.add(line).add(instructorId).add(kind).add(rule.start()).add(rule.end()).add(rule.zone().getId())
                .add(rule.start().atZone(rule.zone()).toLocalDateTime()).add(rule.end().atZone(rule.zone()).toLocalDateTime())
                .add(rule.rrule() == null ? null : rule.rrule().text()).add(reason).add(horizon).add(exdatesLiteral(rule.exdates())).endRow();
    }

    /** A PostgreSQL array literal of instants, for COPY into a timestamptz[] column. */
    static String exdatesLiteral(List<Instant> exdates) {
        return "{" + String.join(",", exdates.stream().map(Instant::toString).toList()) + "}";
    }

    static void writeOccurrences(CopyWriter out, long blockId, long instructorId, String kind, BlockRule rule, Instant horizon) {
        List<Interval> occurrences = rule.rrule() == null ? List.of(new Interval(rule.start(), rule.end())) : rule.occurrences(horizon);
        for (Interval o : occurrences) {
            out.add(blockId).add(instructorId).add(kind).add(AvailabilityStore.range(o.start(), o.end())).endRow();
        }
    }

    private static long db(Handle handle) {
        return handle.createQuery("SELECT app_current_user_id()").mapTo(Long.class).one();
    }

    private static BlockView blockView(AvailabilityStore store, long id) {
        BlockRowView b = store.block(id).orElseThrow(() -> new NotFoundException("time block " + id
                + " not found. See `schedctl availability list USER`"));
        int occurrences = store.handle().createQuery("SELECT count(*) FROM time_block_occurrences WHERE block_id = :id")
                .bind("id", id).mapTo(Integer.class).one();
        return new BlockView(b.id(), b.instructor(), b.kind(), b.start(), b.end(), b.timezone(), b.rrule(), b.reason(),
                b.source(), occurrences, b.expandedUntil());
    }

    // ------------------------------------------------------------------------------------------------
    // Export
    // ------------------------------------------------------------------------------------------------

    /** The instructor's weekly rules and available/unavailable blocks in the import format of CLI.md. */
    public String export(String instructorIdent) {
        return db.inTransaction(handle -> {
            User instructor = own(handle, instructorIdent, "export an instructor's availability");
            AvailabilityStore store = new AvailabilityStore(handle);
            StringWriter text = new StringWriter();
            try (CSVPrinter csv = new CSVPrinter(text, CSVFormat.RFC4180.builder().setRecordSeparator("\n").build())) {
                csv.printRecord(CSV_HEADER);
                for (WeeklyRuleRow r : store.weeklyRules(instructor.id())) {
                    printGuarded(csv, r.instructor(), "weekly", dayName(r.day()), LocalTimes.hhmm(r.startTime()), LocalTimes.hhmm(r.endTime()),
                            r.timezone(), str(r.effectiveFrom()), str(r.effectiveUntil()), r.type() == null ? "" : r.type(),
                            "", "", "", "", "");
                }
                for (BlockRowView b : store.blocks(instructor.id())) {
                    if (b.kind().equals("vacation")) {
                        continue;
                    }
                    ZoneId zone = ZoneId.of(b.timezone());
                    printGuarded(csv, b.instructor(), b.kind(), "", "", "", b.timezone(), "", "", "",
                            b.start().atZone(zone).toOffsetDateTime().toString(), b.end().atZone(zone).toOffsetDateTime().toString(),
                            b.rrule() == null ? "" : b.rrule(), b.reason() == null ? "" : b.reason(),
                            String.join(",", b.exdates().stream().map(x -> x.atZone(zone).toOffsetDateTime().toString()).toList()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return text.toString();
        });
    }

    /** One export row, each cell guarded against formula injection; the import unguards it (CLI.md round trip). */
    private static void printGuarded(CSVPrinter csv, Object... cells) throws IOException {
        for (Object cell : cells) {
            csv.print(org.schedctl.domain.CsvCells.guard(cell == null ? null : cell.toString()));
        }
        csv.println();
    }

    // ------------------------------------------------------------------------------------------------
    // Slots
    // ------------------------------------------------------------------------------------------------

    /** A free slot as CLI.md names its keys. */
    public record SlotView(String instructor, String type, Instant start, Instant end) {
    }

    public record SlotList(ZoneId zone, List<SlotView> slots) {
    }

    /**
     * Free slots of one instructor and type for the days {@code from}..{@code to} (inclusive), read in {@code tz}
     * if given, else in the instructor's zone. The slots come from the one lister (SlotFinder).
     */
    public SlotList slots(String instructorIdent, String typeIdent, Checked<LocalDate> from, Checked<LocalDate> to,
                          Checked<ZoneId> tz, Instant now) {
        return db.inTransaction(handle -> {
            User instructor = Lookups.instructor(handle, instructorIdent);
            var type = ownedType(handle, instructor, typeIdent);
            if (type.archivedAt() != null) {
                throw new ConflictException("appointment type " + typeIdent + " is archived. Pick an active type");
            }
            ZoneId zone = tz != null ? tz.get() : ZoneId.of(instructor.timezone());
            TimeInput.InstantRange range = TimeInput.dateRange(from.get(), to.get(), zone);
            List<SlotView> views = new ArrayList<>();
            if (range.end().isAfter(range.start())) {
                for (SlotFinder.FreeSlot slot : SlotFinder.find(handle, List.of(instructor.id()), Long.toString(type.id()),
                        range.start(), range.end(), now)) {
                    views.add(new SlotView(instructor.email(), type.slug(), slot.start(), slot.end()));
                }
            }
            return new SlotList(ZoneId.of(instructor.timezone()), views);
        });
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------

    private static long ownType(Handle handle, User instructor, String typeIdent) {
        return ownedType(handle, instructor, typeIdent).id();
    }

    private static org.schedctl.domain.AppointmentType ownedType(Handle handle, User instructor, String typeIdent) {
        var type = Lookups.type(handle, typeIdent);
        if (type.instructorId() != instructor.id()) {
            throw new InvalidInputException("appointment type '" + type.slug() + "' is not offered by " + instructor.email()
                    + ". Name one of their types (see `schedctl type list --instructor " + instructor.email() + "`)");
        }
        return type;
    }

    private static long blockId(String text) {
        if (text == null || !text.trim().matches("[0-9]{1,18}")) {
            throw new InvalidInputException("bad block id '" + Text.printable(String.valueOf(text))
                    + "'. Give the numeric id shown by `schedctl availability list USER`");
        }
        return Long.parseLong(text.trim());
    }

    /** A day of the week as --day gives it: MON..SUN (or longer, e.g. MONDAY). */
    public static DayOfWeek day(String text) {
        String key = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        for (DayOfWeek d : DayOfWeek.values()) {
            if (d.name().startsWith(key) && key.length() >= 3) {
                return d;
            }
        }
        throw new InvalidInputException("bad day '" + Text.printable(String.valueOf(text)) + "'. Give MON, TUE, WED, THU, FRI, SAT or SUN");
    }

    static String dayName(DayOfWeek day) {
        return day.name().substring(0, 3);
    }

    /** The end of a weekly range: HH:MM, or 24:00 for a range that ends at midnight; refused naming {@code flag}. */
    public static LocalTime endTime(String text, String flag) {
        if (text != null && text.trim().equals("24:00")) {
            return LocalTimes.END_OF_DAY;
        }
        if (text == null || !text.trim().matches("([01][0-9]|2[0-3]):[0-5][0-9]")) {
            throw new InvalidInputException(flag + " '" + Text.printable(String.valueOf(text))
                    + "' is not a time of day. Give HH:MM from 00:00 to 23:59, or 24:00 for a range that ends at midnight");
        }
        return LocalTime.parse(text.trim());
    }

    /** A time of day HH:MM, refused naming {@code flag}. */
    public static LocalTime time(String text, String flag) {
        if (text == null || !text.trim().matches("([01][0-9]|2[0-3]):[0-5][0-9]")) {
            throw new InvalidInputException(flag + " '" + Text.printable(String.valueOf(text))
                    + "' is not a time of day. Give HH:MM from 00:00 to 23:59");
        }
        return LocalTime.parse(text.trim());
    }

    private static String str(Object value) {
        return value == null ? "" : value.toString();
    }
}
