package org.schedctl.cli;

import java.nio.file.Path;

import org.schedctl.domain.InvalidInputException;
import org.schedctl.service.AnalyticsService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "analytics", description = "Batch analytics, reports, real-time metrics.",
        subcommands = {AnalyticsCommand.Aggregate.class, AnalyticsCommand.Report.class, AnalyticsCommand.Dashboard.class})
public final class AnalyticsCommand {

    @Command(name = "aggregate", description = "Recompute daily analytics (idempotent; without dates: the touched days).")
    static final class Aggregate extends BaseCommand {
        @Option(names = "--from", paramLabel = "DATE") String from;
        @Option(names = "--to", paramLabel = "DATE") String to;

        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(new AnalyticsService(ctx.database()).aggregate(from, to, ctx.clock()));
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
        @Option(names = "--from", paramLabel = "DATE") String from;
        @Option(names = "--to", paramLabel = "DATE") String to;
        @Option(names = "--by", paramLabel = "PERIOD", description = "day, week or month (default day)") String by;
        @Option(names = "--format", paramLabel = "FORMAT", description = "table, json, csv or html (default: -o)") String format;
        @Option(names = {"-f", "--file"}, paramLabel = "FILE") Path file;

        @Override
        protected int execute(AppContext ctx) {
            String chosen = format != null ? format.trim().toLowerCase(java.util.Locale.ROOT) : ctx.options().output().name();
            if (!java.util.List.of("table", "json", "csv", "html").contains(chosen)) {
                throw new InvalidInputException("unknown format '" + format + "'. Use --format table, json, csv or html");
            }
            var rows = new AnalyticsService(ctx.database()).report(instructor, from, to, by, ctx.clock());
            ExportCommand.write(ctx, file, out -> {
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
            return 0;
        }
    }

    @Command(name = "dashboard", description = "Real-time metrics: today's bookings and cancellations, pending confirmations, next 24 hours.")
    static final class Dashboard extends BaseCommand {
        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(new AnalyticsService(ctx.database()).dashboard(ctx.clock()));
            return 0;
        }
    }
}
