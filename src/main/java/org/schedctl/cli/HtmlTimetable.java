package org.schedctl.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.schedctl.service.ConferenceService;

/**
 * A parents' evening's timetables as one self-contained HTML file (no scripts, no network): one A4 page per teacher
 * (CSS page breaks), the meetings in the evening's local time. All text is HTML-escaped and neutralised.
 */
final class HtmlTimetable {
    private HtmlTimetable() {
    }

    static void write(PrintWriter out, ConferenceService.Conference c, List<ConferenceService.Slot> slots) {
        Map<String, List<ConferenceService.Slot>> byTeacher = new LinkedHashMap<>();
        slots.forEach(s -> byTeacher.computeIfAbsent(s.teacher(), k -> new java.util.ArrayList<>()).add(s));
        String title = "Parents' evening " + c.name() + ", " + c.on();
        out.print("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + HtmlReport.escape(title) + "</title>\n");
        out.print("""
                <style>
                @page { size: A4; margin: 15mm; }
                body { font-family: sans-serif; font-size: 11pt; }
                section { page-break-after: always; break-after: page; }
                section:last-child { page-break-after: auto; break-after: auto; }
                table { border-collapse: collapse; width: 100%; }
                th, td { border-bottom: 1px solid #999; padding: 2pt 6pt; text-align: left; }
                h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 12pt; margin: 0 0 8pt; font-weight: normal; }
                </style>
                </head>
                <body>
                """);
        if (byTeacher.isEmpty()) {
            out.print("<p>No published meetings.</p>\n");
        }
        byTeacher.forEach((teacher, list) -> {
            ConferenceService.Slot first = list.get(0);
            out.print("<section>\n<h1>" + HtmlReport.escape(first.teacherName()) + "</h1>\n<h2>" + HtmlReport.escape(title)
                    + (first.room() == null ? "" : ", room " + HtmlReport.escape(first.room())) + " (" + HtmlReport.escape(c.timezone()) + ")</h2>\n");
            out.print("<table>\n<tr><th>Time</th><th>Student</th><th>Guardian</th><th>Ref</th></tr>\n");
            for (ConferenceService.Slot s : list) {
                out.print("<tr><td>" + s.start().toLocalTime() + "&ndash;" + s.end().toLocalTime() + "</td><td>"
                        + HtmlReport.escape(s.studentName()) + "</td><td>" + HtmlReport.escape(s.guardianName()) + "</td><td>"
                        + HtmlReport.escape(s.reference()) + "</td></tr>\n");
            }
            out.print("</table>\n</section>\n");
        });
        out.print("</body>\n</html>\n");
    }
}
