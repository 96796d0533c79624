package org.schedctl.domain.booking;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.availability.RecurrenceRule;

/**
 * The occurrences of a lesson series (issue 16), planned in java.time from an RRULE (RFC 5545) in local wall-clock
 * time: every occurrence keeps the first one's local time in the series' zone. A local time in a DST gap follows
 * RFC 5545 3.3.5 (read with the offset before the gap, i.e. moved forward by the gap) and is marked shifted; one
 * in the repeated hour takes the earlier offset. At most {@link #MAX_OCCURRENCES}.
 */
public final class SeriesPlan {
    public static final int MAX_OCCURRENCES = 200;
    private static final DateTimeFormatter UNTIL = DateTimeFormatter.ofPattern("uuuuMMdd");
    private static final Map<String, String> WORDS = Map.of(
            "DAILY", "FREQ=DAILY", "WEEKLY", "FREQ=WEEKLY", "FORTNIGHTLY", "FREQ=WEEKLY;INTERVAL=2",
            "BIWEEKLY", "FREQ=WEEKLY;INTERVAL=2", "MONTHLY", "FREQ=MONTHLY");

    /** One planned occurrence: its local time as the rule gives it and its instant (shifted: in a DST gap). */
    public record Occurrence(int index, LocalDateTime local, Instant start, boolean shifted) {
        /** The plan's remark for a shifted occurrence, e.g. "02:30 does not exist on 2027-03-14 …". */
        public String shiftNote(ZoneId zone) {
            if (!shifted) {
                return null;
            }
            return local.toLocalTime() + " does not exist on " + local.toLocalDate() + " in " + zone.getId()
                    + " (clocks skip ahead); moved to " + start.atZone(zone).toLocalTime() + " as RFC 5545 says";
        }
    }

    /** The plan: the rule in its COUNT form (for calendars), its first local start and zone, the occurrences. */
    public record Plan(String rule, LocalDateTime localStart, ZoneId zone, List<Occurrence> occurrences) {
    }

    private SeriesPlan() {
    }

    /**
     * Plans a series. {@code repeat} is an RRULE (FREQ=WEEKLY;COUNT=12) or one of daily, weekly, fortnightly,
     * monthly; {@code until} (a date, included; from --until or a term's last day) bounds it when the rule has
     * neither COUNT nor UNTIL, and cuts it otherwise. The first occurrence must be {@code first}.
     */
    public static Plan plan(String repeat, LocalDateTime first, ZoneId zone, LocalDate until) {
        if (repeat == null || repeat.isBlank()) {
            throw new InvalidInputException("missing repeat rule. Give --repeat weekly or an RRULE such as FREQ=WEEKLY;COUNT=12");
        }
        String text = repeat.trim().toUpperCase(Locale.ROOT);
        text = WORDS.getOrDefault(text, text.startsWith("RRULE:") ? text.substring(6) : text);
        List<String> parts = Stream.of(text.split(";")).filter(p -> !p.isBlank()).toList();
        boolean bounded = parts.stream().anyMatch(p -> p.startsWith("COUNT=") || p.startsWith("UNTIL="));
        if (!bounded && until == null) {
            throw new InvalidInputException("the repeat rule '" + repeat.trim() + "' never ends. Add COUNT=N or UNTIL=YYYYMMDD,"
                    + " or give --until DATE or --for-term NAME");
        }
        String ruleText = bounded ? text : text + ";UNTIL=" + UNTIL.format(until);
        RecurrenceRule rule = RecurrenceRule.parse(ruleText);
        List<LocalDateTime> locals = rule.localStarts(first, first.plusYears(20), MAX_OCCURRENCES + 1);
        List<Occurrence> occurrences = new ArrayList<>();
        for (LocalDateTime local : locals) {
            if (until != null && local.toLocalDate().isAfter(until)) {
                break;
            }
            ZonedDateTime at = ZonedDateTime.ofLocal(local, zone, null);
            if (rule.endsBefore(at.toInstant())) {
                break;
            }
            occurrences.add(new Occurrence(occurrences.size() + 1, local, at.toInstant(), !at.toLocalDateTime().equals(local)));
        }
        if (occurrences.size() > MAX_OCCURRENCES) {
            throw new InvalidInputException("the series would have more than " + MAX_OCCURRENCES
                    + " occurrences. Give a smaller COUNT or an earlier end");
        }
        if (occurrences.isEmpty() || !occurrences.get(0).local().equals(first)) {
            throw new InvalidInputException("the rule '" + repeat.trim() + "' does not include --at " + first
                    + ". Start --at on a day the rule includes");
        }
        String counted = parts.stream().filter(p -> !p.startsWith("COUNT=") && !p.startsWith("UNTIL="))
                .collect(Collectors.joining(";")) + ";COUNT=" + occurrences.size();
        return new Plan(counted, first, zone, List.copyOf(occurrences));
    }
}
