package org.schedctl.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import org.jline.reader.impl.DefaultParser;
import org.schedctl.domain.InvalidInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs a file of schedctl commands, one per line, in this process and over one connection pool: a script of a
 * thousand bookings pays one JVM start, not a thousand.
 */
@Command(name = "batch", description = {"Run schedctl commands from a file or stdin, one per line (shell quoting, # comments), "
        + "in one process over one connection pool.",
        "A failing line is reported on stderr as FILE:LINE: exit N; the batch goes on (or stops with --stop-on-error) "
                + "and exits with the last failing line's code, 0 when all succeeded."})
public final class BatchCommand extends BaseCommand {
    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "The commands, one per line; - (the default) reads stdin")
    String file = "-";

    @Option(names = "--stop-on-error", description = "Stop at the first failing line (default: run every line)")
    boolean stopOnError;

    @Override
    protected int execute(AppContext ctx) throws IOException {
        String name = "-".equals(file) ? "stdin" : file;
        DefaultParser parser = CommandLines.parser();
        int last = 0;
        int failed = 0;
        int run = 0;
        try (BufferedReader lines = new BufferedReader(open(ctx))) {
            String line;
            long number = 0;
            while ((line = lines.readLine()) != null) {
                number++;
                List<String> words;
                try {
                    words = CommandLines.words(parser, line);
                } catch (RuntimeException unbalanced) {
                    ctx.err().println("schedctl: " + name + ":" + number + ": unbalanced quotes. Close the quote on this line");
                    words = null;
                }
                if (words != null && words.isEmpty()) {
                    continue;
                }
                run++;
                int code = words == null ? org.schedctl.Main.USAGE : CommandLines.run(ctx, backend, words);
                if (code != 0) {
                    failed++;
                    last = code;
                    ctx.err().println("schedctl: " + name + ":" + number + ": exit " + code);
                    ctx.err().flush();
                    if (stopOnError) {
                        break;
                    }
                }
            }
        }
        if (failed > 0) {
            ctx.err().println("schedctl: batch: " + failed + " of " + run + " command" + (run == 1 ? "" : "s") + " failed");
        }
        return last;
    }

    private Reader open(AppContext ctx) throws IOException {
        if ("-".equals(file)) {
            return new InputStreamReader(ctx.in(), StandardCharsets.UTF_8);
        }
        try {
            return Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("file " + file + " not found. Check the path");
        }
    }
}
