package org.schedctl.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.terminal.impl.DumbTerminal;
import org.schedctl.Main;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.shell.jline3.PicocliJLineCompleter;

/**
 * An interactive shell: each line is a schedctl command, with completion from the command model and a
 * history kept under $SCHEDCTL_HOME. The database connection stays open between commands.
 */
@Command(name = "shell", description = "Interactive shell with completion and history (exit with 'exit' or Ctrl-D).")
public final class ShellCommand extends BaseCommand {

    @Override
    protected int execute(AppContext ctx) throws IOException {
        CommandLine model = Main.commandLine(ctx, backend);
        boolean interactive = System.console() != null && ctx.in() == System.in;
        // Piped input (scripts, tests) gets a dumb terminal that echoes nothing; a console gets the real one.
        try (Terminal terminal = interactive
                ? TerminalBuilder.builder().name("schedctl").system(true).build()
                : new DumbTerminal(ctx.in(), OutputStream.nullOutputStream())) {
            DefaultParser parser = CommandLines.parser();
            LineReaderBuilder readerBuilder = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .appName("schedctl")
                    .parser(parser)
                    .completer(new PicocliJLineCompleter(model.getCommandSpec()));
            if (interactive) {
                Path history = privateHistoryFile(backend.config().dataHome());
                if (history != null) {
                    readerBuilder.variable(LineReader.HISTORY_FILE, history);
                }
            }
            LineReader reader = readerBuilder.build();
            int last = 0;
            while (true) {
                String line;
                try {
                    line = reader.readLine(interactive ? "schedctl> " : "");
                } catch (UserInterruptException e) {
                    continue;
                } catch (EndOfFileException e) {
                    break;
                }
                String trimmed = line.trim();
                if (trimmed.equals("exit") || trimmed.equals("quit")) {
                    break;
                }
                List<String> words = CommandLines.words(parser, line);
                if (!words.isEmpty()) {
                    last = CommandLines.run(ctx, backend, words);
                }
            }
            return last;
        }
    }

    /**
     * The history file under {@code home}, created 0600 before the line reader first appends to it (notes, emails
     * and reasons are typed into the shell, so the history is as private as bash's and psql's); an existing file
     * with wider permissions is tightened. Null when the file cannot be made private: then the shell keeps no
     * history rather than a readable one.
     */
    static Path privateHistoryFile(Path home) {
        Path history = home.resolve("history");
        Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rw-------");
        try {
            Files.createDirectories(home);
            if (Files.isSymbolicLink(history)) {
                return null;
            }
            try {
                Files.createFile(history, PosixFilePermissions.asFileAttribute(owner));
            } catch (FileAlreadyExistsException e) {
                // kept, and tightened below
            }
            // createFile's mode is masked by the umask, and an old file may be 0644: set it explicitly either way.
            Files.setPosixFilePermissions(history, owner);
            return history;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }
}
