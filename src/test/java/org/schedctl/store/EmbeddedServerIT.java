package org.schedctl.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.schedctl.test.CliDriver;

/** The embedded default: created on first use, reused by later commands, shared by concurrent ones, stoppable. */
class EmbeddedServerIT {
    private static Path home;

    @BeforeAll
    static void makeHome() throws Exception {
        home = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "embedded-home-");
    }

    @AfterAll
    static void stop() {
        new EmbeddedServer(home).stop();
    }

    private static CliDriver cli() {
        Map<String, String> env = new HashMap<>();
        env.put("SCHEDCTL_HOME", home.toString());
        env.put("SCHEDCTL_CONFIG", "/dev/null");
        env.put("TZ", "UTC");
        return new CliDriver(env);
    }

    private static long postmasterPid() throws Exception {
        return Long.parseLong(Files.readAllLines(home.resolve("data/postmaster.pid")).get(0).trim());
    }

    @Test
    void firstUseCreatesMigratesAndKeepsDataAndLaterCommandsReuseTheServer() throws Exception {
        // Two commands at the same moment on a fresh home share one server.
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Callable<CliDriver.Result>> both = List.of(
                () -> cli().run("-q", "user", "list"), () -> cli().run("-q", "user", "list"));
        for (Future<CliDriver.Result> f : pool.invokeAll(both)) {
            f.get().ok();
        }
        pool.shutdown();
        long pid = postmasterPid();

        cli().run("user", "add", "--name", "Ada", "--email", "ada@example.org", "--role", "instructor").ok();
        assertTrue(cli().run("-o", "json", "user", "list").ok().stdout().contains("ada@example.org"));
        assertEquals(pid, postmasterPid(), "no new server for later commands");

        int port = new EmbeddedServer(home).runningPort().orElseThrow();
        assertNotEquals(5432, port);
        String url = cli().run("db", "url").ok().stdout().trim();
        assertEquals("jdbc:postgresql://127.0.0.1:" + port + "/schedctl", url);

        // Stop, then the next command starts it again and the data is still there.
        assertTrue(cli().run("-o", "json", "db", "stop").ok().stdout().contains("stopped"));
        assertFalse(new EmbeddedServer(home).runningPort().isPresent());
        assertTrue(cli().run("-o", "json", "user", "list").ok().stdout().contains("ada@example.org"));
        Set<Long> pids = new HashSet<>(List.of(pid, postmasterPid()));
        assertEquals(2, pids.size(), "a restart is a new postmaster");
        // Issue 11: the server came back on another port, and a running daemon kept the old URL.
        assertEquals(port, new EmbeddedServer(home).runningPort().orElseThrow(), "one port per SCHEDCTL_HOME across restarts");
        for (int i = 0; i < 3; i++) {
            cli().run("db", "stop").ok();
            cli().run("-q", "user", "list").ok();
            assertEquals(port, new EmbeddedServer(home).runningPort().orElseThrow(), "restart " + i);
        }

        // Another program on that port: a clear error, and the port is not silently changed.
        cli().run("db", "stop").ok();
        try (java.net.ServerSocket squatter = new java.net.ServerSocket()) {
            squatter.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            CliDriver.Result taken = cli().run("user", "list").expect(5);
            assertTrue(taken.stderr().contains("port " + port) && taken.stderr().contains("postgresql.conf"), taken.stderr());
            assertEquals(1, taken.stderr().lines().count(), taken.stderr());
        }
        cli().run("-q", "user", "list").ok();
        assertEquals(port, new EmbeddedServer(home).runningPort().orElseThrow());
    }
}
