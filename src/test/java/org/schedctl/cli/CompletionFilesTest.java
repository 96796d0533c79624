package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.schedctl.test.CliDriver;

/** The committed completion scripts are exactly what `schedctl completion SHELL` prints today. */
class CompletionFilesTest {
    @ParameterizedTest
    @ValueSource(strings = {"bash", "zsh", "fish"})
    void committedScriptsAreCurrent(String shell) throws Exception {
        CliDriver.Result result = new CliDriver(Map.of("SCHEDCTL_CONFIG", "/dev/null")).run("completion", shell).ok();
        assertTrue(result.stdout().contains("schedctl"), result.toString());
        String committed = Files.readString(Path.of("completions", "schedctl." + shell), StandardCharsets.UTF_8);
        assertEquals(committed, result.stdout(), "completions/schedctl." + shell + " is stale: run scripts/update-completions");
    }
}
