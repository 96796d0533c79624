package org.schedctl.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.schedctl.domain.CsvCells;
import org.schedctl.domain.Durations;
import org.schedctl.domain.Text;

/**
 * Renders one result record, or a list of them, as a table, JSON or CSV. The three formats print the same
 * record: JSON through Jackson with snake_case keys, the table and CSV from the same key/value view.
 * Instants are shown in ISO-8601 with the offset of the display zone; durations in the compact CLI form.
 */
public final class Output {
    private final PrintWriter out;
    private final OutputFormat format;
    private final ObjectMapper mapper;
    private final TableLayout layout;
    private final PrintWriter err;

    /** Plain output (every column, no colour, nothing cut): files and callers without a terminal. */
    public Output(PrintWriter out, OutputFormat format, ZoneId displayZone) {
        this(out, null, format, displayZone, TableLayout.PLAIN);
    }

    /** Output for a person: tables laid out by {@code layout}; an empty list is said on {@code err} (may be null). */
    public Output(PrintWriter out, PrintWriter err, OutputFormat format, ZoneId displayZone, TableLayout layout) {
        this.out = out;
        this.err = err;
        this.format = format == OutputFormat.wide ? OutputFormat.table : format;
        // A table for a person shows times as "2026-12-07 10:30" in the display zone, so lists fit; JSON/CSV keep ISO-8601.
        this.mapper = cachedMapper(displayZone, this.format == OutputFormat.table && layout != TableLayout.PLAIN);
        this.layout = layout;
    }

    public static ObjectMapper mapper(ZoneId displayZone) {
        return mapper(displayZone, false);
    }

    /** Mappers are thread-safe once built and costly to build: one per zone and style for the process (shell, batch). */
    private static final java.util.concurrent.ConcurrentMap<Map.Entry<ZoneId, Boolean>, ObjectMapper> MAPPERS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static ObjectMapper cachedMapper(ZoneId displayZone, boolean compactTimes) {
        return MAPPERS.computeIfAbsent(Map.entry(displayZone, compactTimes), key -> mapper(key.getKey(), key.getValue()));
    }

    private static final DateTimeFormatter COMPACT = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm", java.util.Locale.ROOT);
    private static final DateTimeFormatter COMPACT_SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", java.util.Locale.ROOT);

    private static ObjectMapper mapper(ZoneId displayZone, boolean compactTimes) {
        SimpleModule module = new SimpleModule("schedctl");
        module.addSerializer(Instant.class, new JsonSerializer<>() {
            @Override
            public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                var local = value.atZone(displayZone);
                gen.writeString(!compactTimes ? DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(local)
                        : (local.getSecond() == 0 && local.getNano() == 0 ? COMPACT : COMPACT_SECONDS).format(local));
            }
        });
        module.addSerializer(Duration.class, new JsonSerializer<>() {
            @Override
            public void serialize(Duration value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeString(Durations.format(value));
            }
        });
        ObjectMapper mapper = JsonMapper.builder()
                .addModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
                .addModule(module)
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(com.fasterxml.jackson.core.JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
                .build();
        mapper.getFactory().setCharacterEscapes(TerminalSafeEscapes.INSTANCE);
        return mapper;
    }

    /**
     * JSON escapes C0 controls by itself; these escapes add DEL, the C1 controls (U+0080..U+009F, among them CSI,
     * which some terminals obey even in UTF-8) and the direction controls, so JSON on a terminal is as inert as a
     * table. The escaped text is the same JSON string value.
     */
    static final class TerminalSafeEscapes extends com.fasterxml.jackson.core.io.CharacterEscapes {
        static final TerminalSafeEscapes INSTANCE = new TerminalSafeEscapes();
        private static final long serialVersionUID = 1L;
        private final int[] ascii;

        private TerminalSafeEscapes() {
            ascii = standardAsciiEscapesForJSON();
            ascii[0x7f] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public com.fasterxml.jackson.core.SerializableString getEscapeSequence(int ch) {
            if ((ch >= 0x80 && ch <= 0x9f) || (ch <= Character.MAX_VALUE && Text.isBidiControl((char) ch))) {
                return new com.fasterxml.jackson.core.io.SerializedString(String.format("\\u%04x", ch));
            }
            return null;
        }
    }

    /** Prints one record (tables show it as key/value lines) or a collection (one row each). */
    public void print(Object result) {
        switch (format) {
            case json -> printJson(result);
            case csv -> printCsv(rows(result));
            case table -> {
                if (result instanceof Collection<?>) {
                    printTable(rows(result));
                } else {
                    printRecord(row(result));
                }
            }
        }
        out.flush();
    }

    /**
     * Rows written one at a time (CSV or JSON), for exports of any size: nothing but the current row is held.
     * {@code header} is the CSV header line printed when no row comes.
     */
    public RowStream rows(String header) {
        return new RowStream(header);
    }

    /** See {@link #rows}. */
    public final class RowStream {
        private final String header;
        private CSVPrinter csv;
        private JsonGenerator json;
        private int count;

        private RowStream(String header) {
            this.header = header;
        }

        public void add(Object item) {
            try {
                if (format == OutputFormat.json) {
                    if (json == null) {
                        startJson();
                    }
                    mapper.writeValue(json, item);
                } else {
                    Map<String, Object> row = row(item);
                    if (csv == null) {
                        csv = new CSVPrinter(out, CSVFormat.RFC4180.builder().setRecordSeparator("\n").build());
                        csv.printRecord(row.keySet());
                    }
                    List<String> cells = new ArrayList<>(row.size());
                    for (Object v : row.values()) {
                        cells.add(CsvCells.guard(cell(v, false)));
                    }
                    csv.printRecord(cells);
                }
                count++;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void startJson() throws IOException {
            json = mapper.getFactory().createGenerator(out);
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.useDefaultPrettyPrinter();
            json.writeStartArray();
        }

        public void finish() {
            try {
                if (format == OutputFormat.json) {
                    if (json == null) {
                        startJson();
                    }
                    json.writeEndArray();
                    json.close();
                    out.println();
                } else if (csv == null) {
                    out.println(header);
                } else {
                    csv.flush();
                }
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public int count() {
            return count;
        }
    }

    private void printJson(Object result) {
        try {
            out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Map<String, Object>> rows(Object result) {
        List<Map<String, Object>> rows = new ArrayList<>();
        if (result instanceof Collection<?> items) {
            for (Object item : items) {
                rows.add(row(item));
            }
        } else {
            rows.add(row(result));
        }
        return rows;
    }

    private Map<String, Object> row(Object item) {
        Map<String, Object> raw = mapper.convertValue(item, new TypeReference<LinkedHashMap<String, Object>>() { });
        return raw;
    }

    private void printCsv(List<Map<String, Object>> rows) {
        if (rows.isEmpty()) {
            return;
        }
        try {
            CSVPrinter printer = new CSVPrinter(out, CSVFormat.RFC4180.builder().setRecordSeparator("\n").build());
            printer.printRecord(rows.get(0).keySet());
            for (Map<String, Object> row : rows) {
                List<String> cells = new ArrayList<>();
                for (Object v : row.values()) {
                    cells.add(CsvCells.guard(cell(v, false)));
                }
                printer.printRecord(cells);
            }
            printer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void printTable(List<Map<String, Object>> rows) {
        if (rows.isEmpty()) {
            if (err != null) {
                err.println(layout.emptyMessage());
                err.flush();
            }
            return;
        }
        List<String> headers = layout.select(new ArrayList<>(rows.get(0).keySet()));
        int[] widths = new int[headers.size()];
        int[] minimums = new int[headers.size()];
        List<List<String>> cells = new ArrayList<>();
        for (int i = 0; i < headers.size(); i++) {
            widths[i] = headers.get(i).length();
        }
        for (Map<String, Object> row : rows) {
            List<String> line = new ArrayList<>();
            int i = 0;
            for (String h : headers) {
                String c = cell(row.get(h), true);
                widths[i] = Math.max(widths[i], c.length());
                line.add(c);
                i++;
            }
            cells.add(line);
        }
        // Short values (times, zones, statuses) stay whole; long ones (emails, names, notes) give way first.
        for (int i = 0; i < widths.length; i++) {
            minimums[i] = widths[i] <= 20 ? widths[i] : Math.max(8, headers.get(i).length());
        }
        int shown = layout.fit(widths, minimums);
        List<String> header = headers.subList(0, shown).stream().map(h -> h.toUpperCase(java.util.Locale.ROOT)).toList();
        out.println(line(header, headers, widths, true));
        for (List<String> line : cells) {
            out.println(line(line.subList(0, shown), headers, widths, false));
        }
        if (shown < headers.size() && err != null) {
            out.flush();
            err.println("(" + (headers.size() - shown) + " more column" + (headers.size() - shown == 1 ? "" : "s")
                    + " with a wider terminal, -o wide or --columns)");
            err.flush();
        }
    }

    private String line(List<String> cells, List<String> names, int[] widths, boolean header) {
        StringBuilder sb = new StringBuilder();
        int pending = 0;
        for (int i = 0; i < cells.size(); i++) {
            String c = fitted(cells.get(i), widths[i]);
            if (!c.isEmpty()) {
                sb.append(" ".repeat(pending));
                pending = 0;
                String color = !layout.color() ? null
                        : header ? TableLayout.BOLD
                        : names.get(i).equals("status") || names.get(i).equals("active") ? TableLayout.statusColor(c) : null;
                sb.append(color == null ? c : color + c + TableLayout.RESET);
            }
            pending += widths[i] - c.length() + 2;
        }
        return sb.toString();
    }

    /** The cell cut to {@code width} with an ellipsis, on a terminal only (elsewhere widths are the cells' own). */
    private static String fitted(String cell, int width) {
        if (cell.length() <= width) {
            return cell;
        }
        int end = width - 1;
        if (end > 0 && Character.isHighSurrogate(cell.charAt(end - 1))) {
            end--;
        }
        return cell.substring(0, Math.max(0, end)) + "\u2026";
    }

    private void printRecord(Map<String, Object> row) {
        int width = row.keySet().stream().mapToInt(String::length).max().orElse(0);
        int room = layout.width() > 0 ? Math.max(8, layout.width() - width - 2) : Integer.MAX_VALUE;
        row.forEach((k, v) -> {
            String key = layout.color() ? TableLayout.BOLD + k + TableLayout.RESET : k;
            if (v instanceof Collection<?> nested && !nested.isEmpty() && nested.iterator().next() instanceof Map) {
                out.println(key + ":");
                for (Object item : nested) {
                    out.println("  " + fitted(cell(item, true), layout.width() > 0 ? Math.max(8, layout.width() - 2) : Integer.MAX_VALUE));
                }
            } else {
                out.println(key + " ".repeat(width - k.length() + 2) + fitted(cell(v, true), room));
            }
        });
    }

    /**
     * One cell, neutralised by {@link Text#neutralize}: in a table, control and direction-override characters are
     * escaped so no value can forge a line or a column, drive the terminal or disguise itself. CSV escapes the same
     * characters except line breaks and tabs, which the printer quotes; a cell a spreadsheet would run as a formula
     * is guarded by {@link CsvCells#guard} when the row is printed.
     */
    private static String cell(Object v, boolean forTable) {
        String s;
        if (v == null) {
            s = "";
        } else if (v instanceof Collection<?> c) {
            List<String> parts = new ArrayList<>();
            for (Object o : c) {
                parts.add(cell(o, forTable));
            }
            s = String.join(",", parts);
        } else if (v instanceof Map<?, ?> m) {
            List<String> parts = new ArrayList<>();
            m.forEach((k, x) -> parts.add(k + "=" + cell(x, forTable)));
            s = String.join(" ", parts);
        } else if (v instanceof BigDecimal d) {
            s = d.toPlainString();
        } else {
            s = v.toString();
        }
        // CSV keeps line breaks and tabs (the printer quotes such cells) but, like the table, never a raw ESC or BEL.
        return Text.neutralize(s, !forTable);
    }

    /** A table cell: control characters, line breaks and direction overrides all become visible escapes. */
    static String escape(String s) {
        return Text.neutralize(s, false);
    }
}
