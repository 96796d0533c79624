package org.schedctl.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A self-contained HTML page (inline style, no scripts, no external resources) showing a list of records as a
 * table. Every value and key is HTML-escaped, so an instructor's name cannot inject markup, and neutralised like
 * table and CSV output ({@code Text.neutralize}), so a page viewed with cat cannot drive the terminal.
 */
final class HtmlReport {
    private HtmlReport() {
    }

    static void write(PrintWriter out, String title, List<?> rows, ObjectMapper mapper) {
        out.print("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
        out.print(escape(title));
        out.print("</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                + "th,td{border:1px solid #999;padding:.3em .6em;text-align:right}th:first-child,td:first-child,"
                + "th:nth-child(2),td:nth-child(2){text-align:left}thead{background:#eee}</style>\n</head>\n<body>\n<h1>");
        out.print(escape(title));
        out.print("</h1>\n");
        if (rows.isEmpty()) {
            out.print("<p>No data for this period. Run <code>schedctl analytics aggregate</code> first.</p>\n");
        } else {
            List<Map<String, Object>> maps = mapper.convertValue(rows, new TypeReference<List<Map<String, Object>>>() { });
            out.print("<table>\n<thead><tr>");
            for (String key : maps.get(0).keySet()) {
                out.print("<th>" + escape(key) + "</th>");
            }
            out.print("</tr></thead>\n<tbody>\n");
            for (Map<String, Object> row : maps) {
                out.print("<tr>");
                for (Object value : row.values()) {
                    out.print("<td>" + escape(value == null ? "" : value instanceof java.math.BigDecimal d ? d.toPlainString() : value.toString()) + "</td>");
                }
                out.print("</tr>\n");
            }
            out.print("</tbody>\n</table>\n");
        }
        out.print("</body>\n</html>\n");
        out.flush();
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
