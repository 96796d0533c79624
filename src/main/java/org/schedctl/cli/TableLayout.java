package org.schedctl.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.schedctl.domain.InvalidInputException;

/**
 * How a table is laid out for its reader: which columns (the command's default set, all with {@code -o wide}, or
 * {@code --columns}), how wide it may be (the terminal's width; unlimited when piped, so nothing is cut), and whether
 * headers and status words are coloured (a terminal only). The default sets fit 80 columns with ordinary values.
 *
 * @param command the command's name ("user list"), which picks the default column set and names what an empty list lacks
 * @param width   the terminal's width, or 0 when stdout is not a terminal (never truncate)
 */
public record TableLayout(String command, int width, boolean color, boolean wide, List<String> columns) {
    /** Plain text of unlimited width, every column: files, pipes and in-process callers. */
    public static final TableLayout PLAIN = new TableLayout("", 0, false, true, null);

    /** Default columns of the lists whose records have more than fit 80 columns; the rest with -o wide. */
    static final Map<String, List<String>> DEFAULTS = Map.ofEntries(
            Map.entry("user list", List.of("id", "email", "name", "role", "timezone", "active")),
            Map.entry("instructor list", List.of("id", "email", "name", "timezone", "auto_confirm", "channels")),
            Map.entry("type list", List.of("id", "slug", "name", "duration", "price", "currency", "capacity")),
            Map.entry("appointments list", List.of("reference", "status", "instructor", "student", "type", "start")),
            Map.entry("notifications list", List.of("id", "kind", "channel", "recipient", "status", "due_at", "attempts")),
            Map.entry("audit list", List.of("id", "at", "actor", "command", "action", "entity", "entity_id")),
            Map.entry("analytics report", List.of("period", "instructor", "booked", "completed", "cancelled", "no_show",
                    "utilization", "revenue", "currency")),
            Map.entry("analytics dashboard", List.of("instructor", "day", "bookings_today", "cancellations_today",
                    "pending_confirmations", "upcoming24h")));

    /** What an empty list of this command is called, when its first word is not the plural already. */
    private static final Map<String, String> NOUNS = Map.of(
            "user", "users", "instructor", "instructors", "type", "appointment types", "audit", "audit entries",
            "analytics", "analytics rows", "availability", "availability entries", "calendar", "calendar subscriptions",
            "waitlist", "waitlist entries");

    /** The columns to show, in order, out of those the rows have; unknown --columns are refused, naming the known ones. */
    List<String> select(List<String> available) {
        if (columns != null && !columns.isEmpty()) {
            List<String> unknown = new ArrayList<>();
            Set<String> chosen = new LinkedHashSet<>();
            for (String c : columns) {
                String name = c.trim().toLowerCase(Locale.ROOT);
                if (available.contains(name)) {
                    chosen.add(name);
                } else if (!name.isEmpty()) {
                    unknown.add(name);
                }
            }
            if (!unknown.isEmpty() || chosen.isEmpty()) {
                throw new InvalidInputException("unknown column " + String.join(", ", unknown) + " in --columns. Choose from: "
                        + String.join(",", available));
            }
            return List.copyOf(chosen);
        }
        List<String> defaults = wide ? null : DEFAULTS.get(command);
        if (defaults == null) {
            return available;
        }
        List<String> shown = defaults.stream().filter(available::contains).toList();
        return shown.isEmpty() ? available : shown;
    }

    /** "No appointments found." for {@code appointments list}. */
    String emptyMessage() {
        String first = command.isBlank() ? "rows" : command.split(" ")[0];
        String noun = NOUNS.getOrDefault(first, first.endsWith("s") ? first : first + "s");
        return "No " + noun + " found.";
    }

    /**
     * Widths that fit {@link #width}: the widest columns give way first, down to their {@code minimums};
     * columns that still do not fit are left off at the right. Returns how many columns are shown.
     */
    int fit(int[] widths, int[] minimums) {
        if (width <= 0 || wide && columns == null) {
            return widths.length;
        }
        int shown = widths.length;
        while (true) {
            int total = 0;
            for (int i = 0; i < shown; i++) {
                total += widths[i] + (i > 0 ? 2 : 0);
            }
            while (total > width) {
                int widest = -1;
                for (int i = 0; i < shown; i++) {
                    if (widths[i] > minimums[i] && (widest < 0 || widths[i] > widths[widest])) {
                        widest = i;
                    }
                }
                if (widest < 0) {
                    break;
                }
                widths[widest]--;
                total--;
            }
            if (total <= width || shown == 1) {
                return shown;
            }
            shown--;
        }
    }

    /** ANSI colour for a status word in a table on a terminal, or null. */
    static String statusColor(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "confirmed", "completed", "sent", "delivered", "active", "true", "ok", "offered", "booked" -> "\u001b[32m";
            case "pending", "held", "waiting", "retrying", "queued", "scheduled" -> "\u001b[33m";
            case "cancelled", "canceled", "declined", "no_show", "failed", "expired", "dead", "false", "archived" -> "\u001b[31m";
            default -> null;
        };
    }

    static final String BOLD = "\u001b[1m";
    static final String RESET = "\u001b[0m";
}
