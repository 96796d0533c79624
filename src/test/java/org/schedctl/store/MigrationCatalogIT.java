package org.schedctl.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.TestDatabase;

/**
 * The migration layout (README, "Migrations"): versioned files hold structure, and every function, trigger and view
 * of the schema has exactly one live definition, in one repeatable migration. Checked against a migrated database,
 * so an object made some other way (a DO block, a forgotten versioned file) is caught too.
 */
class MigrationCatalogIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Path DIR = Path.of("db", "migration");
    private static final Pattern FUNCTION = Pattern.compile(
            "CREATE\\s+(?:OR\\s+REPLACE\\s+)?FUNCTION\\s+(\\w+)\\s*\\(", Pattern.CASE_INSENSITIVE);
    private static final Pattern TRIGGER = Pattern.compile(
            "CREATE\\s+(?:OR\\s+REPLACE\\s+)?TRIGGER\\s+(\\w+)\\s.*?\\bON\\s+(\\w+)", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern VIEW = Pattern.compile(
            "CREATE\\s+(?:OR\\s+REPLACE\\s+)?VIEW\\s+(\\w+)", Pattern.CASE_INSENSITIVE);

    /** Every function of the public schema (not an extension's) is defined in exactly one R file, exactly once. */
    @Test
    void everyFunctionHasExactlyOneDefinitionInOneRepeatableMigration() throws Exception {
        Map<String, List<String>> definedAt = new TreeMap<>();
        try (Connection c = db.ownerDataSource().getConnection();
             PreparedStatement resolve = c.prepareStatement("SELECT ?::regprocedure::oid::regprocedure::text")) {
            for (Path file : files("R__")) {
                String sql = withoutComments(Files.readString(file));
                Matcher m = FUNCTION.matcher(sql);
                while (m.find()) {
                    String signature = m.group(1) + "(" + String.join(", ", inputTypes(argumentList(sql, m.end()))) + ")";
                    resolve.setString(1, signature);
                    String identity;
                    try (ResultSet rs = resolve.executeQuery()) {
                        rs.next();
                        identity = rs.getString(1);
                    } catch (SQLException e) {
                        throw new AssertionError(file.getFileName() + " defines " + signature
                                + ", which the migrated database does not have: " + e.getMessage(), e);
                    }
                    definedAt.computeIfAbsent(identity, k -> new ArrayList<>()).add(file.getFileName().toString());
                }
            }
            List<String> problems = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                    SELECT p.oid::regprocedure::text FROM pg_proc p
                    WHERE p.pronamespace = 'public'::regnamespace
                      AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                      WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
                    ORDER BY 1""")) {
                Set<String> live = new TreeSet<>();
                while (rs.next()) {
                    live.add(rs.getString(1));
                }
                for (String f : live) {
                    List<String> at = definedAt.getOrDefault(f, List.of());
                    if (at.size() != 1) {
                        problems.add(f + " is defined " + at.size() + " times in R files " + at);
                    }
                }
                assertTrue(live.size() > 40, "the catalog query sees the schema's functions: " + live);
            }
            assertEquals(List.of(), problems);
        }
    }

    /** No versioned migration defines a function, trigger or view, or calls a function a repeatable one defines. */
    @Test
    void versionedMigrationsHoldStructureOnly() throws IOException {
        Set<String> repeatableFunctions = new TreeSet<>();
        for (Path file : files("R__")) {
            Matcher m = FUNCTION.matcher(withoutComments(Files.readString(file)));
            while (m.find()) {
                repeatableFunctions.add(m.group(1).toLowerCase());
            }
        }
        Pattern call = Pattern.compile("\\b(" + String.join("|", repeatableFunctions.isEmpty() ? Set.of("-") : repeatableFunctions)
                + ")\\s*\\(", Pattern.CASE_INSENSITIVE);
        Pattern defines = Pattern.compile("CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:FUNCTION|PROCEDURE|TRIGGER|VIEW)\\b",
                Pattern.CASE_INSENSITIVE);
        List<String> problems = new ArrayList<>();
        List<Path> versioned = files("V");
        assertEquals(Schema.EXPECTED_MIGRATIONS, versioned.size());
        for (Path file : versioned) {
            String sql = withoutComments(Files.readString(file));
            Matcher d = defines.matcher(sql);
            while (d.find()) {
                problems.add(file.getFileName() + " defines: " + line(sql, d.start()));
            }
            Matcher m = call.matcher(sql);
            while (m.find()) {
                problems.add(file.getFileName() + " calls " + m.group(1) + "(): " + line(sql, m.start()));
            }
        }
        assertEquals(List.of(), problems);
    }

    /** Every trigger and view of the schema is created in exactly one R file. */
    @Test
    void everyTriggerAndViewLivesInOneRepeatableMigration() throws Exception {
        Map<String, List<String>> triggers = new TreeMap<>();
        Map<String, List<String>> views = new TreeMap<>();
        for (Path file : files("R__")) {
            String sql = withoutComments(Files.readString(file));
            Matcher t = TRIGGER.matcher(sql);
            while (t.find()) {
                triggers.computeIfAbsent(t.group(2).toLowerCase() + "." + t.group(1).toLowerCase(), k -> new ArrayList<>())
                        .add(file.getFileName().toString());
            }
            Matcher v = VIEW.matcher(sql);
            while (v.find()) {
                views.computeIfAbsent(v.group(1).toLowerCase(), k -> new ArrayList<>()).add(file.getFileName().toString());
            }
        }
        List<String> problems = new ArrayList<>();
        try (Connection c = db.ownerDataSource().getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("""
                    SELECT c.relname || '.' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                    WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace ORDER BY 1""")) {
                while (rs.next()) {
                    List<String> at = triggers.getOrDefault(rs.getString(1), List.of());
                    if (at.size() != 1) problems.add("trigger " + rs.getString(1) + " is created in " + at);
                }
            }
            try (ResultSet rs = st.executeQuery(
                    "SELECT relname FROM pg_class WHERE relkind IN ('v', 'm') AND relnamespace = 'public'::regnamespace")) {
                while (rs.next()) {
                    List<String> at = views.getOrDefault(rs.getString(1), List.of());
                    if (at.size() != 1) problems.add("view " + rs.getString(1) + " is created in " + at);
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    static List<Path> files(String prefix) throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix) && p.toString().endsWith(".sql")).sorted().toList();
        }
    }

    /** SQL without -- comments (string literals are kept; no migration puts "--" inside one before a name). */
    static String withoutComments(String sql) {
        return sql.replaceAll("--[^\\n]*", "");
    }

    private static String line(String sql, int at) {
        int start = sql.lastIndexOf('\n', at) + 1;
        int end = sql.indexOf('\n', at);
        return sql.substring(start, end < 0 ? sql.length() : end).strip();
    }

    /** The text between the parenthesis opened just before {@code from} and its match. */
    static String argumentList(String sql, int from) {
        int depth = 1;
        int i = from;
        while (depth > 0) {
            char ch = sql.charAt(i++);
            if (ch == '(') depth++;
            else if (ch == ')') depth--;
        }
        return sql.substring(from, i - 1);
    }

    /** The types of the input parameters of an argument list: what identifies a function (OUT ones do not). */
    static List<String> inputTypes(String args) {
        List<String> types = new ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        List<String> params = new ArrayList<>();
        for (char ch : args.toCharArray()) {
            if (ch == '(') depth++;
            if (ch == ')') depth--;
            if (ch == ',' && depth == 0) {
                params.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        if (!cur.toString().isBlank()) params.add(cur.toString());
        for (String p : params) {
            String s = p.strip().replaceAll("(?is)\\s+(DEFAULT\\s|=).*$", "");
            String[] words = s.split("\\s+");
            int i = 0;
            String mode = words[0].toUpperCase();
            if (mode.equals("OUT")) continue;
            if (mode.equals("IN") || mode.equals("INOUT") || mode.equals("VARIADIC")) i++;
            // name type, or a bare type: a name is followed by a type; schedctl writes one-word types
            types.add(words.length - i >= 2 ? String.join(" ", java.util.Arrays.copyOfRange(words, i + 1, words.length))
                    : words[i]);
        }
        return types;
    }
}
