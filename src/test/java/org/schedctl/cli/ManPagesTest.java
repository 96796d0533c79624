package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * The committed man pages (man/*.adoc, one per command, from picocli-codegen's ManPageGenerator; man/man1/*.1 made
 * from them by asciidoctor) are what the command model gives today. Run scripts/update-man after changing a command.
 * With -Dman.update=true this test writes the AsciiDoc pages instead of comparing them.
 */
class ManPagesTest {
    static final Path DIR = Path.of("man");

    /** Page name (schedctl-user-add) to its AsciiDoc source, for every visible command. */
    static Map<String, String> pages() {
        Map<String, String> pages = new TreeMap<>();
        walk(HelpModelTest.model().getCommandSpec(), pages);
        return pages;
    }

    private static void walk(CommandSpec spec, Map<String, String> pages) {
        if (spec.usageMessage().hidden()) {
            return;
        }
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            ManPageGenerator.writeSingleManPage(out, spec);
        }
        pages.put(spec.qualifiedName("-"), text.toString());
        for (CommandLine sub : new java.util.LinkedHashSet<>(spec.subcommands().values())) {
            walk(sub.getCommandSpec(), pages);
        }
    }

    @Test
    void committedManPagesAreCurrent() throws Exception {
        Map<String, String> pages = pages();
        if (Boolean.getBoolean("man.update")) {
            Files.createDirectories(DIR);
            try (Stream<Path> old = Files.list(DIR)) {
                for (Path p : old.filter(p -> p.toString().endsWith(".adoc")).toList()) {
                    Files.delete(p);
                }
            }
            for (Map.Entry<String, String> page : pages.entrySet()) {
                Files.writeString(DIR.resolve(page.getKey() + ".adoc"), page.getValue(), StandardCharsets.UTF_8);
            }
            return;
        }
        List<String> committed = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".adoc"))
                    .map(n -> n.substring(0, n.length() - ".adoc".length())).sorted().forEach(committed::add);
        }
        assertEquals(new ArrayList<>(pages.keySet()), committed, "man/ is stale: run scripts/update-man");
        for (Map.Entry<String, String> page : pages.entrySet()) {
            assertEquals(page.getValue(), Files.readString(DIR.resolve(page.getKey() + ".adoc"), StandardCharsets.UTF_8),
                    "man/" + page.getKey() + ".adoc is stale: run scripts/update-man");
            assertEquals(true, Files.isRegularFile(DIR.resolve("man1").resolve(page.getKey() + ".1")),
                    "man/man1/" + page.getKey() + ".1 is missing: run scripts/update-man");
        }
    }
}
