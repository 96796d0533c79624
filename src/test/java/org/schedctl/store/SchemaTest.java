package org.schedctl.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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
}
