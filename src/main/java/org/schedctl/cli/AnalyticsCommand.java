package org.schedctl.cli;

import java.nio.file.Path;

import org.schedctl.domain.InvalidInputException;
import org.schedctl.service.AnalyticsService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "analytics", description = "Batch analytics, reports, real-time metrics.",
        subcommands = {AnalyticsCommand.Aggregate.class, AnalyticsCommand.Report.class, AnalyticsCommand.Instructors.class,
                AnalyticsCommand.Dashboard.class})
public final class AnalyticsCommand {

    @Command(name = "aggregate", description = "Recompute daily analytics (idempotent; without dates: the touched days).")
    static final class Aggregate extends BaseCommand {
        @Option(names = "--from", paramLabel = "DATE", converter = Converters.CheckedDate.class) org.schedctl.domain.Checked<java.time.LocalDate> from;
        @Option(names = "--to", paramLabel = "DATE", converter = Converters.CheckedDate.class) org.schedctl.domain.Checked<java.time.LocalDate> to;

        @Override
        protected int execute(AppContext ctx) {
            AnalyticsService.AggregateResult result;
            String range = from == null && to == null ? "the touched days" : (from != null ? from.get() : to.get()) + " to " + (to != null ? to.get() : from.get());
            try (ElapsedProgress progress = ElapsedProgress.start(ctx, "aggregating analytics, " + range)) {
                result = services().analytics().aggregate(from, to, ctx.clock());
            }
            ctx.output(null).print(result);
            return 0;
        }
    }

    @Command(name = "report", description = {"Bookings, completions, cancellations, utilization and money per period, read from "
            + "`analytics aggregate`'s table.",
            "booked counts every appointment starting in the period, whatever its state now; utilization is booked minutes of "
                    + "pending, confirmed or completed appointments over available minutes (0..1); revenue is the price of "
                    + "completed appointments; fees are cancellation fees not waived. Periods are in the instructor's zone."})
    static final class Report extends BaseCommand {
        @Option(names = "--instructor", paramLabel = "USER") String instructor;
        @Option(names = "--from", paramLabel = "DATE", converter = Converters.CheckedDate.class) org.schedctl.domain.Checked<java.time.LocalDate> from;
        @Option(names = "--to", paramLabel = "DATE", converter = Converters.CheckedDate.class) org.schedctl.domain.Checked<java.time.LocalDate> to;
        @Option(names = "--by", paramLabel = "PERIOD", description = "day, week or month (default day)") String by;
        @Option(names = "--format", paramLabel = "FORMAT", description = "table, json, csv or html (default: -o)") String format;
        @Option(names = {"-f", "--file"}, paramLabel = "FILE") Path file;
        @Option(names = "--compare", paramLabel = "previous", description = "previous: this range against the one of the same "
                + "length just before it, per instructor and (all)") String compare;

        @Override
        protected int execute(AppContext ctx) {
            String chosen = format != null ? format.trim().toLowerCase(java.util.Locale.ROOT) : ctx.options().output().name();
            if (!java.util.List.of("table", "json", "csv", "html").contains(chosen)) {
                throw new InvalidInputException("unknown format '" + format + "'. Use --format table, json, csv or html");
            }
            if (compare != null) {
                if (!"previous".equals(compare.trim().toLowerCase(java.util.Locale.ROOT))) {
                    throw new InvalidInputException("unknown comparison '" + compare + "'. Use --compare previous");
                }
                if (chosen.equals("html") || by != null) {
                    throw new InvalidInputException("--compare previous compares whole ranges. Leave out --by and use "
                            + "--format table, json or csv");
                }
                var comparison = services().analytics().compare(instructor, from, to, ctx.clock());
                ExportCommand.write(ctx, file, "analytics-comparison." + ("table".equals(chosen) ? "txt" : chosen), false, out -> new Output(out, OutputFormat.valueOf(chosen), ctx.displayZone(null)).print(comparison));
                return 0;
            }
            var rows = services().analytics().report(instructor, from, to, by, ctx.clock());
            ExportCommand.write(ctx, file, "analytics-report." + ("table".equals(chosen) ? "txt" : chosen), false, out -> {
                switch (chosen) {
                    case "html" -> {
                        java.time.LocalDate[] range = AnalyticsService.reportRange(from, to, ctx.clock());
                        HtmlReport.write(out, range[0], range[1], org.schedctl.domain.analytics.ReportGrain.parse(by), rows);
                    }
                    case "csv" -> {
                        if (rows.isEmpty()) {
                            out.println(ExportCommand.csvHeader(org.schedctl.domain.analytics.ReportRow.class));
                        } else {
                            new Output(out, OutputFormat.csv, ctx.displayZone(null)).print(rows);
                        }
                    }
                    default -> new Output(out, OutputFormat.valueOf(chosen), ctx.displayZone(null)).print(rows);
                }
            });
            if ("table".equals(chosen) && file == null && ctx.stdoutIsTerminal() && !rows.isEmpty()) {
                trend(ctx.out(), rows);
            }
            return 0;
        }
    }

    /** On a terminal, under the table: bookings per period as a small bar chart (not when piped: data only). */
    static void trend(java.io.PrintWriter out, java.util.List<org.schedctl.domain.analytics.ReportRow> rows) {
        java.util.Map<String, Long> booked = new java.util.TreeMap<>();
        rows.forEach(r -> booked.merge(r.period(), r.booked(), Long::sum));
        long max = booked.values().stream().mapToLong(Long::longValue).max().orElse(0);
        int width = booked.keySet().stream().mapToInt(String::length).max().orElse(0);
        out.println();
        out.println("booked per period");
        booked.forEach((period, n) -> out.printf(java.util.Locale.ROOT, "%-" + width + "s %s %d%n", period,
                "\u2588".repeat(max == 0 ? 0 : (int) Math.round(40.0 * n / max)), n));
        out.flush();
    }

    @Command(name = "instructors", description = {"Per instructor over the range (default: the 30 days up to today): booked, "
            + "completion and no-show rates (of booked), average rating, median minutes from booking to confirmation, median "
            + "lead time in hours, utilization (as in `analytics report`; run `analytics aggregate` first), revenue."})
    static final class Instructors extends BaseCommand {
        @Option(names = "--from", paramLabel = "DATE", converter = Converters.CheckedDate.class) org.schedctl.domain.Checked<java.time.LocalDate> from;
        @Option(names = "--to", paramLabel = "DATE", converter = Converters.CheckedDate.class) org.schedctl.domain.Checked<java.time.LocalDate> to;
        @Option(names = "--sort", paramLabel = "KEY", description = "instructor (default), booked, completion, no-show, rating, "
                + "confirm, lead, utilization or revenue; metrics best first") String sort;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().analytics().instructors(from, to, sort, ctx.clock()));
            return 0;
        }
    }

    @Command(name = "dashboard", description = {"Real-time metrics: today's bookings and cancellations, pending confirmations, next 24 hours.",
            "--watch redraws in place every --interval (default 5s) until Ctrl-C when stdout is a terminal; piped or "
                    + "redirected it prints once, so scripts are not flooded."})
    static final class Dashboard extends BaseCommand {
        @Option(names = "--watch", description = "redraw in place on a terminal") boolean watch;
        @Option(names = "--interval", paramLabel = "DURATION", description = "between redraws with --watch (default 5s, at least 1s)")
        String interval;

        @Override
        protected int execute(AppContext ctx) {
            java.time.Duration every = interval == null ? java.time.Duration.ofSeconds(5)
                    : org.schedctl.domain.Durations.parsePositive(interval, "--interval");
            if (every.compareTo(java.time.Duration.ofSeconds(1)) < 0) {
                throw new InvalidInputException("--interval " + interval + " is shorter than a second. Give --interval 1s or more");
            }
            AnalyticsService service = services().analytics();
            if (!watch || !ctx.stdoutIsTerminal()) {
                ctx.output(null).print(service.dashboard(ctx.clock()));
                return 0;
            }
            while (!Thread.currentThread().isInterrupted()) {
                var rows = service.dashboard(ctx.clock());
                // Home and clear, then the table and when it was read: one redraw, no scrolling.
                ctx.out().print("\u001b[H\u001b[2J");
                ctx.output(null).print(rows);
                ctx.out().println();
                ctx.out().println("updated " + java.time.ZonedDateTime.now(ctx.clock()).withNano(0) + " - every "
                        + org.schedctl.domain.Durations.format(every) + ", Ctrl-C to stop");
                ctx.out().flush();
                try {
                    Thread.sleep(every.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return 0;
        }
    }
}
