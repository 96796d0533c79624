package org.schedctl.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import org.junit.jupiter.api.Test;

class SchemaTest {
    @Test
    void expectedVersionIsTheNewestMigration() throws IOException {
        Pattern name = Pattern.compile("V(\\d+)__.+\\.sql");
        int[] versions;
        try (Stream<Path> files = Files.list(Path.of("db", "migration"))) {
            versions = files.map(p -> name.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches)
                    .mapToInt(m -> Integer.parseInt(m.group(1)))
                    .toArray();
        }
        assertEquals(java.util.Arrays.stream(versions).max().orElseThrow(), Schema.EXPECTED_VERSION,
                "bump Schema.EXPECTED_VERSION when adding a migration");
        assertEquals(versions.length, Schema.EXPECTED_MIGRATIONS, "set Schema.EXPECTED_MIGRATIONS to the number of migrations");
    }

    @Test
    void repeatableMigrationsAreListed() throws IOException {
        List<String> files;
        try (Stream<Path> s = Files.list(Path.of("db", "migration"))) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("R__")).sorted().toList();
        }
        assertEquals(files, Schema.REPEATABLE_MIGRATIONS, "list every db/migration/R__*.sql in Schema.REPEATABLE_MIGRATIONS, in order");
        assertEquals(files, List.copyOf(new TreeSet<>(Schema.expectedRepeatableChecksums().keySet())),
                "the build ships every repeatable migration");
    }

    @Test
    void checksumIsFlywaysCrcOverLinesWithoutLineBreaks() throws IOException {
        CRC32 crc = new CRC32();
        crc.update("SELECT 1;".getBytes(StandardCharsets.UTF_8));
        crc.update("-- é".getBytes(StandardCharsets.UTF_8));
        int expected = (int) crc.getValue();
        assertEquals(expected, Schema.checksum(new StringReader("\uFEFFSELECT 1;\r\n-- é\n")));
        assertEquals(expected, Schema.checksum(new StringReader("SELECT 1;\n-- é")));
        // As in Flyway, an empty line adds no bytes; any changed character changes the checksum.
        assertEquals(expected, Schema.checksum(new StringReader("SELECT 1;\n\n-- é\n")));
        assertNotEquals(expected, Schema.checksum(new StringReader("SELECT 2;\n-- é")));
    }
}
