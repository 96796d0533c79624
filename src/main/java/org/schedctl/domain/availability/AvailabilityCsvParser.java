package org.schedctl.domain.availability;

import java.io.BufferedInputStream;
import java.io.FilterReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.Zones;

/**
 * Reads an availability CSV (column contract in CLI.md) into typed rows, checking everything that
 * needs no database, and reports every bad row rather than stopping at the first. Memory stays
 * bounded on hostile input: long fields, runaway quoted records and huge files are refused with a message.
 * Instances hold per-file caches and are not thread-safe; use one per file.
 */
public final class AvailabilityCsvParser {
    public static final int MAX_FIELD_CHARS = 1000;
    public static final int MAX_REASON_CHARS = 500;
    public static final long MAX_LINES = 5_000_000;
    /** Errors kept for reporting; past this only a count is kept. */
    public static final int MAX_LISTED_ERRORS = 10_000;
    /** No valid record comes near this; a larger one is an unterminated quote or an attack. */
    static final int MAX_RECORD_CHARS = 64 * 1024;

    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setTrim(false).build();

    enum Column {
        INSTRUCTOR, KIND, DAY, START_TIME, END_TIME, TIMEZONE, EFFECTIVE_FROM, EFFECTIVE_UNTIL, TYPE,
        START_AT, END_AT, RRULE, REASON, EXDATE;

        final String header = name().toLowerCase(Locale.ROOT);
    }

    private static final Column[] WEEKLY_ONLY = {Column.DAY, Column.START_TIME, Column.END_TIME,
            Column.EFFECTIVE_FROM, Column.EFFECTIVE_UNTIL, Column.TYPE};
    private static final Column[] BLOCK_ONLY = {Column.START_AT, Column.END_AT, Column.RRULE, Column.REASON, Column.EXDATE};
    private static final Map<String, DayOfWeek> DAYS = Map.of("MON", DayOfWeek.MONDAY, "TUE", DayOfWeek.TUESDAY,
            "WED", DayOfWeek.WEDNESDAY, "THU", DayOfWeek.THURSDAY, "FRI", DayOfWeek.FRIDAY, "SAT", DayOfWeek.SATURDAY,
            "SUN", DayOfWeek.SUNDAY);

    private final String file;
    private final List<CsvError> errors = new ArrayList<>();
    private long unlistedErrors;
    private final Map<String, Object> zoneCache = new HashMap<>();
    private final Map<String, Object> rruleCache = new HashMap<>();

    private AvailabilityCsvParser(String file) {
        this.file = file;
    }

    /** Parses the whole stream; never throws for bad content, only reports it in the result. */
    public static AvailabilityCsvResult parse(InputStream input, String fileName) {
        return new AvailabilityCsvParser(fileName).run(input);
    }

    private AvailabilityCsvResult run(InputStream input) {
        List<WeeklyRow> weekly = new ArrayList<>();
        List<BlockRow> blocks = new ArrayList<>();
        long rows = 0;
        long line = 0;
        BoundedReader reader = null;
        try {
            reader = new BoundedReader(new InputStreamReader(skipBom(input), strictUtf8()));
            try (CSVParser parser = FORMAT.parse(reader)) {
                Map<Column, Integer> columns = null;
                int fieldCount = 0;
                for (CSVRecord record : parser) {
                    long recordLine = line + 1;
                    line = parser.getCurrentLineNumber();
                    reader.recordStart = record.getCharacterPosition();
                    if (line > MAX_LINES) {
                        error(recordLine, "the file has more than " + MAX_LINES + " lines. Split it into smaller files");
                        break;
                    }
                    if (columns == null) {
                        columns = header(record);
                        if (columns == null) {
                            break;
                        }
                        fieldCount = record.size();
                        continue;
                    }
                    if (record.size() == 1 && record.get(0).isEmpty()) {
                        continue;
                    }
                    rows++;
                    row(record, recordLine, columns, fieldCount, weekly, blocks);
                }
                if (columns == null && errors.isEmpty()) {
                    error(0, "the file is empty. Give a header row such as "
                            + "instructor,kind,day,start_time,end_time,timezone and one row per rule");
                }
            }
        } catch (IOException | UncheckedIOException e) {
            readFailure(e, line + 1, reader);
        }
        if (unlistedErrors > 0) {
            errors.add(new CsvError(file, 0, unlistedErrors + " more problems not listed. Fix the ones above and run again"));
        }
        return new AvailabilityCsvResult(file, rows, weekly, blocks, errors);
    }

    private Map<Column, Integer> header(CSVRecord record) {
        Map<Column, Integer> columns = new EnumMap<>(Column.class);
        List<String> unknown = new ArrayList<>();
        Map<String, Column> byName = new HashMap<>();
        for (Column column : Column.values()) {
            byName.put(column.header, column);
        }
        for (int index = 0; index < record.size(); index++) {
            String name = record.get(index).trim().toLowerCase(Locale.ROOT);
            Column column = byName.get(name);
            if (column == null) {
                unknown.add(record.get(index));
            } else if (columns.putIfAbsent(column, index) != null) {
                error(1, "column '" + name + "' appears twice in the header. Keep one");
            }
        }
        if (columns.isEmpty()) {
            error(1, "no header row (the first line names no known column). Add a first line such as "
                    + "instructor,kind,day,start_time,end_time,timezone");
            return null;
        }
        for (String name : unknown) {
            error(1, "unknown column '" + abbreviate(name) + "'. Known columns: " + knownColumns());
        }
        for (Column required : new Column[] {Column.INSTRUCTOR, Column.KIND}) {
            if (!columns.containsKey(required)) {
                error(1, "the header has no '" + required.header + "' column. Add it; every row needs it");
            }
        }
        return errors.isEmpty() ? columns : null;
    }

    private void row(CSVRecord record, long line, Map<Column, Integer> columns, int expected, List<WeeklyRow> weekly,
                     List<BlockRow> blocks) {
        if (record.size() != expected) {
            error(line, "the row has " + record.size() + " fields but the header has " + expected
                    + ". Check commas and quotes on this line");
            return;
        }
        EnumMap<Column, String> values = new EnumMap<>(Column.class);
        boolean tooLong = false;
        for (Map.Entry<Column, Integer> entry : columns.entrySet()) {
            // Export guards cells a spreadsheet would run as formulas ('=…); reading one back restores the value.
            String value = org.schedctl.domain.CsvCells.unguard(record.get(entry.getValue()).trim());
            int limit = entry.getKey() == Column.REASON ? MAX_REASON_CHARS : MAX_FIELD_CHARS;
            if (value.length() > limit) {
                error(line, entry.getKey().header + " is longer than " + limit + " characters. Shorten it");
                tooLong = true;
            } else if (!value.isEmpty()) {
                values.put(entry.getKey(), value);
            }
        }
        if (tooLong) {
            return;
        }
        RowProblems problems = new RowProblems(line);
        String instructor = values.get(Column.INSTRUCTOR);
        if (instructor == null) {
            problems.add("instructor is empty. Give the instructor's email or id");
        }
        String kind = values.get(Column.KIND);
        ZoneId zone = zone(values.get(Column.TIMEZONE), problems);
        if (kind == null) {
            problems.add("kind is empty. Give weekly, available or unavailable");
        } else {
            switch (kind.toLowerCase(Locale.ROOT)) {
                case "weekly" -> {
                    WeeklyRow row = weeklyRow(line, instructor, zone, values, problems);
                    if (row != null && !problems.any()) {
                        weekly.add(row);
                    }
                }
                case "available", "unavailable" -> {
                    BlockKind blockKind = kind.equalsIgnoreCase("available") ? BlockKind.AVAILABLE : BlockKind.UNAVAILABLE;
                    BlockRow row = blockRow(line, instructor, blockKind, zone, values, problems);
                    if (row != null && !problems.any()) {
                        blocks.add(row);
                    }
                }
                default -> problems.add("kind '" + abbreviate(kind) + "' is not weekly, available or unavailable. Use one of those");
            }
        }
    }

    private WeeklyRow weeklyRow(long line, String instructor, ZoneId zone, Map<Column, String> values, RowProblems problems) {
        notForThisKind(values, BLOCK_ONLY, "weekly", problems);
        DayOfWeek day = null;
        String dayText = values.get(Column.DAY);
        if (dayText == null) {
            problems.add("day is empty. Give MON, TUE, WED, THU, FRI, SAT or SUN");
        } else {
            day = DAYS.get(dayText.toUpperCase(Locale.ROOT));
            if (day == null) {
                problems.add("day '" + abbreviate(dayText) + "' is not MON..SUN. Give MON, TUE, WED, THU, FRI, SAT or SUN");
            }
        }
        LocalTime start = time(Column.START_TIME, values, problems);
        LocalTime end = "24:00".equals(values.get(Column.END_TIME)) ? LocalTimes.END_OF_DAY : time(Column.END_TIME, values, problems);
        if (start != null && end != null && !end.isAfter(start)) {
            problems.add("end_time " + end + " is not after start_time " + start
                    + ". Give an end after the start on the same day (ranges cannot cross midnight; split them)");
        }
        LocalDate from = date(Column.EFFECTIVE_FROM, values, problems);
        LocalDate until = date(Column.EFFECTIVE_UNTIL, values, problems);
        if (from != null && until != null && until.isBefore(from)) {
            problems.add("effective_until " + until + " is before effective_from " + from + ". Swap or correct them");
        }
        if (problems.any()) {
            return null;
        }
        return new WeeklyRow(line, instructor, day, start, end, zone, from, until, values.get(Column.TYPE));
    }

    private BlockRow blockRow(long line, String instructor, BlockKind kind, ZoneId zone, Map<Column, String> values,
                              RowProblems problems) {
        notForThisKind(values, WEEKLY_ONLY, kind.label(), problems);
        TimeInput start = timeInput(Column.START_AT, zone, values, problems);
        TimeInput end = timeInput(Column.END_AT, zone, values, problems);
        if (start != null && end != null) {
            boolean comparable = zone != null || start.isLocal() == end.isLocal();
            if (comparable && !after(end, start, zone)) {
                problems.add("end_at " + values.get(Column.END_AT) + " is not after start_at " + values.get(Column.START_AT)
                        + ". Give an end after the start");
            }
        }
        RecurrenceRule rrule = null;
        String rruleText = values.get(Column.RRULE);
        if (rruleText != null) {
            Object cached = rruleCache.computeIfAbsent(rruleText, text -> {
                try {
                    return RecurrenceRule.parse(text);
                } catch (InvalidInputException e) {
                    return e.getMessage();
                }
            });
            if (cached instanceof RecurrenceRule rule) {
                rrule = rule;
            } else {
                problems.add((String) cached);
            }
        }
        List<TimeInput> exdates = new ArrayList<>();
        String exdateText = values.get(Column.EXDATE);
        if (exdateText != null) {
            if (rruleText == null) {
                problems.add("exdate leaves out occurrences of a repeated block. Give an rrule too, or leave exdate empty");
            }
            // Several date-times, separated by commas, semicolons or spaces (RFC 5545's EXDATE lists them with commas).
            for (String one : exdateText.trim().split("[,; ]+")) {
                try {
                    TimeInput input = TimeInput.parse(one);
                    if (zone != null && input.isLocal()) {
                        input.resolve(zone);
                    }
                    exdates.add(input);
                } catch (InvalidInputException e) {
                    problems.add("exdate: " + e.getMessage());
                }
            }
        }
        if (problems.any()) {
            return null;
        }
        return new BlockRow(line, instructor, kind, start, end, zone, rrule, values.get(Column.REASON), List.copyOf(exdates));
    }

    private static boolean after(TimeInput end, TimeInput start, ZoneId zone) {
        if (start.isLocal() && end.isLocal()) {
            return end.local().isAfter(start.local());
        }
        Instant startInstant = start.resolve(zone);
        Instant endInstant = end.resolve(zone);
        return endInstant.isAfter(startInstant);
    }

    private TimeInput timeInput(Column column, ZoneId zone, Map<Column, String> values, RowProblems problems) {
        String text = values.get(column);
        if (text == null) {
            problems.add(column.header + " is empty. Give a date-time such as 2027-06-07T09:00");
            return null;
        }
        try {
            TimeInput input = TimeInput.parse(text);
            if (zone != null && input.isLocal()) {
                input.resolve(zone);
            }
            return input;
        } catch (InvalidInputException e) {
            problems.add(column.header + ": " + e.getMessage());
            return null;
        }
    }

    private static LocalTime time(Column column, Map<Column, String> values, RowProblems problems) {
        String text = values.get(column);
        if (text == null) {
            problems.add(column.header + " is empty. Give a time HH:MM such as 09:00");
            return null;
        }
        if (text.length() == 5 && text.charAt(2) == ':' && digits(text, 0, 2) && digits(text, 3, 5)) {
            int hour = Integer.parseInt(text, 0, 2, 10);
            int minute = Integer.parseInt(text, 3, 5, 10);
            if (hour < 24 && minute < 60) {
                return LocalTime.of(hour, minute);
            }
        }
        problems.add(column.header + " '" + abbreviate(text) + "' is not a time HH:MM from 00:00 to 23:59. Write e.g. 09:30");
        return null;
    }

    private static LocalDate date(Column column, Map<Column, String> values, RowProblems problems) {
        String text = values.get(column);
        if (text == null) {
            return null;
        }
        try {
            // The common exact form is parsed by hand: DateTimeFormatter dominates a cold 100,000-row import.
            if (text.length() == 10 && text.charAt(4) == '-' && text.charAt(7) == '-'
                    && digits(text, 0, 4) && digits(text, 5, 7) && digits(text, 8, 10)) {
                return LocalDate.of(Integer.parseInt(text, 0, 4, 10), Integer.parseInt(text, 5, 7, 10),
                        Integer.parseInt(text, 8, 10, 10));
            }
            return LocalDate.parse(text);
        } catch (DateTimeException e) {
            problems.add(column.header + " '" + abbreviate(text) + "' is not a date YYYY-MM-DD. Write e.g. 2027-06-07");
            return null;
        }
    }

    private ZoneId zone(String text, RowProblems problems) {
        if (text == null) {
            return null;
        }
        // ZoneId lookups copy the whole zone id set each time; a file repeats a handful of zones.
        Object cached = zoneCache.computeIfAbsent(text, id -> {
            try {
                return Zones.parse(id);
            } catch (InvalidInputException e) {
                return e.getMessage();
            }
        });
        if (cached instanceof ZoneId zone) {
            return zone;
        }
        problems.add("timezone: " + cached);
        return null;
    }

    private static void notForThisKind(Map<Column, String> values, Column[] columns, String kind, RowProblems problems) {
        for (Column column : columns) {
            if (values.containsKey(column)) {
                problems.add(column.header + " does not apply to " + kind + " rows. Leave it empty or change kind");
            }
        }
    }

    private static boolean digits(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private void readFailure(Exception e, long line, BoundedReader reader) {
        Throwable cause = e;
        while (cause != null) {
            if (cause instanceof CharacterCodingException) {
                error(line, "the file is not valid UTF-8 (bad bytes at or after this line). Save it as UTF-8");
                return;
            }
            if (cause instanceof RecordTooLongException) {
                error(line, "a record is longer than " + MAX_RECORD_CHARS
                        + " characters, probably an unclosed quote. Check the quotes from this line on");
                return;
            }
            cause = cause.getCause();
        }
        // Decided from what was read, not from the parser's message: the input ended inside quotes (an escaped
        // quote is doubled, so a closed field always leaves an even count).
        if (reader != null && reader.atEnd && reader.quotes % 2 == 1) {
            error(line, "a quoted field is never closed. Check the quotes from this line on");
            return;
        }
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        error(line, "cannot read the file (" + detail.replace('\n', ' ') + "). Check that it is a readable CSV file");
    }

    private void error(long line, String message) {
        if (errors.size() < MAX_LISTED_ERRORS) {
            errors.add(new CsvError(file, line, message));
        } else {
            unlistedErrors++;
        }
    }

    private static String knownColumns() {
        StringJoiner joiner = new StringJoiner(", ");
        for (Column column : Column.values()) {
            joiner.add(column.header);
        }
        return joiner.toString();
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }

    private static CharsetDecoder strictUtf8() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private static InputStream skipBom(InputStream input) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(input, 64 * 1024);
        buffered.mark(3);
        byte[] head = buffered.readNBytes(3);
        if (!(head.length == 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB && (head[2] & 0xFF) == 0xBF)) {
            buffered.reset();
        }
        return buffered;
    }

    /** Collects a row's problems so one row reports all of them, each as its own error line. */
    private final class RowProblems {
        private final long line;
        private int count;

        RowProblems(long line) {
            this.line = line;
        }

        void add(String message) {
            count++;
            error(line, message);
        }

        boolean any() {
            return count > 0;
        }
    }

    private static final class RecordTooLongException extends IOException {
        RecordTooLongException() {
            super("record too long");
        }
    }

    /** Refuses to feed the CSV parser more than MAX_RECORD_CHARS past the start of the current record. */
    private static final class BoundedReader extends FilterReader {
        private long position;
        long recordStart;
        /** Double quotes read so far: odd at the end of the input means a quoted field was never closed. */
        long quotes;
        boolean atEnd;

        BoundedReader(Reader in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            check(1);
            int c = super.read();
            if (c >= 0) {
                position++;
                if (c == '"') {
                    quotes++;
                }
            } else {
                atEnd = true;
            }
            return c;
        }

        @Override
        public int read(char[] buffer, int offset, int length) throws IOException {
            check(length);
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                position += n;
                for (int i = offset; i < offset + n; i++) {
                    if (buffer[i] == '"') {
                        quotes++;
                    }
                }
            } else if (n < 0) {
                atEnd = true;
            }
            return n;
        }

        private void check(int wanted) throws IOException {
            // The parser reads ahead by one buffer, so allow that much beyond the limit.
            if (position - recordStart > MAX_RECORD_CHARS + 16 * 1024L + wanted) {
                throw new RecordTooLongException();
            }
        }
    }
}
