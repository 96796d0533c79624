package org.schedctl.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver;
import org.schedctl.test.CliDriver.Result;
import org.schedctl.test.TestDatabase;

/**
 * Hostile values through the real entry points: stored and printed literally, unable to forge lines in table or
 * CSV output, refused with a clear limit when too long, and secrets kept out of everything printed.
 */
class HostileInputIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final String SQL_NAME = "Robert'); DROP TABLE users;-- \"%_\\ \uD83C\uDFB9 \u00fc $$ ${x}";
    private static final String CRLF_TEXT = "zoom'; DELETE FROM users; --\r\nX-Injected: yes\n,\"quoted\",\tend";

    private long count(String table) {
        return db.database().inTransaction(h -> h.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one());
    }

    @Test
    void metacharactersAreStoredAndPrintedLiterally() throws Exception {
        CliDriver cli = db.cli();
        JsonNode user = cli.run("-o", "json", "user", "add", "--name", SQL_NAME, "--email", "o'brien+x@example.org",
                "--role", "instructor").ok().json();
        assertEquals(SQL_NAME, user.get("name").asText());
        assertEquals(SQL_NAME, cli.run("-o", "json", "user", "show", "O'BRIEN+x@example.org").ok().json().get("name").asText());
        assertTrue(cli.run("user", "list").ok().stdout().contains(SQL_NAME));
        List<CSVRecord> csv = CSVFormat.RFC4180.builder().setHeader().build()
                .parse(new StringReader(cli.run("-o", "csv", "user", "show", "o'brien+x@example.org").ok().stdout())).getRecords();
        assertEquals(1, csv.size());
        assertEquals(SQL_NAME, csv.get(0).get("name"));

        String typeName = "Lesson'; DELETE FROM appointment_types; --";
        JsonNode type = cli.run("-o", "json", "type", "add", "--instructor", "o'brien+x@example.org", "--name", typeName,
                "--duration", "1h", "--description", "line one\nline \"two\"\t'three'").ok().json();
        assertEquals(typeName, type.get("name").asText());
        assertEquals("lesson-delete-from-appointment-types", type.get("slug").asText());
        assertEquals("line one\nline \"two\"\t'three'", type.get("description").asText());
        assertTrue(count("users") >= 2 && count("appointment_types") == 1, "nothing dropped or deleted");
    }

    @Test
    void lineBreaksCannotForgeLinesInTablesOrRecordsInCsv() throws Exception {
        CliDriver cli = db.cli();
        cli.run("user", "add", "--name", "Crlf Teacher", "--email", "crlf@example.org", "--role", "instructor").ok();
        JsonNode settings = cli.run("-o", "json", "instructor", "settings", "crlf@example.org", "--meeting-platform", "zoom",
                "--bio", CRLF_TEXT + "\u202e evil").ok().json();
        assertEquals(CRLF_TEXT + "\u202e evil", settings.get("bio").asText(), "JSON keeps the value exactly");

        Result table = cli.run("instructor", "show", "crlf@example.org").ok();
        for (String line : table.stdout().split("\n", -1)) {
            assertFalse(line.startsWith("X-Injected"), "forged line in: " + table);
            assertFalse(line.contains("\r") || line.contains("\u202e"), "raw CR or direction override in: " + table);
        }
        assertTrue(table.stdout().contains("zoom'; DELETE FROM users; --\\r\\nX-Injected: yes\\n,\"quoted\",\\tend\\u202e evil"), table.stdout());

        Result list = cli.run("instructor", "list").ok();
        assertEquals(2, list.stdout().strip().split("\n").length, "header and one row: " + list.stdout());

        List<CSVRecord> csv = CSVFormat.RFC4180.builder().setHeader().build()
                .parse(new StringReader(cli.run("-o", "csv", "instructor", "list").ok().stdout())).getRecords();
        assertEquals(1, csv.size(), "one record however many line breaks the bio holds");
        assertEquals(CRLF_TEXT + "\u202e evil", csv.get(0).get("bio"));
    }

    @Test
    void controlCharactersAndOverLongFieldsAreRefusedWithTheLimitAndWriteNothing() {
        CliDriver cli = db.cli();
        cli.run("user", "add", "--name", "Limit Teacher", "--email", "limit@example.org", "--role", "instructor").ok();
        long users = count("users");
        long audits = count("audit_log");
        assertError(cli.run("user", "add", "--name", "x".repeat(201), "--email", "long@example.org"), 2, "the limit is 200");
        assertError(cli.run("user", "add", "--name", "Long", "--email", "a".repeat(250) + "@example.org"), 2, "the limit is 254");
        assertError(cli.run("user", "add", "--name", "Bell\u0007", "--email", "bell@example.org"), 2, "control characters");
        assertError(cli.run("user", "add", "--name", "Esc \u001b[31mred", "--email", "esc@example.org"), 2, "control characters");
        assertError(cli.run("user", "show", "x".repeat(10_000)), 2, "the limit is 254");
        Result hugeActor = cli.run("--as", "x".repeat(10_000) + "\r\nforged", "user", "list");
        assertError(hugeActor, 4, "acting user");
        assertTrue(hugeActor.stderr().length() < 300, "the echo of a hostile value is bounded: " + hugeActor.stderr().length());
        assertError(cli.run("type", "add", "--instructor", "limit@example.org", "--name", "T", "--duration", "1h",
                "--slug", "s".repeat(64)), 2, "the limit is 63");
        assertError(cli.run("type", "add", "--instructor", "limit@example.org", "--name", "T", "--duration", "1h",
                "--description", "d".repeat(4001)), 2, "the limit is 4000");
        assertError(cli.run("type", "add", "--instructor", "limit@example.org", "--name", "T", "--duration", "1h",
                "--location", "l".repeat(501)), 2, "the limit is 500");
        assertError(cli.run("type", "add", "--instructor", "limit@example.org", "--name", "T\nU", "--duration", "1h"), 2, "control characters");
        assertError(cli.run("instructor", "settings", "limit@example.org", "--meeting-platform", "m".repeat(101)), 2, "the limit is 100");
        assertError(cli.run("instructor", "settings", "limit@example.org", "--bio", "b".repeat(4001)), 2, "the limit is 4000");
        assertError(cli.run("instructor", "settings", "limit@example.org", "--bio", "nul\u0000byte"), 2, "control characters");
        assertError(cli.run("instructor", "settings", "limit@example.org", "--cancel-policy", "c".repeat(201)), 2, "the limit is 200");
        assertEquals(users, count("users"));
        assertEquals(audits, count("audit_log"), "refused input is never half-written");
    }

    @Test
    void secretsAreNeverPrintedNorTakenFromTheCommandLine() {
        Map<String, String> env = new HashMap<>(Map.of("SCHEDCTL_CONFIG", "/dev/null", "HOME", System.getProperty("java.io.tmpdir"),
                "SCHEDCTL_DB_URL", "postgresql://owner:s3cretpw@127.0.0.1:1/school"));
        CliDriver cli = new CliDriver(env);
        Result url = cli.run("db", "url").ok();
        assertFalse(url.stdout().contains("s3cretpw") || url.stderr().contains("s3cretpw"), url.toString());
        for (Result r : List.of(cli.run("user", "list"), cli.run("-v", "user", "list"), cli.run("db", "migrate"), cli.run("-v", "db", "status"))) {
            assertEquals(5, r.exitCode(), r.toString());
            assertFalse(r.stdout().contains("s3cretpw") || r.stderr().contains("s3cretpw"), r.toString());
        }
        Result flag = new CliDriver(Map.of("SCHEDCTL_CONFIG", "/dev/null")).run("--db", "postgresql://u:s3cretpw@127.0.0.1:1/x", "user", "list");
        assertError(flag, 2, "--db carries a password");
        assertFalse(flag.stderr().contains("s3cretpw"));
        assertError(db.cli().run("user", "list", "--db-password", "s3cretpw"), 2, "Unknown option");
    }

    static void assertError(Result result, int code, String fragment) {
        assertEquals(code, result.exitCode(), result.toString());
        assertTrue(result.stderr().startsWith("schedctl: error: "), result.toString());
        assertTrue(result.stderr().contains(fragment), "expected '" + fragment + "' in " + result);
        assertEquals(1, result.stderr().strip().lines().count(), "one line: " + result);
        assertEquals("", result.stdout(), "nothing on stdout: " + result);
    }
}
