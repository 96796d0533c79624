package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/**
 * `analytics report --format html` as a browser shows it: headless Chromium (Debian's package, installed by
 * `scripts/ensure-tools chromium` when missing) lays the page out at 1,280 px; a probe script, added to a copy of
 * the page only (the report itself carries no script), measures the layout and every drawn mark. The four SVG
 * charts are there and drawn, nothing is wider than the window, and the value each bar, dot and instructor bar
 * shows (its length read against the chart's own axis) equals the JSON report of the same range.
 */
class HtmlReportBrowserIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    static final Clock CLOCK = Clock.fixed(Instant.parse("2027-05-03T12:00:00Z"), ZoneOffset.UTC);
    static final String FROM = "2027-03-01";
    static final String TO = "2027-04-25";

    /** Adds the probe to a copy of the page: its measurements become the text of one element of the DOM Chromium dumps. */
    static final String PROBE = """
            <script>
            (() => {
              const out = {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, charts: {}};
              for (const fig of document.querySelectorAll('figure')) {
                const svg = fig.querySelector('svg');
                if (!svg) { out.charts[fig.id] = null; continue; }
                const r = svg.getBoundingClientRect();
                const num = s => parseFloat(String(s).replace(/[^0-9.\\-]/g, ''));
                out.charts[fig.id] = {
                  width: r.width, height: r.height, right: r.right,
                  axis: [...svg.querySelectorAll('text[text-anchor=end]')].map(t => num(t.textContent)),
                  lines: [...svg.querySelectorAll('line')].map(l => [l.x1.baseVal.value, l.x2.baseVal.value, l.y1.baseVal.value, l.y2.baseVal.value]),
                  marks: [...svg.querySelectorAll('[data-value]')].map(e => {
                    const b = e.getBBox();
                    return {tag: e.tagName, cls: e.getAttribute('class'), period: e.getAttribute('data-period'),
                            instructor: e.getAttribute('data-instructor'), value: num(e.getAttribute('data-value')),
                            x: b.x, y: b.y, w: b.width, h: b.height, cy: e.tagName === 'circle' ? e.cy.baseVal.value : null};
                  })};
              }
              const pre = document.createElement('pre');
              pre.id = 'measured';
              pre.textContent = JSON.stringify(out);
              document.body.appendChild(pre);
            })();
            </script>
            """;

    static CliDriver cli() {
        return db.cli().withClock(CLOCK);
    }

    @BeforeAll
    static void school() {
        CliDriver cli = cli();
        String[][] people = {{"Ada Lovelace", "ada@example.org", "Europe/London"}, {"Alan Turing", "alan@example.org", "America/New_York"},
                {"Grace Hopper, a name long enough to need shortening in the chart", "grace@example.org", "Asia/Tokyo"}};
        for (String[] p : people) {
            cli.run("user", "add", "--name", p[0], "--email", p[1], "--role", "instructor", "--tz", p[2]).ok();
            cli.run("type", "add", "--instructor", p[1], "--name", "Lesson", "--slug", "lesson-" + p[1].substring(0, p[1].indexOf('@')),
                    "--duration", "1h", "--price", "45", "--currency", "EUR").ok();
        }
        cli.run("user", "add", "--name", "Sam", "--email", "sam@example.org").ok();
        // Mon-Fri 09:00-17:00 in each instructor's zone; one-hour lessons on a deterministic, uneven pattern per week,
        // with every status, and late-cancellation fees.
        db.database().useTransaction(h -> {
            h.execute("""
                    INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone)
                    SELECT u.id, d, '09:00', '17:00', u.timezone FROM users u, generate_series(1, 5) d WHERE u.role = 'instructor'
                    """);
            h.execute("""
                    INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone, price, currency, fee)
                    SELECT i.id, s.id, t.id,
                           (ARRAY['completed', 'completed', 'completed', 'cancelled', 'no_show', 'confirmed', 'completed'])[1 + (n % 7)],
                           (day + make_interval(hours => 9 + hour)) AT TIME ZONE i.timezone,
                           (day + make_interval(hours => 10 + hour)) AT TIME ZONE i.timezone,
                           i.timezone, 45, 'EUR', CASE WHEN n % 7 = 3 AND n % 2 = 0 THEN 22.50 END
                    FROM users i
                    JOIN appointment_types t ON t.instructor_id = i.id
                    CROSS JOIN users s
                    CROSS JOIN generate_series(date '2027-03-01', date '2027-04-23', interval '1 day') AS day
                    CROSS JOIN generate_series(0, 7) AS hour
                    CROSS JOIN LATERAL (SELECT (extract(doy FROM day)::int * 8 + hour) * (i.id % 5 + 2) AS n) k
                    WHERE i.role = 'instructor' AND s.email = 'sam@example.org' AND extract(isodow FROM day) <= 5
                      AND (n + extract(week FROM day)::int) % (i.id % 3 + 2) = 0
                    """);
        });
        cli.run("analytics", "aggregate", "--from", FROM, "--to", TO).ok();
    }

    static Path chromium() throws Exception {
        Process p = new ProcessBuilder(Path.of("scripts", "ensure-tools").toAbsolutePath().toString(), "chromium")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(900, TimeUnit.SECONDS), "scripts/ensure-tools chromium did not finish");
        assertEquals(0, p.exitValue(), "scripts/ensure-tools chromium: " + out);
        return Path.of(out);
    }

    /** The page laid out by headless Chromium in a window {@code width} px wide; returns the probe's measurements. */
    static JsonNode render(Path page, int width) throws Exception {
        Path profile = Files.createTempDirectory(dir, "chromium-profile");
        Path dom = dir.resolve("dom-" + width + ".html");
        Process p = new ProcessBuilder(chromium().toString(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=" + width + ",1000", "--hide-scrollbars", "--virtual-time-budget=5000",
                "--dump-dom", page.toUri().toString())
                .redirectOutput(dom.toFile()).redirectError(dir.resolve("chromium.log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
        String html = Files.readString(dom);
        Matcher m = Pattern.compile("<pre id=\"measured\">(.*?)</pre>", Pattern.DOTALL).matcher(html);
        assertTrue(m.find(), "the probe ran: " + html.substring(0, Math.min(500, html.length())) + Files.readString(dir.resolve("chromium.log")));
        String json = m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
        return new ObjectMapper().readTree(json);
    }

    /** What 0.1 px, the precision of the page's coordinates, is worth on a chart's vertical axis. */
    static double resolution(JsonNode chart) {
        JsonNode probe = new ObjectMapper().createObjectNode().put("tag", "rect").put("h", 0.1);
        return drawn(chart, probe);
    }

    /** What a vertical mark draws: its height (or, for a dot, its height above the base) read against the axis. */
    static double drawn(JsonNode chart, JsonNode mark) {
        double base = Double.NEGATIVE_INFINITY;
        double top = Double.POSITIVE_INFINITY;
        for (JsonNode l : chart.get("lines")) {
            base = Math.max(base, l.get(2).asDouble());
            top = Math.min(top, l.get(2).asDouble());
        }
        double max = 0;
        for (JsonNode a : chart.get("axis")) {
            max = Math.max(max, a.asDouble());
        }
        double length = "circle".equals(mark.get("tag").asText()) ? base - mark.get("cy").asDouble() : mark.get("h").asDouble();
        return length / (base - top) * max;
    }

    static void near(double expected, double actual, double tolerance, String what) {
        assertTrue(Math.abs(expected - actual) <= tolerance, what + ": expected " + expected + " but the chart draws " + actual);
    }

    @Test
    void chromiumShowsTheChartsWithinTheWindowDrawingTheNumbersOfTheJsonReport() throws Exception {
        String html = cli().run("analytics", "report", "--from", FROM, "--to", TO, "--by", "week", "--format", "html").ok().stdout();
        assertFalse(html.contains("<script"), "the report itself has no script");
        JsonNode rows = cli().run("analytics", "report", "--from", FROM, "--to", TO, "--by", "week", "--format", "json").ok().json();
        assertTrue(rows.size() >= 24, "8 weeks of 3 instructors: " + rows.size());
        Path page = dir.resolve("report.html");
        Files.writeString(page, html.replace("</body>", PROBE + "</body>"));

        JsonNode at1280 = render(page, 1280);
        assertEquals(1280, at1280.get("innerWidth").asInt());
        assertTrue(at1280.get("scrollWidth").asInt() <= 1280, "no horizontal overflow at 1,280 px: " + at1280.get("scrollWidth"));

        // Expected from the JSON: per week the sums over instructors, per instructor the minutes over the range.
        Map<String, double[]> weeks = new TreeMap<>();
        Map<String, long[]> minutes = new TreeMap<>();
        for (JsonNode r : rows) {
            double[] w = weeks.computeIfAbsent(r.get("period").asText(), k -> new double[6]);
            w[0] += r.get("booked").asDouble();
            w[1] += r.get("completed").asDouble();
            w[2] += r.get("cancelled").asDouble();
            w[3] += r.get("no_show").asDouble();
            w[4] += r.get("revenue").asDouble();
            w[5] += r.get("fees").asDouble();
            long[] m = minutes.computeIfAbsent(r.get("instructor").asText(), k -> new long[2]);
            m[0] += r.get("booked_minutes").asLong();
            m[1] += r.get("available_minutes").asLong();
        }
        assertTrue(weeks.size() >= 8);

        for (String id : List.of("chart-bookings", "chart-utilization", "chart-money", "chart-rates")) {
            JsonNode chart = at1280.get("charts").get(id);
            assertTrue(chart != null && !chart.isNull(), id + " has an SVG chart");
            assertTrue(chart.get("width").asDouble() > 600 && chart.get("height").asDouble() > 40, id + " is drawn at a readable size: " + chart);
            assertTrue(chart.get("right").asDouble() <= 1280, id + " fits the window");
        }

        int checked = 0;
        for (String[] c : new String[][] {{"chart-bookings", "0", "1"}, {"chart-money", "4", "5"}}) {
            JsonNode chart = at1280.get("charts").get(c[0]);
            for (JsonNode mark : chart.get("marks")) {
                double[] w = weeks.get(mark.get("period").asText());
                double expected = w["s0".equals(mark.get("cls").asText()) ? Integer.parseInt(c[1]) : Integer.parseInt(c[2])];
                assertEquals(expected, mark.get("value").asDouble(), 0.005, c[0] + " " + mark);
                near(expected, drawn(chart, mark), Math.max(0.01 * expected, 1.01 * resolution(chart)), c[0] + " bar of " + mark.get("period").asText());
                checked++;
            }
        }
        JsonNode rates = at1280.get("charts").get("chart-rates");
        for (JsonNode mark : rates.get("marks")) {
            double[] w = weeks.get(mark.get("period").asText());
            double expected = 100.0 * ("s0".equals(mark.get("cls").asText()) ? w[2] : w[3]) / w[0];
            assertEquals(expected, mark.get("value").asDouble(), 0.05, "rate " + mark);
            near(expected, drawn(rates, mark), Math.max(0.01 * expected, 1.01 * resolution(rates)), "rate dot of " + mark.get("period").asText());
            checked++;
        }
        assertEquals(2 * weeks.size() * 3, checked, "every week's bars and dots were compared");

        JsonNode utilization = at1280.get("charts").get("chart-utilization");
        double zero = Double.POSITIVE_INFINITY;
        double full = Double.NEGATIVE_INFINITY;
        for (JsonNode l : utilization.get("lines")) {
            zero = Math.min(zero, l.get(0).asDouble());
            full = Math.max(full, l.get(0).asDouble());
        }
        List<String> drawnInstructors = new ArrayList<>();
        for (JsonNode mark : utilization.get("marks")) {
            long[] m = minutes.get(mark.get("instructor").asText());
            double expected = (double) m[0] / m[1];
            assertEquals(expected, mark.get("value").asDouble(), 0.0001, "utilization of " + mark.get("instructor"));
            near(expected, mark.get("w").asDouble() / (full - zero), 0.002, "utilization bar of " + mark.get("instructor").asText());
            assertEquals(zero, mark.get("x").asDouble(), 0.01, "bars start at 0 %");
            drawnInstructors.add(mark.get("instructor").asText());
        }
        assertEquals(new ArrayList<>(minutes.keySet()), drawnInstructors, "one bar per instructor");

        // A narrower window (a laptop's half screen) still has no horizontal scrolling.
        assertTrue(render(page, 800).get("scrollWidth").asInt() <= 800, "no horizontal overflow at 800 px");
    }
}
