package org.schedctl.cli;

import java.util.List;

import org.jline.reader.impl.DefaultParser;
import org.schedctl.Main;
import picocli.CommandLine;

/**
 * One line of the shell or of a batch file run as a schedctl command in this process: the words are split with
 * shell quoting (JLine's parser, no backslash escapes, so Windows paths stay whole) and run against the process's
 * {@link Backend}, so every line shares one pool and pays no JVM start.
 */
final class CommandLines {
    private CommandLines() {
    }

    static DefaultParser parser() {
        DefaultParser parser = new DefaultParser();
        parser.setEscapeChars(new char[0]);
        return parser;
    }

    /** The words of {@code line}; empty for a blank line or a # comment. */
    static List<String> words(DefaultParser parser, String line) {
        String trimmed = line.trim();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
            return List.of();
        }
        return parser.parse(line, 0).words().stream().filter(w -> !w.isEmpty()).toList();
    }

    /** Runs one command line; returns its exit code. {@code shell} and {@code batch} do not nest. */
    static int run(AppContext ctx, Backend backend, List<String> words) {
        if (!words.isEmpty() && (words.get(0).equals("shell") || words.get(0).equals("batch"))) {
            ctx.err().println("schedctl: error: '" + words.get(0) + "' cannot run inside the shell or a batch. Run it on its own");
            return Main.USAGE;
        }
        // A fresh command model per line, sharing this context (and so its database pool).
        CommandLine cl = Main.commandLine(ctx, backend);
        cl.setOut(ctx.out());
        cl.setErr(ctx.err());
        int code = cl.execute(words.toArray(String[]::new));
        ctx.out().flush();
        return code;
    }
}
