package org.schedctl.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Facts about the process's own terminal, read cheaply: whether a standard stream is a terminal (Linux's
 * /proc/self/fd link, else {@code System.console()}), its width (COLUMNS, else JLine's size of the terminal), and
 * whether colour is wanted (never with NO_COLOR or --no-color, never into a pipe or file).
 */
public final class Tty {
    public static final int STDOUT = 1;
    public static final int STDERR = 2;

    private Tty() {
    }

    /** Whether file descriptor {@code fd} of this process (1 stdout, 2 stderr) is a terminal. */
    public static boolean isTerminal(int fd) {
        Path link = Path.of("/proc/self/fd/" + fd);
        try {
            String target = Files.readSymbolicLink(link).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (Exception e) {
            // No /proc (not Linux): Java 17's console exists only when stdin and stdout are both terminals.
            return System.console() != null;
        }
    }

    /** The terminal's width in columns: COLUMNS when set, else JLine's reading of the terminal, else 80. */
    public static int width(Map<String, String> env) {
        String columns = env.get("COLUMNS");
        if (columns != null) {
            try {
                int n = Integer.parseInt(columns.trim());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // ignored: measured below
            }
        }
        try (org.jline.terminal.Terminal terminal = org.jline.terminal.TerminalBuilder.builder()
                .system(true).nativeSignals(false).signalHandler(org.jline.terminal.Terminal.SignalHandler.SIG_IGN)
                .dumb(true).build()) {
            int w = terminal.getWidth();
            return w > 0 ? w : 80;
        } catch (Exception e) {
            return 80;
        }
    }

    /** Whether colour may be written to a terminal: not with NO_COLOR (any value) and not with --no-color. */
    public static boolean colorAllowed(Map<String, String> env, boolean noColorFlag) {
        String noColor = env.get("NO_COLOR");
        return !noColorFlag && (noColor == null || noColor.isEmpty()) && !"dumb".equals(env.get("TERM"));
    }
}
