package org.schedctl.test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A real terminal for tests: a private tmux server (its own socket) with one window of a given size, in which
 * commands run as a person would type them. tmux is installed by scripts/ensure-tools when missing.
 */
public final class Tmux implements AutoCloseable {
    private final String socket = "schedctl-test-" + UUID.randomUUID();
    private final int width;
    private final int height;

    public Tmux(int width, int height) {
        this.width = width;
        this.height = height;
        run(List.of("scripts/ensure-tools", "tmux"));
        // An idle session keeps the server alive between commands (it exits with its last session otherwise).
        tmux("new-session", "-d", "-s", "keep", "-x", String.valueOf(width), "-y", String.valueOf(height), "sleep 3600");
    }

    /** The schedctl launcher of this checkout's jar, run with this JVM. */
    public static String schedctl() {
        return Path.of(System.getProperty("java.home"), "bin", "java") + " -jar " + Path.of("target", "schedctl.jar").toAbsolutePath();
    }

    /**
     * Runs {@code command} (a shell line) in a fresh window with {@code env}, waits until it exits, and returns the
     * screen and its scrollback with wrapped lines joined (so a line wider than the window shows as one long line);
     * {@code escapes} keeps colour sequences.
     */
    public String run(String command, Map<String, String> env, boolean escapes, Duration timeout) {
        String session = "s" + UUID.randomUUID().toString().substring(0, 8);
        StringBuilder line = new StringBuilder("env");
        env.forEach((k, v) -> line.append(' ').append(k).append('=').append(quote(v)));
        line.append(" sh -c ").append(quote(command + "; echo; echo __EXIT__$?; sleep 600"));
        tmux("new-session", "-d", "-s", session, "-x", String.valueOf(width), "-y", String.valueOf(height), line.toString());
        Instant deadline = Instant.now().plus(timeout);
        try {
            while (true) {
                List<String> capture = new ArrayList<>(List.of("capture-pane", "-p", "-J", "-S", "-", "-t", session));
                if (escapes) {
                    capture.add(1, "-e");
                }
                String screen = tmux(capture.toArray(String[]::new));
                if (screen.contains("__EXIT__")) {
                    return screen.substring(0, screen.indexOf("__EXIT__"));
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("no exit within " + timeout + " from: " + command + "\n" + screen);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        } finally {
            tmux("kill-session", "-t", session);
        }
    }

    /** Starts {@code command} (words for sh, no control operators) with {@code env} in a new window; returns its session. */
    public String start(String command, Map<String, String> env) {
        String session = "i" + UUID.randomUUID().toString().substring(0, 8);
        StringBuilder line = new StringBuilder("env");
        env.forEach((k, v) -> line.append(' ').append(k).append('=').append(quote(v)));
        // No wrapping shell: Ctrl-C reaches the command alone, and the pane stays (dead) when it exits.
        line.append(' ').append(command);
        tmux("new-session", "-d", "-s", session, "-x", String.valueOf(width), "-y", String.valueOf(height), line.toString());
        tmux("set-option", "-t", session, "remain-on-exit", "on");
        return session;
    }

    /** Whether the session's command has exited. */
    public boolean exited(String session) {
        return tmux("display-message", "-p", "-t", session, "#{pane_dead}").trim().equals("1");
    }

    /** The session's screen and scrollback, wrapped lines joined. */
    public String screen(String session) {
        return tmux("capture-pane", "-p", "-J", "-S", "-", "-t", session);
    }

    /** Waits until the screen matches {@code regex} (found anywhere), and returns the screen. */
    public String waitFor(String session, String regex, Duration timeout) {
        java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(regex);
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            String screen = screen(session);
            if (pattern.matcher(screen).find()) {
                return screen;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no /" + regex + "/ within " + timeout + " on screen:\n" + screen);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Sends keys (tmux send-keys syntax, e.g. "C-c", "Tab", "Enter") to a running session. */
    public void sendKeys(String session, String... keys) {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", session));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
    }

    public String tmux(String... args) {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", socket, "-f", "/dev/null"));
        command.addAll(List.of(args));
        return run(command);
    }

    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = p.waitFor();
            if (code != 0 && !command.contains("kill-session") && !command.contains("kill-server")) {
                throw new AssertionError(String.join(" ", command) + " exited " + code + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    @Override
    public void close() {
        tmux("kill-server");
    }
}
