package org.schedctl.cli;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import org.schedctl.store.Database;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * What Tab offers for the word being typed, from the command model and the school: subcommand names, the values of
 * options with fixed candidates, and users' emails, instructors, type slugs, booking references, zone ids and dates.
 * Used by {@code schedctl __complete} (bash, zsh, fish) and by the shell's completer. Option names are left to the
 * callers (the generated scripts, picocli's completer), so Tab after an argument never inserts an option.
 */
public final class Completions {
    /** The kinds of value a word may be. */
    public enum Kind { USERS, INSTRUCTORS, STUDENTS, TYPES, REFERENCES, ZONES, DATES, NONE }

    private static final Map<String, Kind> BY_OPTION = Map.of(
            "--instructor", Kind.INSTRUCTORS, "--student", Kind.STUDENTS, "--as", Kind.USERS, "--type", Kind.TYPES,
            "--ref", Kind.REFERENCES, "--tz", Kind.ZONES, "--hold", Kind.NONE);
    private static final int LIMIT = 200;

    private Completions() {
    }

    /** A word to complete: its fixed candidates (subcommands, enum values), or the kind of school data it names. */
    public record Slot(List<String> fixed, Kind kind) {
    }

    /**
     * Where {@code words} (the command line after "schedctl", the last being the word under the cursor, maybe
     * empty) leaves the cursor: an option's value, a positional, or a subcommand name.
     */
    public static Slot slot(CommandSpec root, List<String> words) {
        CommandSpec spec = root;
        int positional = 0;
        int n = words.size() - 1;
        for (int i = 0; i < n; i++) {
            String word = words.get(i);
            CommandLine sub = spec.subcommands().get(word);
            if (sub != null && positional == 0) {
                spec = sub.getCommandSpec();
                continue;
            }
            OptionSpec option = word.startsWith("-") ? spec.findOption(word.contains("=") ? word.substring(0, word.indexOf('=')) : word) : null;
            if (option != null) {
                if (option.arity().max() > 0 && !word.contains("=")) {
                    if (i == n - 1) {
                        return forOption(option);
                    }
                    i++;
                }
                continue;
            }
            if (!word.startsWith("-")) {
                positional++;
            }
        }
        if (positional == 0 && !spec.subcommands().isEmpty()) {
            List<String> names = new ArrayList<>();
            spec.subcommands().forEach((name, sub) -> {
                if (!sub.getCommandSpec().usageMessage().hidden()) {
                    names.add(name);
                }
            });
            return new Slot(names, Kind.NONE);
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.index().contains(positional)) {
                return forPositional(spec, p);
            }
        }
        return new Slot(List.of(), Kind.NONE);
    }

    private static Slot forOption(OptionSpec option) {
        if (option.completionCandidates() != null) {
            List<String> fixed = new ArrayList<>();
            option.completionCandidates().forEach(fixed::add);
            return new Slot(fixed, Kind.NONE);
        }
        Kind kind = BY_OPTION.get(option.longestName());
        if (kind != null) {
            return new Slot(List.of(), kind);
        }
        String label = option.paramLabel();
        return new Slot(List.of(), label.equals("DATE") || label.equals("TIME") ? Kind.DATES : Kind.NONE);
    }

    private static Slot forPositional(CommandSpec spec, PositionalParamSpec p) {
        String command = spec.qualifiedName(" ");
        return new Slot(List.of(), switch (p.paramLabel()) {
            case "REF" -> Kind.REFERENCES;
            case "TYPE" -> Kind.TYPES;
            case "USER" -> command.contains(" instructor ") || command.contains(" availability ") || command.contains(" calendar ")
                    ? Kind.INSTRUCTORS : Kind.USERS;
            default -> Kind.NONE;
        });
    }

    /** The candidates of {@code slot} starting with {@code prefix}; school data read through {@code db} (null: none). */
    public static List<String> candidates(Slot slot, String prefix, Database db, ZoneId zone, java.time.Clock clock) {
        TreeSet<String> out = new TreeSet<>();
        String lower = prefix.toLowerCase(Locale.ROOT);
        for (String f : slot.fixed()) {
            if (f.toLowerCase(Locale.ROOT).startsWith(lower)) {
                out.add(f);
            }
        }
        switch (slot.kind()) {
            case ZONES -> ZoneId.getAvailableZoneIds().stream().filter(z -> z.toLowerCase(Locale.ROOT).startsWith(lower)).forEach(out::add);
            case DATES -> {
                LocalDate today = LocalDate.now(clock.withZone(zone));
                for (int d = 0; d < 14; d++) {
                    String date = today.plusDays(d).toString();
                    if (date.startsWith(prefix)) {
                        out.add(date);
                    }
                }
            }
            case USERS, INSTRUCTORS, STUDENTS, TYPES, REFERENCES -> {
                if (db != null) {
                    out.addAll(fromSchool(slot.kind(), prefix, db));
                }
            }
            default -> { }
        }
        return List.copyOf(out);
    }

    private static List<String> fromSchool(Kind kind, String prefix, Database db) {
        String sql = switch (kind) {
            case USERS -> "SELECT email FROM users WHERE active AND lower(email) LIKE :p ORDER BY email LIMIT " + LIMIT;
            case INSTRUCTORS -> "SELECT email FROM users WHERE active AND role = 'instructor' AND lower(email) LIKE :p ORDER BY email LIMIT " + LIMIT;
            case STUDENTS -> "SELECT email FROM users WHERE active AND role = 'student' AND lower(email) LIKE :p ORDER BY email LIMIT " + LIMIT;
            case TYPES -> "SELECT slug FROM appointment_types WHERE archived_at IS NULL AND slug LIKE :p ORDER BY slug LIMIT " + LIMIT;
            case REFERENCES -> "SELECT reference FROM appointments WHERE upper(reference) LIKE :p ORDER BY starts_at DESC LIMIT " + LIMIT;
            default -> throw new IllegalArgumentException(kind.name());
        };
        String like = (kind == Kind.REFERENCES ? prefix.toUpperCase(Locale.ROOT) : prefix.toLowerCase(Locale.ROOT))
                .replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        return db.inTransaction(h -> h.createQuery(sql).bind("p", like).mapTo(String.class).list());
    }
}
