package org.schedctl.cli;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;

import org.schedctl.Main;
import org.schedctl.store.Database;
import org.schedctl.store.dao.UserDao;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Loads a small sample school into the current database (once) and walks through what schedctl does, by running
 * ordinary commands and printing each one before its output, so the demo doubles as a tutorial.
 */
@Command(name = "demo", description = "Load a small sample school into the current database and show what schedctl can do.")
public final class DemoCommand extends BaseCommand {
    static final String ADA = "ada@demo.schedctl.org";
    static final String ALAN = "alan@demo.schedctl.org";
    static final String SAM = "sam@demo.schedctl.org";
    static final String KIM = "kim@demo.schedctl.org";
    static final String PAT = "pat@demo.schedctl.org";
    static final String EVENING = "Demo evening";

    private record Step(String note, boolean mayFail, String... args) {
    }

    @Override
    protected int execute(AppContext ctx) {
        Database db = backend.database();
        // The demo adds people and offerings: an administrator's work, refused before anything is written.
        db.useTransaction(h -> org.schedctl.service.Access.requireAdmin(h, "load the demo school (demo)"));
        LocalDate today = LocalDate.now(ctx.clock().withZone(ZoneId.of("Europe/London")));
        // A week far enough ahead for the minimum notice, and a Monday/Tuesday so the weekly patterns apply.
        LocalDate monday = today.plusDays(3).with(TemporalAdjusters.next(DayOfWeek.MONDAY));
        LocalDate tuesday = monday.plusDays(1);
        LocalDate wednesday = monday.plusDays(2);
        boolean loaded = db.inTransaction(h -> h.attach(UserDao.class).find(ADA).isPresent());

        List<Step> steps = new ArrayList<>();
        if (!loaded) {
            steps.add(new Step("People: two instructors in different zones, two students", false,
                    "user", "add", "--name", "Ada Lovelace", "--email", ADA, "--role", "instructor", "--tz", "Europe/London"));
            steps.add(new Step(null, false, "user", "add", "--name", "Alan Turing", "--email", ALAN, "--role", "instructor", "--tz", "America/New_York"));
            steps.add(new Step(null, false, "user", "add", "--name", "Sam Student", "--email", SAM, "--tz", "Europe/Berlin"));
            steps.add(new Step(null, false, "user", "add", "--name", "Kim Student", "--email", KIM, "--tz", "Asia/Kolkata"));
            steps.add(new Step("Instructor settings: buffers, limits, reminders", false,
                    "instructor", "settings", ADA, "--buffer", "10m", "--max-daily", "6", "--reminders", "24h,1h", "--channels", "email,in_app"));
            steps.add(new Step("What they offer", false, "type", "add", "--instructor", ADA, "--name", "Piano lesson", "--slug", "demo-piano",
                    "--duration", "45m", "--price", "40", "--currency", "EUR", "--cancel-policy", "free>=24h,50%>=2h,100%"));
            steps.add(new Step(null, false, "type", "add", "--instructor", ALAN, "--name", "Maths tutoring", "--slug", "demo-maths",
                    "--duration", "1h", "--price", "55", "--currency", "USD", "--requires-confirmation"));
            steps.add(new Step(null, false, "type", "add", "--instructor", ALAN, "--name", "Group seminar", "--slug", "demo-seminar",
                    "--duration", "90m", "--capacity", "3"));
            for (String day : List.of("MON", "TUE", "WED", "THU", "FRI")) {
                steps.add(new Step(day.equals("MON") ? "Weekly availability, in each instructor's own zone" : null, false,
                        "availability", "set", ADA, "--day", day, "--from", "09:00", "--to", "17:00"));
            }
            steps.add(new Step(null, false, "availability", "set", ALAN, "--day", "TUE", "--from", "13:00", "--to", "18:00"));
            steps.add(new Step("A blackout: Ada's staff meeting", false, "availability", "block", ADA,
                    "--from", wednesday + "T12:00", "--to", wednesday + "T14:00", "--reason", "Staff meeting"));
            steps.add(new Step("Sam books a piano lesson (times read in Ada's zone)", false, "book", "--instructor", ADA, "--type", "demo-piano",
                    "--student", SAM, "--at", monday + "T10:30"));
            steps.add(new Step("Kim tries the same slot: refused, with the next free slots", true, "book", "--instructor", ADA, "--type", "demo-piano",
                    "--student", KIM, "--at", monday + "T10:30"));
            steps.add(new Step("Kim books maths with Alan: it waits for his confirmation", false, "book", "--instructor", ALAN, "--type", "demo-maths",
                    "--student", KIM, "--at", tuesday + "T14:00"));
            steps.add(new Step("Two students share a group seminar seat", false, "book", "--instructor", ALAN, "--type", "demo-seminar",
                    "--student", SAM, "--at", tuesday + "T16:00"));
            steps.add(new Step(null, false, "book", "--instructor", ALAN, "--type", "demo-seminar", "--student", KIM, "--at", tuesday + "T16:00"));
            LocalDate holiday = monday.plusWeeks(2);
            steps.add(new Step("A school term of six weeks, and a school-wide closure in it", false, "term", "add", "Demo term",
                    "--from", monday.toString(), "--to", monday.plusWeeks(6).minusDays(1).toString()));
            steps.add(new Step(null, false, "closure", "add", "--from", holiday + "T00:00", "--to", holiday.plusDays(1) + "T00:00",
                    "--reason", "Half-term holiday", "--tz", "Europe/London"));
            steps.add(new Step("Kim books weekly piano lessons for the whole term in one step: the closure is skipped", false,
                    "book", "--instructor", ADA, "--type", "demo-piano", "--student", KIM, "--at", monday + "T15:00",
                    "--for-term", "Demo term"));
            steps.add(new Step("A parents' evening: a guardian for both students, four requests, an optimised plan", false,
                    "user", "add", "--name", "Pat Parent", "--email", PAT, "--role", "guardian", "--tz", "Europe/London", "--locale", "en"));
            steps.add(new Step(null, false, "guardian", "link", PAT, "--student", SAM));
            steps.add(new Step(null, false, "guardian", "link", PAT, "--student", KIM));
            steps.add(new Step(null, false, "--tz", "Europe/London", "conference", "create", EVENING, "--on", wednesday.toString(),
                    "--from", "16:00", "--to", "17:00", "--slot", "10m", "--room", ADA + "=A1", "--room", ALAN + "=B2", "--walk", "5m"));
            steps.add(new Step(null, false, "conference", "request", EVENING, "--guardian", PAT, "--student", SAM, "--teacher", ADA, "--required"));
            steps.add(new Step(null, false, "conference", "request", EVENING, "--guardian", PAT, "--student", SAM, "--teacher", ALAN));
            steps.add(new Step(null, false, "conference", "request", EVENING, "--guardian", PAT, "--student", KIM, "--teacher", ADA));
            steps.add(new Step(null, false, "conference", "request", EVENING, "--guardian", PAT, "--student", KIM, "--teacher", ALAN, "--required"));
            steps.add(new Step(null, false, "conference", "schedule", EVENING, "--time-limit", "3s"));
            steps.add(new Step(null, false, "conference", "publish", EVENING));
        }
        steps.add(new Step("Lesson series", false, "series", "list"));
        steps.add(new Step("Pat's evening", false, "--as", PAT, "conference", "timetable", EVENING));
        steps.add(new Step("Free piano slots on " + monday + " (Ada's zone)", false, "availability", "slots", "--instructor", ADA,
                "--type", "demo-piano", "--from", monday.toString(), "--to", monday.toString()));
        steps.add(new Step("Ada's appointments", false, "appointments", "list", "--instructor", ADA));
        steps.add(new Step("Alan's appointments, shown in Kim's zone", false, "appointments", "list", "--instructor", ALAN, "--tz", "Asia/Kolkata"));
        String feed = backend.config().dataHome().resolve("demo-ada.ics").toString();
        steps.add(new Step("Ada's calendar feed, as ICS for any calendar app, and as CSV", false, "export", "ics", "--instructor", ADA, "-f", feed));
        steps.add(new Step(null, false, "export", "csv", "--instructor", ADA));
        steps.add(new Step("Reminders and notices waiting in the outbox", false, "notifications", "list", "--status", "pending"));
        steps.add(new Step("Analytics", false, "analytics", "aggregate", "--from", monday.toString(), "--to", wednesday.toString()));
        steps.add(new Step(null, false, "analytics", "report", "--from", monday.toString(), "--to", wednesday.toString(), "--by", "week"));
        steps.add(new Step("Who did what", false, "audit", "list", "--since", today + "T00:00:00Z", "--limit", "8"));

        ctx.progress(loaded ? "the sample school is already loaded; showing it" : "loading a sample school into " + backend.target().displayUrl());
        for (Step step : steps) {
            if (step.note() != null) {
                ctx.out().println();
                ctx.out().println("# " + step.note());
            }
            ctx.out().println("$ schedctl " + String.join(" ", quoted(step.args())));
            ctx.out().flush();
            CommandLine cl = Main.commandLine(ctx, backend);
            cl.setOut(ctx.out());
            cl.setErr(ctx.err());
            int code = cl.execute(step.args());
            ctx.out().flush();
            if (code != 0 && !step.mayFail()) {
                ctx.err().println("schedctl: error: the demo stopped at the step above (exit " + code + ")");
                return code;
            }
        }
        ctx.out().println();
        ctx.out().println("# Done. Try `schedctl shell`, or `schedctl --help`.");
        return 0;
    }

    private static List<String> quoted(String[] args) {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            out.add(a.matches("[A-Za-z0-9@._:/=+-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return out;
    }
}
