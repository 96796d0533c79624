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
import org.jline.reader.ParsedLine;
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
                    .completer(new SchoolCompleter(model.getCommandSpec(), ctx, backend));
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
                    last = interactive ? runCancellable(terminal, ctx, words) : CommandLines.run(ctx, backend, words);
                }
            }
            return last;
        }
    }

    /**
     * Runs one line on a worker thread while Ctrl-C (SIGINT) cancels it, as psql does: the running SQL statement is
     * cancelled (pg_cancel_backend) and the thread interrupted; the shell returns to the prompt and stays.
     */
    private int runCancellable(Terminal terminal, AppContext ctx, List<String> words) {
        java.util.concurrent.FutureTask<Integer> task = new java.util.concurrent.FutureTask<>(() -> CommandLines.run(ctx, backend, words));
        Thread worker = new Thread(task, "schedctl-command");
        worker.setDaemon(true);
        java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> {
            cancelled.set(true);
            backend.cancelRunningStatements();
            worker.interrupt();
        });
        worker.start();
        try {
            int waitedAfterCancel = 0;
            while (true) {
                try {
                    return task.get(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    // A command with no statement to cancel and deaf to interrupts is left behind after 2 s.
                    if (cancelled.get() && ++waitedAfterCancel > 20) {
                        return 130;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 130;
                } catch (java.util.concurrent.ExecutionException e) {
                    ctx.err().println("schedctl: error: internal error. Run again with -v for details, and report it");
                    return 1;
                }
            }
        } finally {
            terminal.handle(Terminal.Signal.INT, previous);
            if (cancelled.get()) {
                ctx.err().println("schedctl: cancelled; back at the prompt");
                ctx.err().flush();
            }
        }
    }

    /**
     * Tab in the shell: option names from the command model (picocli's completer) when the word starts with "-";
     * otherwise subcommands and values from the school ({@link Completions}), and nothing rather than an option, so a
     * Tab after an argument never inserts {@code --as}.
     */
    static final class SchoolCompleter implements org.jline.reader.Completer {
        private final picocli.CommandLine.Model.CommandSpec root;
        private final PicocliJLineCompleter options;
        private final AppContext ctx;
        private final Backend backend;

        SchoolCompleter(picocli.CommandLine.Model.CommandSpec root, AppContext ctx, Backend backend) {
            this.root = root;
            this.options = new PicocliJLineCompleter(root);
            this.ctx = ctx;
            this.backend = backend;
        }

        @Override
        public void complete(LineReader reader, ParsedLine line, List<org.jline.reader.Candidate> candidates) {
            String word = line.word().substring(0, Math.min(line.wordCursor(), line.word().length()));
            if (word.startsWith("-")) {
                options.complete(reader, line, candidates);
                return;
            }
            List<String> words = new java.util.ArrayList<>(line.words().subList(0, line.wordIndex()));
            words.add(word);
            try {
                Completions.Slot slot = Completions.slot(root, words);
                var db = slot.kind() == Completions.Kind.NONE || slot.kind() == Completions.Kind.ZONES
                        || slot.kind() == Completions.Kind.DATES ? null : backend.completionDatabase();
                for (String c : Completions.candidates(slot, word, db, ctx.displayZone(null), ctx.clock())) {
                    candidates.add(new org.jline.reader.Candidate(c));
                }
            } catch (RuntimeException e) {
                // Nothing offered.
            }
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
