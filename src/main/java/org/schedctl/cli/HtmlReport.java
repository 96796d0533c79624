package org.schedctl.cli;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.schedctl.domain.analytics.ReportGrain;
import org.schedctl.domain.analytics.ReportRow;
import org.schedctl.domain.analytics.Utilization;

/**
 * `analytics report --format html`: one self-contained page (inline style and SVG, no scripts, no external
 * resources) with a header (range, totals), four charts - bookings by period, utilization by instructor,
 * revenue and fees by period, cancellation and no-show rates by period - and the table. It fits 1,280 px and
 * prints on A4. Charts are hand-written SVG (a chart library would mean a script or a network fetch); every
 * drawn mark carries its value in data-value, so a test can compare what is drawn with the JSON report. Every
 * text is HTML-escaped, so an instructor's name cannot inject markup, and neutralised like
 * table and CSV output ({@code Text.neutralize}), so a page viewed with cat cannot drive the terminal.
 */
final class HtmlReport {
    private static final int WIDTH = 1180;
    private static final int HEIGHT = 220;

    private HtmlReport() {
    }

    static void write(PrintWriter out, LocalDate from, LocalDate to, ReportGrain grain, List<ReportRow> rows) {
        Map<String, long[]> periods = new TreeMap<>();
        Map<String, BigDecimal[]> money = new TreeMap<>();
        Map<String, long[]> instructors = new TreeMap<>();
        java.util.Set<String> currencies = new java.util.TreeSet<>();
        boolean mixed = false;
        long[] total = new long[6];
        for (ReportRow r : rows) {
            long[] p = periods.computeIfAbsent(r.period(), k -> new long[4]);
            p[0] += r.booked();
            p[1] += r.completed();
            p[2] += r.cancelled();
            p[3] += r.noShow();
            BigDecimal[] m = money.computeIfAbsent(r.period(), k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
            if (r.revenue() != null) {
                m[0] = m[0].add(r.revenue());
                m[1] = m[1].add(r.fees());
            }
            if (r.currency() != null) {
                for (String c : r.currency().split(",")) {
                    currencies.add(c);
                }
            }
            mixed |= r.revenue() == null;
            long[] i = instructors.computeIfAbsent(r.instructor(), k -> new long[2]);
            i[0] += r.bookedMinutes();
            i[1] += r.availableMinutes();
            total[0] += r.booked();
            total[1] += r.completed();
            total[2] += r.cancelled();
            total[3] += r.noShow();
            total[4] += r.bookedMinutes();
            total[5] += r.availableMinutes();
        }
        mixed |= currencies.size() > 1;
        String currency = currencies.size() == 1 ? currencies.iterator().next() : "";
        BigDecimal revenue = BigDecimal.ZERO;
        BigDecimal fees = BigDecimal.ZERO;
        for (BigDecimal[] m : money.values()) {
            revenue = revenue.add(m[0]);
            fees = fees.add(m[1]);
        }

        String title = "Analytics " + from + " to " + to;
        out.print("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        out.print("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" + escape(title) + "</title>\n");
        out.print("<style>\n"
                + "@page{size:A4;margin:12mm}\n"
                + "*{box-sizing:border-box}\n"
                + "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;padding:24px;max-width:1240px;color:#1f2933}\n"
                + "h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}\n"
                + ".sub{color:#52606d;margin:0 0 16px}\n"
                + ".totals{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:8px;margin:0 0 8px}\n"
                + ".totals div{background:#f5f7fa;border-radius:6px;padding:8px 12px}.totals b{display:block;font-size:20px}\n"
                + ".totals span{color:#52606d;font-size:12px}\n"
                + "svg{width:100%;height:auto;display:block}svg text{font-size:12px;fill:#3e4c59}\n"
                + ".charts{display:grid;grid-template-columns:1fr;gap:8px}\n"
                + "figure{margin:0;break-inside:avoid}figcaption{font-weight:600;margin:8px 0 4px}\n"
                + ".legend{font-size:12px;color:#52606d}.sw{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}\n"
                + "table{border-collapse:collapse;width:100%;table-layout:fixed;font-size:12px}\n"
                + "th,td{border-bottom:1px solid #e4e7eb;padding:4px 6px;text-align:right;overflow:hidden;text-overflow:ellipsis}\n"
                + "th{background:#f5f7fa}th:nth-child(1),td:nth-child(1){white-space:nowrap;width:90px;text-align:left}\n"
                + "th:nth-child(2),td:nth-child(2){text-align:left;width:26%}\n"
                + "@media print{body{padding:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}}\n"
                + "</style>\n</head>\n<body>\n");
        out.print("<h1>" + escape(title) + "</h1>\n");
        out.print("<p class=\"sub\">By " + grain.name() + ", in each instructor's own time zone. Utilization = booked minutes "
                + "(pending, confirmed, completed; a group session once) over available minutes.</p>\n");
        if (rows.isEmpty()) {
            out.print("<p>No data for this period. Run <code>schedctl analytics aggregate</code> first.</p>\n</body>\n</html>\n");
            out.flush();
            return;
        }
        out.print("<div class=\"totals\" id=\"totals\">");
        tile(out, "instructors", Integer.toString(instructors.size()));
        tile(out, "booked", Long.toString(total[0]));
        tile(out, "completed", Long.toString(total[1]));
        tile(out, "cancelled", Long.toString(total[2]));
        tile(out, "no-shows", Long.toString(total[3]));
        tile(out, "utilization", Utilization.percent(Utilization.of(total[4], total[5])));
        tile(out, "revenue", mixed ? "mixed currencies" : money(revenue, currency));
        tile(out, "fees", mixed ? "mixed currencies" : money(fees, currency));
        out.print("</div>\n<div class=\"charts\">\n");

        List<String> labels = new ArrayList<>(periods.keySet());
        out.print("<figure id=\"chart-bookings\"><figcaption>Bookings by " + grain.name() + "</figcaption>"
                + legend("#3e7cb1", "booked", "#52b788", "completed"));
        List<double[]> series = new ArrayList<>();
        for (long[] p : periods.values()) {
            series.add(new double[] {p[0], p[1]});
        }
        bars(out, "bookings", labels, series, new String[] {"#3e7cb1", "#52b788"}, false);
        out.print("</figure>\n");

        out.print("<figure id=\"chart-utilization\"><figcaption>Utilization by instructor</figcaption>");
        hbars(out, instructors);
        out.print("</figure>\n");

        out.print("<figure id=\"chart-money\"><figcaption>Revenue and fees by " + grain.name()
                + (currency.isEmpty() ? "" : " (" + escape(currency) + ")") + "</figcaption>");
        if (mixed) {
            out.print("<p>Several currencies: revenue and fees are in the table per instructor and period.</p>");
        } else {
            out.print(legend("#7b5ea7", "revenue", "#e07a5f", "fees"));
            List<double[]> m = new ArrayList<>();
            for (BigDecimal[] v : money.values()) {
                m.add(new double[] {v[0].doubleValue(), v[1].doubleValue()});
            }
            bars(out, "money", labels, m, new String[] {"#7b5ea7", "#e07a5f"}, false);
        }
        out.print("</figure>\n");

        out.print("<figure id=\"chart-rates\"><figcaption>Cancellation and no-show rates by " + grain.name() + " (% of booked)</figcaption>"
                + legend("#d1495b", "cancelled", "#edae49", "no-show"));
        List<double[]> rates = new ArrayList<>();
        for (long[] p : periods.values()) {
            rates.add(new double[] {p[0] == 0 ? 0 : 100.0 * p[2] / p[0], p[0] == 0 ? 0 : 100.0 * p[3] / p[0]});
        }
        lines(out, labels, rates, new String[] {"#d1495b", "#edae49"});
        out.print("</figure>\n</div>\n");

        out.print("<h2>Per instructor and " + grain.name() + "</h2>\n<table>\n<thead><tr><th>period</th><th>instructor</th>"
                + "<th>booked</th><th>completed</th><th>cancelled</th><th>no-show</th><th>declined</th><th>utilization</th>"
                + "<th>revenue</th><th>fees</th><th>currency</th></tr></thead>\n<tbody>\n");
        for (ReportRow r : rows) {
            out.print("<tr><td>" + escape(r.period()) + "</td><td title=\"" + escape(r.instructor()) + "\">" + escape(r.instructor())
                    + "</td><td>" + r.booked() + "</td><td>" + r.completed() + "</td><td>" + r.cancelled() + "</td><td>" + r.noShow()
                    + "</td><td>" + r.declined() + "</td><td>" + Utilization.percent(r.utilization()) + "</td><td>"
                    + (r.revenue() == null ? "" : r.revenue().toPlainString()) + "</td><td>"
                    + (r.fees() == null ? "" : r.fees().toPlainString()) + "</td><td>" + escape(r.currency() == null ? "" : r.currency())
                    + "</td></tr>\n");
        }
        out.print("</tbody>\n</table>\n</body>\n</html>\n");
        out.flush();
    }

    private static void tile(PrintWriter out, String label, String value) {
        out.print("<div><b data-total=\"" + escape(label) + "\">" + escape(value) + "</b><span>" + escape(label) + "</span></div>");
    }

    private static String legend(String c1, String l1, String c2, String l2) {
        return "<div class=\"legend\"><span class=\"sw\" style=\"background:" + c1 + "\"></span>" + l1
                + "<span class=\"sw\" style=\"background:" + c2 + "\"></span>" + l2 + "</div>";
    }

    private static String money(BigDecimal amount, String currency) {
        return amount.setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString() + (currency.isEmpty() ? "" : " " + currency);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String value(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static double niceMax(double max) {
        if (max <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(max)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= max) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static double largest(List<double[]> values) {
        return Math.max(0, values.stream().flatMapToDouble(java.util.Arrays::stream).max().orElse(0));
    }

    /** Grouped vertical bars: one group per label, one bar per series value. */
    private static void bars(PrintWriter out, String name, List<String> labels, List<double[]> values, String[] colors, boolean percent) {
        int left = 56;
        int bottom = HEIGHT - 36;
        int top = 10;
        double max = largest(values);
        max = niceMax(max);
        double slot = (double) (WIDTH - left - 8) / Math.max(1, labels.size());
        double barWidth = Math.max(1, slot * 0.8 / colors.length);
        out.print("<svg viewBox=\"0 0 " + WIDTH + " " + HEIGHT + "\" role=\"img\" aria-label=\"" + name + "\">");
        axes(out, left, top, bottom, max, percent);
        int every = Math.max(1, (int) Math.ceil(labels.size() / (WIDTH / 70.0)));
        for (int i = 0; i < labels.size(); i++) {
            double x0 = left + i * slot + slot * 0.1;
            for (int s = 0; s < colors.length; s++) {
                double v = values.get(i)[s];
                double h = (bottom - top) * v / max;
                out.print("<rect class=\"s" + s + "\" data-period=\"" + escape(labels.get(i)) + "\" data-value=\"" + value(v)
                        + "\" x=\"" + num(x0 + s * barWidth) + "\" y=\"" + num(bottom - h) + "\" width=\"" + num(barWidth)
                        + "\" height=\"" + num(h) + "\" fill=\"" + colors[s] + "\"><title>" + escape(labels.get(i)) + ": "
                        + value(v) + "</title></rect>");
            }
            if (i % every == 0) {
                out.print("<text x=\"" + num(x0) + "\" y=\"" + (bottom + 16) + "\">" + escape(labels.get(i)) + "</text>");
            }
        }
        out.print("</svg>");
    }

    private static void axes(PrintWriter out, int left, int top, int bottom, double max, boolean percent) {
        for (int t = 0; t <= 4; t++) {
            double y = bottom - (bottom - top) * t / 4.0;
            double v = max * t / 4;
            out.print("<line x1=\"" + left + "\" x2=\"" + WIDTH + "\" y1=\"" + num(y) + "\" y2=\"" + num(y) + "\" stroke=\"#e4e7eb\"/>");
            out.print("<text x=\"" + (left - 6) + "\" y=\"" + num(y + 4) + "\" text-anchor=\"end\">" + value(v) + (percent ? " %" : "") + "</text>");
        }
    }

    /** Horizontal bars of utilization, one per instructor, 0..100 %. */
    private static void hbars(PrintWriter out, Map<String, long[]> instructors) {
        int row = 22;
        int left = 300;
        int height = 20 + row * instructors.size();
        out.print("<svg viewBox=\"0 0 " + WIDTH + " " + height + "\" role=\"img\" aria-label=\"utilization\">");
        for (int t = 0; t <= 4; t++) {
            double x = left + (WIDTH - left - 60) * t / 4.0;
            out.print("<line x1=\"" + num(x) + "\" x2=\"" + num(x) + "\" y1=\"0\" y2=\"" + (height - 16) + "\" stroke=\"#e4e7eb\"/>");
            out.print("<text x=\"" + num(x) + "\" y=\"" + (height - 2) + "\" text-anchor=\"middle\">" + (25 * t) + " %</text>");
        }
        int i = 0;
        for (Map.Entry<String, long[]> e : instructors.entrySet()) {
            BigDecimal u = Utilization.of(e.getValue()[0], e.getValue()[1]);
            double w = (WIDTH - left - 60) * u.doubleValue();
            double y = 4 + i * row;
            out.print("<text x=\"" + (left - 8) + "\" y=\"" + num(y + 14) + "\" text-anchor=\"end\">" + escape(shorten(e.getKey())) + "</text>");
            out.print("<rect data-instructor=\"" + escape(e.getKey()) + "\" data-value=\"" + u.toPlainString() + "\" x=\"" + left
                    + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"16\" fill=\"#3e7cb1\"><title>" + escape(e.getKey())
                    + ": " + Utilization.percent(u) + "</title></rect>");
            out.print("<text x=\"" + num(left + w + 6) + "\" y=\"" + num(y + 13) + "\">" + Utilization.percent(u) + "</text>");
            i++;
        }
        out.print("</svg>");
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 39) + "…";
    }

    /** One polyline per series, values in percent. */
    private static void lines(PrintWriter out, List<String> labels, List<double[]> values, String[] colors) {
        int left = 56;
        int bottom = HEIGHT - 36;
        int top = 10;
        double max = largest(values);
        max = niceMax(Math.min(100, Math.max(max, 1)));
        double slot = (double) (WIDTH - left - 8) / Math.max(1, labels.size());
        out.print("<svg viewBox=\"0 0 " + WIDTH + " " + HEIGHT + "\" role=\"img\" aria-label=\"rates\">");
        axes(out, left, top, bottom, max, true);
        for (int s = 0; s < colors.length; s++) {
            StringBuilder points = new StringBuilder();
            StringBuilder dots = new StringBuilder();
            for (int i = 0; i < labels.size(); i++) {
                double v = values.get(i)[s];
                double x = left + i * slot + slot / 2;
                double y = bottom - (bottom - top) * v / max;
                points.append(num(x)).append(',').append(num(y)).append(' ');
                dots.append("<circle class=\"s").append(s).append("\" data-period=\"").append(escape(labels.get(i)))
                        .append("\" data-value=\"").append(String.format(Locale.ROOT, "%.1f", v)).append("\" cx=\"").append(num(x))
                        .append("\" cy=\"").append(num(y)).append("\" r=\"3\" fill=\"").append(colors[s]).append("\"><title>")
                        .append(escape(labels.get(i))).append(": ").append(String.format(Locale.ROOT, "%.1f %%", v)).append("</title></circle>");
            }
            out.print("<polyline fill=\"none\" stroke=\"" + colors[s] + "\" stroke-width=\"2\" points=\"" + points.toString().trim() + "\"/>");
            out.print(dots);
        }
        int every = Math.max(1, (int) Math.ceil(labels.size() / (WIDTH / 70.0)));
        for (int i = 0; i < labels.size(); i += every) {
            out.print("<text x=\"" + num(left + i * slot + slot * 0.1) + "\" y=\"" + (bottom + 16) + "\">" + escape(labels.get(i)) + "</text>");
        }
        out.print("</svg>");
    }

    static String escape(String text) {
        String safe = org.schedctl.domain.Text.neutralize(text, true);
        StringBuilder sb = new StringBuilder(safe.length());
        for (char c : safe.toCharArray()) {
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
