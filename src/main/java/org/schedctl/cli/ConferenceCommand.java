package org.schedctl.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.schedctl.domain.Checked;
import org.schedctl.domain.Durations;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.TimeInput;
import org.schedctl.service.AvailabilityService;
import org.schedctl.service.ConferenceService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "conference", description = "Parents' evenings: teachers, families' requests, an optimised schedule, publishing and timetables.",
        subcommands = {ConferenceCommand.Create.class, ConferenceCommand.ListConferences.class, ConferenceCommand.Show.class,
                ConferenceCommand.Request.class, ConferenceCommand.Requests.class, ConferenceCommand.Import.class,
                ConferenceCommand.Schedule.class, ConferenceCommand.Publish.class, ConferenceCommand.Open.class,
                ConferenceCommand.Timetable.class})
public final class ConferenceCommand {

    static LocalTime time(String text, String flag) {
        return AvailabilityService.time(text, flag);
    }

    static Duration duration(String text, String flag) {
        return Durations.parsePositive(text, flag);
    }

    @Command(name = "create", description = "Create a parents' evening (administrators); local times are in --tz, else your zone.")
    static final class Create extends BaseCommand {
        @Parameters(paramLabel = "NAME", description = "The evening's name") String name;
        @Option(names = "--on", required = true, paramLabel = "DATE", description = "The day, YYYY-MM-DD") String on;
        @Option(names = "--from", required = true, paramLabel = "HH:MM", description = "First slot starts") String from;
        @Option(names = "--to", required = true, paramLabel = "HH:MM", description = "Last slot ends") String to;
        @Option(names = "--slot", required = true, paramLabel = "DURATION", description = "Meeting length, must divide the evening (e.g. 10m)") String slot;
        @Option(names = "--teachers", split = ",", paramLabel = "U", description = "Teachers (instructors), comma-separated") List<String> teachers = new ArrayList<>();
        @Option(names = "--room", paramLabel = "U=ROOM", description = "A teacher's room (adds the teacher); repeatable") Map<String, String> rooms = new LinkedHashMap<>();
        @Option(names = "--max-consecutive", paramLabel = "N", description = "At most N meetings in a row, then --break") Integer maxConsecutive;
        @Option(names = "--break", paramLabel = "DURATION", description = "Break after --max-consecutive meetings") String breakLength;
        @Option(names = "--walk", paramLabel = "DURATION", description = "Time a family needs between meetings in different rooms") String walk;

        @Override
        protected int execute(AppContext ctx) {
            String zone = tz != null ? tz : ctx.options().tz();
            ctx.output(null).print(services().conferences().create(new ConferenceService.NewConference(name,
                    Checked.read(on, TimeInput::parseDate), Checked.read(from, t -> time(t, "--from")), Checked.read(to, t -> time(t, "--to")),
                    Checked.read(slot, t -> duration(t, "--slot")), teachers, rooms, maxConsecutive,
                    Checked.readOrNull(breakLength, t -> duration(t, "--break")),
                    Checked.readOrNull(walk, t -> Durations.parse(t)),
                    Checked.readOrNull(zone, org.schedctl.domain.Zones::parse))));
            return 0;
        }
    }

    @Command(name = "list", description = "List parents' evenings.")
    static final class ListConferences extends BaseCommand {
        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().conferences().list());
            return 0;
        }
    }

    @Command(name = "show", description = "Show one evening and its teachers.")
    static final class Show extends BaseCommand {
        @Parameters(paramLabel = "CONF", description = "Name or id") String conference;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().conferences().show(conference));
            return 0;
        }
    }

    @Command(name = "request", description = "Ask for a meeting: a guardian for their child with a teacher (or a teacher asks a family: --by-teacher).")
    static final class Request extends BaseCommand {
        @Parameters(paramLabel = "CONF", description = "Name or id") String conference;
        @Option(names = "--guardian", required = true, paramLabel = "U", description = "The guardian (linked to the student)") String guardian;
        @Option(names = "--student", required = true, paramLabel = "U", description = "The child") String student;
        @Option(names = "--teacher", required = true, paramLabel = "U", description = "A teacher of the evening") String teacher;
        @Option(names = "--required", description = "Must happen (placed before wished ones)") boolean required;
        @Option(names = "--wished", description = "Would be nice (the default)") boolean wished;
        @Option(names = "--by-teacher", description = "The teacher asks for this family (counts as required)") boolean byTeacher;
        @Option(names = "--earliest", paramLabel = "HH:MM", description = "The family can come from") String earliest;
        @Option(names = "--latest", paramLabel = "HH:MM", description = "The family must leave by") String latest;

        @Override
        protected int execute(AppContext ctx) {
            if (required && wished) {
                throw new InvalidInputException("--required and --wished exclude each other. Give one");
            }
            ctx.output(null).print(services().conferences().request(conference, new ConferenceService.NewRequest(guardian, student, teacher,
                    required, byTeacher, Checked.readOrNull(earliest, t -> time(t, "--earliest")),
                    Checked.readOrNull(latest, t -> time(t, "--latest")))));
            return 0;
        }
    }

    @Command(name = "requests", description = "List an evening's requests you may see.")
    static final class Requests extends BaseCommand {
        @Parameters(paramLabel = "CONF", description = "Name or id") String conference;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().conferences().requests(conference));
            return 0;
        }
    }

    @Command(name = "import", description = "Import requests from CSV: guardian,student,teacher[,priority][,earliest][,latest]; all or nothing.")
    static final class Import extends BaseCommand {
        @Parameters(index = "0", paramLabel = "CONF", description = "Name or id") String conference;
        @Parameters(index = "1", paramLabel = "FILE", description = "The CSV file") Path file;

        @Override
        protected int execute(AppContext ctx) {
            ConferenceService.ImportResult result = services().conferences().importCsv(conference, file);
            if (!result.ok()) {
                result.errors().forEach(e -> ctx.err().println(e));
                throw ConferenceService.importFailure(result);
            }
            ctx.output(null).print(result);
            return 0;
        }
    }

    @Command(name = "schedule", description = "Assign requests to slots with Timefold Solver; prints what it placed beside a greedy baseline and the matching bound.")
    static final class Schedule extends BaseCommand {
        @Parameters(paramLabel = "CONF", description = "Name or id") String conference;
        @Option(names = "--time-limit", paramLabel = "DURATION", description = "How long the solver may search (default 30s)") String timeLimit = "30s";
        @Option(names = "--dry-run", description = "Print the figures, store nothing") boolean dryRun;
        @Option(names = "--replan", description = "Also move meetings already published") boolean replan;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().conferences().schedule(conference, duration(timeLimit, "--time-limit"), dryRun, replan));
            return 0;
        }
    }

    @Command(name = "publish", description = "Turn the plan into appointments; one message per family and per teacher.")
    static final class Publish extends BaseCommand {
        @Parameters(paramLabel = "CONF", description = "Name or id") String conference;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().conferences().publish(conference));
            return 0;
        }
    }

    @Command(name = "open", description = "Let guardians book the remaining free slots (with `book`, type conference-ID-TEACHER).")
    static final class Open extends BaseCommand {
        @Parameters(paramLabel = "CONF", description = "Name or id") String conference;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().conferences().open(conference));
            return 0;
        }
    }

    @Command(name = "timetable", description = "Printable timetables of the published meetings (HTML: one A4 page per teacher).")
    static final class Timetable extends BaseCommand {
        @Parameters(paramLabel = "CONF", description = "Name or id") String conference;
        @Option(names = "--teacher", paramLabel = "U", description = "Only this teacher") String teacher;
        @Option(names = "--guardian", paramLabel = "U", description = "Only this family") String guardian;
        @Option(names = "--format", paramLabel = "FORMAT", description = "table, csv, json or html (default: -o)") String format;
        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Write to FILE") Path file;

        record Row(String time, String teacher, String room, String student, String guardian, String reference) {
        }

        @Override
        protected int execute(AppContext ctx) {
            if (teacher != null && guardian != null) {
                throw new InvalidInputException("--teacher and --guardian exclude each other. Give one or neither");
            }
            String chosen = format != null ? format.trim().toLowerCase(Locale.ROOT) : ctx.options().output().name();
            if (!List.of("table", "json", "csv", "html").contains(chosen)) {
                throw new InvalidInputException("unknown format '" + format + "'. Use --format table, csv, json or html");
            }
            var details = services().conferences().show(conference);
            var slots = services().conferences().timetable(conference, teacher, guardian);
            List<Row> rows = slots.stream().map(s -> new Row(s.start().toLocalTime() + "-" + s.end().toLocalTime(), s.teacher(),
                    s.room(), s.student(), s.guardian(), s.reference())).toList();
            ExportCommand.write(ctx, file, "timetable." + ("table".equals(chosen) ? "txt" : chosen), false, out -> {
                if (chosen.equals("html")) {
                    HtmlTimetable.write(out, details.conference(), slots);
                } else {
                    new Output(out, OutputFormat.valueOf(chosen), ctx.displayZone(null)).print(rows);
                }
            });
            return 0;
        }
    }
}
