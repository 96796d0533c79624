package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.schedctl.test.TestDatabase;
import org.schedctl.test.Tmux;

/**
 * Issue 14, tried as a person at a terminal (tmux): Tab completes an instructor's email and a booking reference in
 * `schedctl shell` and in bash (through the committed completion script and `schedctl __complete`); the first Tab
 * after an argument inserts no option; Ctrl-C during a running command cancels it and the shell stays.
 */
class InteractiveCompletionIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();
    @TempDir
    static Path bin;
    static Tmux tmux;
    static String reference;
    static final Duration SLOW = Duration.ofSeconds(60);

    @BeforeAll
    static void school() throws Exception {
        tmux = new Tmux(120, 30);
        BookingFixture f = new BookingFixture(db, "tabby");
        String student = f.student("kit");
        String type = f.type("lesson", "--duration", "30m");
        JsonNode booked = f.cli().run("-o", "json", "book", "--instructor", f.instructor, "--type", type, "--student", student,
                "--at", "2027-06-03T10:00").ok().json();
        reference = booked.get("reference").asText();
        Path launcher = bin.resolve("schedctl");
        Files.writeString(launcher, "#!/bin/sh\nexec " + Tmux.schedctl() + " \"$@\"\n");
        launcher.toFile().setExecutable(true);
    }

    @AfterAll
    static void stop() {
        if (tmux != null) {
            tmux.close();
        }
    }

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>(db.env());
        env.put("TERM", "xterm-256color");
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        return env;
    }

    @Test
    void shellCompletesEmailsAndReferencesAndCtrlCCancelsAndStays() throws Exception {
        String s = tmux.start("schedctl shell", env());
        tmux.waitFor(s, "schedctl> ", SLOW);
        tmux.sendKeys(s, "-l", "book --instructor tabby-t");
        tmux.sendKeys(s, "Tab");
        tmux.waitFor(s, "book --instructor tabby-teacher@example\\.org", SLOW);
        tmux.sendKeys(s, "C-u");
        tmux.sendKeys(s, "-l", "confirm " + reference.substring(0, 3));
        tmux.sendKeys(s, "Tab");
        tmux.waitFor(s, "confirm " + Pattern.quote(reference), SLOW);
        tmux.sendKeys(s, "C-u");
        // After an argument, Tab offers no option: the line stays as typed.
        tmux.sendKeys(s, "-l", "appointments show " + reference + " ");
        tmux.sendKeys(s, "Tab");
        Thread.sleep(1000); // the absence of a change can only be observed after a while
        assertFalse(tmux.screen(s).contains(reference + " --as"), tmux.screen(s));
        tmux.sendKeys(s, "C-u");

        // Ctrl-C: a command waiting on a lock is cancelled, the shell stays and runs the next one.
        tmux.sendKeys(s, "-l", "user list --role student");
        tmux.sendKeys(s, "Enter");
        tmux.waitFor(s, "kit", SLOW);
        try (Connection owner = db.ownerDataSource().getConnection(); Statement st = owner.createStatement()) {
            owner.setAutoCommit(false);
            st.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
            tmux.sendKeys(s, "-l", "user show tabby-kit@example.org");
            tmux.sendKeys(s, "Enter");
            waitForBlockedStatement();
            tmux.sendKeys(s, "C-c");
            tmux.waitFor(s, "cancelled", SLOW);
            owner.rollback();
        }
        tmux.sendKeys(s, "-l", "type list");
        tmux.sendKeys(s, "Enter");
        String screen = tmux.waitFor(s, "tabby-lesson", SLOW);
        assertFalse(tmux.exited(s), "the shell is still running:\n" + screen);
        tmux.sendKeys(s, "-l", "exit");
        tmux.sendKeys(s, "Enter");
    }

    @Test
    void bashCompletesEmailsAndReferences() throws Exception {
        Path rc = bin.resolve("bashrc");
        Files.writeString(rc, "PS1='$ '\nsource " + Path.of("completions", "schedctl.bash").toAbsolutePath() + "\n");
        String s = tmux.start("bash --noprofile --rcfile " + rc + " -i", env());
        tmux.waitFor(s, "(?m)^\\$", SLOW);
        tmux.sendKeys(s, "-l", "schedctl book --instructor tabby-t");
        tmux.sendKeys(s, "Tab");
        tmux.waitFor(s, "--instructor tabby-teacher@example\\.org", SLOW);
        tmux.sendKeys(s, "C-u");
        tmux.sendKeys(s, "-l", "schedctl cancel " + reference.substring(0, 3));
        tmux.sendKeys(s, "Tab");
        String screen = tmux.waitFor(s, "cancel " + Pattern.quote(reference), SLOW);
        assertTrue(screen.contains(reference), screen);
        tmux.sendKeys(s, "C-u");
        tmux.sendKeys(s, "-l", "exit");
        tmux.sendKeys(s, "Enter");
    }

    /** Until the shell's statement waits on the test's lock (seen in pg_stat_activity). */
    private static void waitForBlockedStatement() throws Exception {
        long deadline = System.nanoTime() + SLOW.toNanos();
        try (Connection c = db.ownerDataSource().getConnection(); Statement st = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (var rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'schedctl %'"
                        + " AND wait_event_type = 'Lock'")) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the shell's statement never waited on the lock");
    }
}
