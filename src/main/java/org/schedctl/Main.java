package org.schedctl;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;

import org.schedctl.cli.AppContext;
import org.schedctl.cli.Backend;
import org.schedctl.cli.CommandFactory;
import org.schedctl.cli.RootCommand;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.Durations;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.PermissionDeniedException;
import org.schedctl.domain.SchedException;
import org.schedctl.domain.Text;
import org.schedctl.domain.UnavailableException;
import org.schedctl.domain.Zones;
import org.schedctl.store.PoolSource;
import org.schedctl.store.SqlErrors;
import picocli.CommandLine;

/** Builds the command line, and maps every failure to one line on stderr and the exit code of CLI.md. */
public final class Main {
    public static final int OK = 0;
    public static final int INTERNAL = 1;
    public static final int USAGE = 2;
    public static final int CONFLICT = 3;
    public static final int NOT_FOUND = 4;
    public static final int UNAVAILABLE = 5;
    public static final int DENIED = 6;

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // The fast path: the version needs no command model, database or logging.
            System.out.println(new RootCommand.Version().getVersion()[0]);
            System.exit(OK);
        }
        System.exit(execute(args, System.getenv(), System.in, System.out, System.err, Clock.systemUTC()));
    }

    /** Runs one invocation in-process; tests call this with their own streams and environment. */
    public static int execute(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err, Clock clock) {
        return execute(args, env, in, out, err, clock, PoolSource.PER_INVOCATION);
    }

    /** As above, with connection pools from {@code pools} (the tests' driver shares one pool across invocations). */
    public static int execute(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err, Clock clock,
                              PoolSource pools) {
        PrintWriter outWriter = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        AppContext context = new AppContext(in, out, outWriter, errWriter, env, clock).ownStderr(err == System.err);
        try (Backend backend = new Backend(context, pools)) {
            CommandLine cl = commandLine(context, backend);
            cl.setOut(outWriter);
            cl.setErr(errWriter);
            return cl.execute(args);
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }

    /** The command line of one process: its commands share {@code backend} (the shell builds one per line). */
    public static CommandLine commandLine(AppContext context, Backend backend) {
        CommandLine cl = new CommandLine(new RootCommand(context), new CommandFactory(backend));
        cl.registerConverter(Duration.class, Durations::parse);
        cl.registerConverter(ZoneId.class, Zones::parse);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // `-o json` in an alias and `-o csv` after it: the last one wins, as in git and kubectl.
        cl.setOverwrittenOptionsAllowed(true);
        // Descriptions the annotations leave out and every command's examples: one bundle for the whole tree.
        cl.setResourceBundle(java.util.ResourceBundle.getBundle("org.schedctl.cli.help"));
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            String help = ex.getCommandLine().getCommandSpec().qualifiedName(" ");
            String hint = suggestion(ex);
            err.println("schedctl: error: " + oneLine(usageMessage(ex)) + (hint.isEmpty() ? "." : hint) + " See '" + help + " --help'");
            if (isVerbose(args)) {
                ex.printStackTrace(err);
            }
            err.flush();
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            boolean verbose = isVerbose(parseResult.originalArgs().toArray(String[]::new));
            SchedException known = SqlErrors.translate(ex);
            if (known == null && ex.getCause() != null) {
                known = SqlErrors.translate(ex.getCause());
            }
            if (known != null) {
                err.println("schedctl: error: " + oneLine(known.getMessage()));
                if (verbose) {
                    ex.printStackTrace(err);
                }
                err.flush();
                return exitCode(known);
            }
            err.println("schedctl: error: internal error (" + oneLine(String.valueOf(ex)) + "). Run again with -v for details, and report it");
            if (verbose) {
                ex.printStackTrace(err);
            }
            err.flush();
            return INTERNAL;
        });
        return cl;
    }

    /**
     * The parse error in the words of CLI.md: a value that does not convert names the option and says why, in the
     * converter's own words (never a Java class name).
     */
    private static String usageMessage(CommandLine.ParameterException ex) {
        Throwable cause = ex.getCause();
        while (cause != null && !(cause instanceof SchedException) && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof SchedException known) {
            CommandLine.Model.ArgSpec arg = ex.getArgSpec();
            String what = arg == null ? "value"
                    : arg.isOption() ? "option '" + ((CommandLine.Model.OptionSpec) arg).longestName() + "'"
                    : "parameter " + arg.paramLabel();
            return "invalid value for " + what + ": " + known.getMessage();
        }
        if (cause instanceof CommandLine.TypeConversionException || ex.getMessage() != null && ex.getMessage().contains("(java.")) {
            // picocli's own conversions append "(java.lang.NumberFormatException: ...)": keep the sentence before it.
            String m = ex.getMessage();
            int paren = m.indexOf(" (");
            return paren > 0 && m.indexOf(':', paren) > 0 ? m.substring(0, paren) : m;
        }
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()
                && !unmatched.getUnmatched().get(0).startsWith("-") && !ex.getCommandLine().getSubcommands().isEmpty()) {
            return "unknown command '" + unmatched.getUnmatched().get(0) + "'";
        }
        return ex.getMessage();
    }

    /** "; did you mean 'user'?" for a mistyped command or option, from picocli's suggestions. */
    private static String suggestion(CommandLine.ParameterException ex) {
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched) {
            java.util.List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty()) {
                return "; did you mean '" + String.join("' or '", suggestions.subList(0, Math.min(3, suggestions.size()))) + "'?";
            }
        }
        return "";
    }

    public static int exitCode(SchedException e) {
        if (e instanceof InvalidInputException) return USAGE;
        if (e instanceof ConflictException) return CONFLICT;
        if (e instanceof NotFoundException) return NOT_FOUND;
        if (e instanceof UnavailableException) return UNAVAILABLE;
        if (e instanceof PermissionDeniedException) return DENIED;
        return INTERNAL;
    }

    private static boolean isVerbose(String[] args) {
        for (String a : args) {
            if ("-v".equals(a)) {
                return true;
            }
            if ("--".equals(a)) {
                break;
            }
        }
        return false;
    }

    /** Error messages are one line whatever the input held: line breaks and control characters are escaped. */
    private static String oneLine(String message) {
        String m = message == null ? "" : message;
        if (m.endsWith(".")) {
            m = m.substring(0, m.length() - 1);
        }
        StringBuilder sb = new StringBuilder();
        for (char c : m.toCharArray()) {
            sb.append(Character.isISOControl(c) ? Text.printable(String.valueOf(c)) : String.valueOf(c));
        }
        return sb.toString();
    }
}
