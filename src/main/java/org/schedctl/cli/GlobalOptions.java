package org.schedctl.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The global options of CLI.md, accepted before or after any subcommand. */
public final class GlobalOptions {
    @Option(names = "--db", paramLabel = "URL", scope = ScopeType.INHERIT,
            description = "PostgreSQL JDBC URL (default: SCHEDCTL_DB_URL, db.url, else the embedded server)")
    String db;

    @Option(names = "--as", paramLabel = "USER", scope = ScopeType.INHERIT,
            description = "Acting user, by email or id (env SCHEDCTL_USER; default: the built-in administrator)")
    String as;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", scope = ScopeType.INHERIT,
            description = "Output format: ${COMPLETION-CANDIDATES} (default: table; wide: every column). Given twice, the last wins")
    OutputFormat output = OutputFormat.table;

    @Option(names = "--columns", paramLabel = "COLS", split = ",", scope = ScopeType.INHERIT,
            description = "Table columns to show, in order, e.g. --columns reference,status,start (see -o csv for all names)")
    java.util.List<String> columns;

    /** Root-level --tz (before the subcommand); each command also takes --tz itself, see {@link BaseCommand}. */
    @Option(names = "--tz", paramLabel = "ZONE", description = "IANA zone used to show and read times")
    String tz;

    @Option(names = "-q", scope = ScopeType.INHERIT, description = "Quieter: no progress or notes on stderr")
    boolean quiet;

    @Option(names = "-v", scope = ScopeType.INHERIT, description = "More detail; stack traces on errors")
    boolean verbose;

    @Option(names = "--no-color", scope = ScopeType.INHERIT, description = "No colours (also NO_COLOR)")
    boolean noColor;

    @Option(names = "--yes", scope = ScopeType.INHERIT, description = "Answer yes to confirmations")
    boolean yes;

    public String db() {
        return db;
    }

    /** The format, with {@code wide} read as the table it is. */
    public OutputFormat output() {
        return output == OutputFormat.wide ? OutputFormat.table : output;
    }

    public boolean noColor() {
        return noColor;
    }

    public boolean quiet() {
        return quiet;
    }

    public boolean verbose() {
        return verbose;
    }

    public boolean yes() {
        return yes;
    }

    public String tz() {
        return tz;
    }
}
