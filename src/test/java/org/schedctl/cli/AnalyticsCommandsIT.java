package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver;
import org.schedctl.test.CliDriver.Result;
import org.schedctl.test.TestDatabase;

/**
 * Analytics over a crafted March 2027 in New York (DST starts on the 14th). Expected figures are worked out by
 * hand in the comments, from the fixtures, not from the implementation.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AnalyticsCommandsIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2027-04-02T12:00:00Z"), ZoneOffset.UTC);

    private static CliDriver cli() {
        return db.cli().withClock(CLOCK);
    }

    @BeforeAll
    static void craftedMonth() {
        CliDriver cli = cli();
        cli.run("user", "add", "--name", "Ada <b>Lovelace</b>", "--email", "ada@example.org", "--role", "instructor", "--tz", "America/New_York").ok();
        cli.run("user", "add", "--name", "Bob", "--email", "bob@example.org").ok();
        cli.run("type", "add", "--instructor", "ada@example.org", "--name", "Lesson", "--slug", "lesson", "--duration", "1h",
                "--price", "50", "--currency", "USD").ok();
        db.database().useTransaction(h -> {
            long ada = h.createQuery("SELECT id FROM users WHERE email = 'ada@example.org'").mapTo(Long.class).one();
            // Mon-Fri 09:00-17:00 (480 min) and Sunday 00:00-12:00 (720 min; 660 on 2027-03-14, when 02:00-03:00 is skipped).
            for (int dow = 1; dow <= 5; dow++) {
                h.execute("INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone) "
                        + "VALUES (?, ?, '09:00', '17:00', 'America/New_York')", ada, dow);
            }
            h.execute("INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone) "
                    + "VALUES (?, 7, '00:00', '12:00', 'America/New_York')", ada);
            // Unavailable Tuesday 2027-03-16 12:00-14:00 EDT (16:00-18:00Z): 120 minutes off that day's 480.
            long block = h.createQuery("""
                    INSERT INTO time_blocks (instructor_id, kind, starts_at, ends_at, timezone, local_start, local_end)
                    VALUES (:id, 'unavailable', '2027-03-16T16:00Z', '2027-03-16T18:00Z', 'America/New_York',
                            '2027-03-16T12:00', '2027-03-16T14:00') RETURNING id""").bind("id", ada).mapTo(Long.class).one();
            h.execute("INSERT INTO time_block_occurrences (block_id, instructor_id, kind, during) "
                    + "VALUES (?, ?, 'unavailable', tstzrange('2027-03-16T16:00Z', '2027-03-16T18:00Z'))", block, ada);
        });
        // UTC instants; New York is UTC-5 until 2027-03-14 02:00, then UTC-4.
        insert("completed", "2027-03-01T15:00Z", "2027-03-01T16:00Z", null, false);  // Mon 10:00 EST
        insert("cancelled", "2027-03-01T18:00Z", "2027-03-01T19:00Z", "25", false);  // fee 25
        insert("confirmed", "2027-03-02T14:00Z", "2027-03-02T15:30Z", null, false);  // 90 minutes
        insert("no_show", "2027-03-02T16:00Z", "2027-03-02T17:00Z", null, false);
        insert("held", "2027-03-03T15:00Z", "2027-03-03T16:00Z", null, false);       // not a booking
        insert("completed", "2027-03-15T13:00Z", "2027-03-15T14:00Z", null, false);  // Mon 09:00 EDT
        insert("cancelled", "2027-03-15T15:00Z", "2027-03-15T16:00Z", "10", true);   // fee waived
        insert("completed", "2027-04-01T03:30Z", "2027-04-01T04:30Z", null, false);  // Wed 2027-03-31 23:30 EDT
    }

    static void insert(String status, String start, String end, String fee, boolean waived) {
        db.database().useTransaction(h -> h.createUpdate("""
                        INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone,
                                                  price, currency, fee, fee_waived)
                        SELECT i.id, s.id, t.id, :status, :start::timestamptz, :end::timestamptz, 'America/New_York', 50, 'USD',
                               :fee::numeric, :waived
                        FROM users i, users s, appointment_types t
                        WHERE i.email = 'ada@example.org' AND s.email = 'bob@example.org' AND t.slug = 'lesson'
                        """)
                .bind("status", status).bind("start", start).bind("end", end).bind("fee", fee).bind("waived", waived)
                .execute());
    }

    private static Map<String, JsonNode> byPeriod(JsonNode rows) {
        Map<String, JsonNode> map = new HashMap<>();
        rows.forEach(r -> map.put(r.get("period").asText(), r));
        return map;
    }

    private static void assertMoney(String expected, JsonNode value) {
        assertMoney(expected, value, "");
    }

    private static void assertMoney(String expected, JsonNode value, String why) {
        assertEquals(0, new BigDecimal(expected).compareTo(value.decimalValue()), why + ": expected " + expected + " but was " + value);
    }

    private static JsonNode report(String by) {
        return cli().run("analytics", "report", "--from", "2027-03-01", "--to", "2027-03-31", "--by", by, "--format", "json").ok().json();
    }

    @Test
    @Order(1)
    void aggregateIsAdminOnly() {
        FoundationCommandsIT.assertError(cli().run("--as", "ada@example.org", "analytics", "aggregate", "--from", "2027-03-01",
                "--to", "2027-03-31"), 6, "administrator");
    }

    @Test
    @Order(2)
    void dailyFigures() {
        JsonNode aggregated = cli().run("-o", "json", "analytics", "aggregate", "--from", "2027-03-01", "--to", "2027-03-31").ok().json();
        assertEquals(31, aggregated.get("days").asInt());
        Map<String, JsonNode> days = byPeriod(report("day"));

        JsonNode mar1 = days.get("2027-03-01");
        assertEquals("ada@example.org", mar1.get("instructor").asText());
        assertEquals(2, mar1.get("booked").asInt(), "the cancelled one counts as booked");
        assertEquals(1, mar1.get("completed").asInt());
        assertEquals(1, mar1.get("cancelled").asInt());
        assertMoney("0.125", mar1.get("utilization")); // 60 of 480: the cancelled hour is not used time
        assertMoney("50.00", mar1.get("revenue"));
        assertMoney("25.00", mar1.get("fees"));
        assertEquals("USD", mar1.get("currency").asText());

        JsonNode mar2 = days.get("2027-03-02");
        assertEquals(2, mar2.get("booked").asInt());
        assertEquals(1, mar2.get("no_show").asInt());
        assertMoney("0.1875", mar2.get("utilization")); // 90 of 480
        assertMoney("0", mar2.get("revenue"), "confirmed is not revenue yet");

        assertEquals(0, days.get("2027-03-03").get("booked").asInt(), "a hold is not a booking");
        assertEquals(720, days.get("2027-03-07").get("available_minutes").asInt());
        assertEquals(660, days.get("2027-03-14").get("available_minutes").asInt(), "the DST day loses 02:00-03:00");
        assertEquals(480, days.get("2027-03-15").get("available_minutes").asInt());
        assertEquals(360, days.get("2027-03-16").get("available_minutes").asInt(), "the blocked two hours are not available");
        assertMoney("0", days.get("2027-03-15").get("fees"), "a waived fee is no fee");
        JsonNode mar31 = days.get("2027-03-31");
        assertEquals(1, mar31.get("completed").asInt(), "23:30 New York time is still March 31 there");
        assertFalse(days.containsKey("2027-04-01"));
        for (JsonNode row : days.values()) {
            BigDecimal u = row.get("utilization").decimalValue();
            assertTrue(u.signum() >= 0 && u.compareTo(BigDecimal.ONE) <= 0, row.toString());
        }
    }

    @Test
    @Order(3)
    void weeksAndMonth() {
        JsonNode month = report("month");
        assertEquals(1, month.size(), month.toString());
        JsonNode march = month.get(0);
        assertEquals("2027-03", march.get("period").asText());
        assertEquals(7, march.get("booked").asInt());
        assertEquals(3, march.get("completed").asInt());
        assertEquals(2, march.get("cancelled").asInt());
        assertEquals(1, march.get("no_show").asInt());
        assertMoney("150.00", march.get("revenue"));
        assertMoney("25.00", march.get("fees"));
        // 23 weekdays * 480 - 120 blocked + Sundays 720 + 660 + 720 + 720 = 13740; used 60+90+60+60 = 270.
        assertEquals(13740, march.get("available_minutes").asInt());
        assertMoney("0.0197", march.get("utilization"));

        Map<String, JsonNode> weeks = byPeriod(report("week"));
        JsonNode w09 = weeks.get("2027-W09"); // Mon 1 .. Sun 7 March
        assertEquals(4, w09.get("booked").asInt());
        assertEquals(5 * 480 + 720, w09.get("available_minutes").asInt());
        assertMoney("0.0481", w09.get("utilization")); // 150 / 3120
        assertEquals(5 * 480 + 660, weeks.get("2027-W10").get("available_minutes").asInt());
    }

    @Test
    @Order(4)
    void rerunIsIdempotentAndFollowsChanges() {
        String before = cli().run("analytics", "report", "--from", "2027-03-01", "--to", "2027-03-31", "--format", "csv").ok().stdout();
        JsonNode again = cli().run("-o", "json", "analytics", "aggregate", "--from", "2027-03-01", "--to", "2027-03-31").ok().json();
        assertEquals(0, again.get("rows_written").asInt(), "nothing changed, nothing rewritten");
        assertEquals(before, cli().run("analytics", "report", "--from", "2027-03-01", "--to", "2027-03-31", "--format", "csv").ok().stdout());

        // The Mar 2 confirmed lesson is cancelled and the Mar 1 completed one moves to April: both days follow.
        db.database().useTransaction(h -> {
            h.execute("UPDATE appointments SET status = 'cancelled' WHERE starts_at = '2027-03-02T14:00Z'");
            h.execute("UPDATE appointments SET starts_at = '2027-04-05T15:00Z', ends_at = '2027-04-05T16:00Z' WHERE starts_at = '2027-03-01T15:00Z'");
        });
        cli().run("analytics", "aggregate", "--from", "2027-03-01", "--to", "2027-03-31").ok();
        Map<String, JsonNode> days = byPeriod(report("day"));
        assertEquals(1, days.get("2027-03-01").get("booked").asInt());
        assertMoney("0", days.get("2027-03-01").get("revenue"));
        assertEquals(2, days.get("2027-03-02").get("booked").asInt());
        assertEquals(1, days.get("2027-03-02").get("cancelled").asInt());
        assertMoney("0", days.get("2027-03-02").get("utilization"));
    }

    @Test
    @Order(5)
    void htmlIsSelfContainedAndEscaped() {
        String html = cli().run("analytics", "report", "--from", "2027-03-01", "--to", "2027-03-02", "--format", "html").ok().stdout();
        assertTrue(html.startsWith("<!DOCTYPE html>"), html);
        assertTrue(html.contains("<th>utilization</th>"), html);
        assertFalse(html.contains("<script") || html.contains("http"), "no scripts or external resources: " + html);
        Result table = cli().run("analytics", "report", "--from", "2027-03-01", "--to", "2027-03-02").ok();
        assertTrue(table.stdout().startsWith("PERIOD"), table.toString());
        FoundationCommandsIT.assertError(cli().run("analytics", "report", "--format", "pdf"), 2, "unknown format");
        FoundationCommandsIT.assertError(cli().run("analytics", "report", "--by", "year"), 2, "unknown period");
        assertEquals("&lt;b&gt;x&amp;&quot;&#39;", HtmlReport.escape("<b>x&\"'"));
    }

    @Test
    @Order(5)
    void htmlHasAHeaderChartsAndPercentages() {
        String html = cli().run("analytics", "report", "--from", "2027-03-01", "--to", "2027-03-31", "--by", "week", "--format", "html").ok().stdout();
        assertTrue(html.contains("<h1>Analytics 2027-03-01 to 2027-03-31</h1>"), "the range is in the header");
        for (String chart : new String[] {"chart-bookings", "chart-utilization", "chart-money", "chart-rates"}) {
            assertTrue(html.contains("id=\"" + chart + "\"") , chart + " is drawn");
        }
        assertEquals(4, html.split("<svg ", -1).length - 1, "four inline SVG charts");
        JsonNode march = report("month").get(0);
        BigDecimal utilization = march.get("utilization").decimalValue();
        assertFalse(html.contains(">" + utilization.toPlainString() + "<"), "utilization is printed as a percentage, not a fraction");
        assertTrue(html.contains(String.format(java.util.Locale.ROOT, "%.1f %%", utilization.doubleValue() * 100)), "as a percentage");
        // What the charts draw equals the JSON report: booked per week, utilization per instructor, the totals.
        JsonNode weeks = report("week");
        for (JsonNode w : weeks) {
            String bar = "data-period=\"" + w.get("period").asText() + "\" data-value=\"" + w.get("booked").asInt() + "\"";
            assertTrue(html.contains("class=\"s0\" " + bar), "the bookings bar of " + w.get("period").asText() + " is " + w.get("booked"));
        }
        java.util.regex.Matcher bar = java.util.regex.Pattern.compile("data-instructor=\"ada@example.org\" data-value=\"([0-9.]+)\"").matcher(html);
        assertTrue(bar.find(), "Ada's utilization bar");
        assertEquals(0, utilization.compareTo(new BigDecimal(bar.group(1))), "Ada's bar is her month's utilization");
        assertTrue(html.contains("<b data-total=\"booked\">" + march.get("booked").asInt() + "</b>"), "the header total of bookings");
        assertTrue(html.contains("@page{size:A4"), "prints on A4");
    }

    @Test
    @Order(6)
    void dashboardCountsTodayFromTriggers() {
        CliDriver live = db.cli(); // the triggers stamp the database's now(), so the dashboard reads the real clock
        JsonNode before = live.run("-o", "json", "analytics", "dashboard").ok().json().get(0);
        Instant soon = Instant.now().plusSeconds(2 * 3600);
        insert("confirmed", soon.toString(), soon.plusSeconds(3600).toString(), null, false);
        insert("pending", soon.plusSeconds(7200).toString(), soon.plusSeconds(10800).toString(), null, false);
        insert("held", soon.plusSeconds(14400).toString(), soon.plusSeconds(18000).toString(), null, false);
        db.database().useTransaction(h -> h.execute("UPDATE appointments SET status = 'cancelled' WHERE starts_at = ?::timestamptz", soon.toString()));
        JsonNode after = live.run("-o", "json", "analytics", "dashboard").ok().json().get(0);
        assertEquals("ada@example.org", after.get("instructor").asText());
        assertEquals(2, after.get("bookings_today").asInt() - before.get("bookings_today").asInt(), "a hold is not a booking: " + after);
        assertEquals(1, after.get("cancellations_today").asInt() - before.get("cancellations_today").asInt(), after.toString());
        assertEquals(1, after.get("pending_confirmations").asInt() - before.get("pending_confirmations").asInt(), after.toString());
        assertEquals(1, after.get("upcoming24h").asInt() - before.get("upcoming24h").asInt(), "the cancelled one is not upcoming: " + after);

        // A hold that turns into a booking counts then.
        db.database().useTransaction(h -> h.execute("UPDATE appointments SET status = 'confirmed' WHERE status = 'held' AND starts_at = ?::timestamptz",
                soon.plusSeconds(14400).toString()));
        JsonNode converted = live.run("-o", "json", "analytics", "dashboard").ok().json().get(0);
        assertEquals(3, converted.get("bookings_today").asInt() - before.get("bookings_today").asInt(), converted.toString());
    }

    @Test
    @Order(7)
    void withoutDatesTheTouchedDaysAreRecomputed() {
        cli().run("analytics", "aggregate", "--from", "2027-03-01", "--to", "2027-03-31").ok();
        insert("completed", "2027-06-10T14:00Z", "2027-06-10T15:00Z", null, false);
        JsonNode result = cli().run("-o", "json", "analytics", "aggregate").ok().json();
        assertEquals("2027-06-10", result.get("to").asText(), result.toString());
        assertTrue(result.get("from").asText().compareTo("2027-03-31") <= 0, "today (2027-04-02) and the day before are included: " + result);
        JsonNode june = cli().run("analytics", "report", "--from", "2027-06-01", "--to", "2027-06-30", "--by", "month", "--format", "json").ok().json();
        assertEquals(1, june.get(0).get("completed").asInt(), june.toString());
        assertMoney("50.00", june.get(0).get("revenue"));
    }

    @Test
    @Order(8)
    void instructorsView() {
        cli().run("analytics", "aggregate", "--from", "2027-03-01", "--to", "2027-03-31").ok();
        JsonNode march = report("month").get(0);
        JsonNode rows = cli().run("-o", "json", "analytics", "instructors", "--from", "2027-03-01", "--to", "2027-03-31", "--sort", "utilization").ok().json();
        assertEquals(1, rows.size(), rows.toString());
        JsonNode ada = rows.get(0);
        assertEquals("ada@example.org", ada.get("instructor").asText());
        assertEquals(march.get("booked").asInt(), ada.get("booked").asInt());
        assertEquals(0, march.get("utilization").decimalValue().compareTo(ada.get("utilization").decimalValue()), "one utilization: " + ada);
        BigDecimal completion = BigDecimal.valueOf(march.get("completed").asLong())
                .divide(BigDecimal.valueOf(march.get("booked").asLong()), 4, java.math.RoundingMode.HALF_UP);
        assertEquals(0, completion.compareTo(ada.get("completion_rate").decimalValue()), ada.toString());
        assertTrue(ada.has("median_lead_hours") && ada.has("avg_rating") && ada.has("median_confirm_minutes"), ada.toString());
        assertTrue(cli().run("-o", "csv", "analytics", "instructors", "--from", "2027-03-01", "--to", "2027-03-31").ok().stdout()
                .contains("ada@example.org"));
        FoundationCommandsIT.assertError(cli().run("analytics", "instructors", "--sort", "height"), 2, "unknown sort key");
        FoundationCommandsIT.assertError(cli().run("--as", "bob@example.org", "analytics", "instructors"), 6, "instructor analytics");
    }

    @Test
    @Order(9)
    void compareWithThePreviousRange() {
        cli().run("analytics", "aggregate", "--from", "2027-03-01", "--to", "2027-04-30").ok();
        JsonNode april = cli().run("analytics", "report", "--from", "2027-04-01", "--to", "2027-04-30", "--by", "month", "--format", "json").ok().json();
        JsonNode march = report("month").get(0);
        // April (30 days) against the 30 days before it: 2027-03-02 .. 2027-03-31.
        JsonNode rows = cli().run("-o", "json", "analytics", "report", "--compare", "previous", "--from", "2027-04-01", "--to", "2027-04-30").ok().json();
        assertEquals(2, rows.size(), rows.toString());
        JsonNode all = rows.get(1);
        assertEquals("(all)", all.get("instructor").asText());
        assertEquals("2027-03-02..2027-03-31", all.get("previous_period").asText());
        long aprilBooked = april.size() == 0 ? 0 : april.get(0).get("booked").asLong();
        assertEquals(aprilBooked, all.get("booked").asLong(), all.toString());
        JsonNode mar1 = cli().run("analytics", "report", "--from", "2027-03-01", "--to", "2027-03-01", "--format", "json").ok().json();
        long mar1Booked = mar1.size() == 0 ? 0 : mar1.get(0).get("booked").asLong();
        assertEquals(march.get("booked").asLong() - mar1Booked, all.get("previous_booked").asLong(), all.toString());
        FoundationCommandsIT.assertError(cli().run("analytics", "report", "--compare", "next"), 2, "--compare previous");
        FoundationCommandsIT.assertError(cli().run("analytics", "report", "--compare", "previous", "--format", "html"), 2, "--compare previous");
    }

    @Test
    @Order(10)
    void dashboardWatchPrintsOnceWhenPiped() {
        JsonNode once = db.cli().run("-o", "json", "analytics", "dashboard", "--watch", "--interval", "1s").ok().json();
        assertTrue(once.isArray() && once.size() == 1, once.toString());
        FoundationCommandsIT.assertError(db.cli().run("analytics", "dashboard", "--watch", "--interval", "soon"), 2, "soon");
        String table = cli().run("analytics", "report", "--from", "2027-03-01", "--to", "2027-03-31", "--by", "week").ok().stdout();
        assertFalse(table.contains("\u2588"), "no trend chart when piped: " + table);
    }
}
