package org.schedctl.domain;

import java.util.regex.Pattern;

/**
 * The guard against CSV formula injection (OWASP "CSV Injection"): a cell that a spreadsheet would read as a
 * formula — it starts with {@code = + - @}, a tab or a carriage return — is written with a leading apostrophe,
 * which spreadsheets take as "text follows" and do not evaluate. Plain numbers such as {@code -5} or
 * {@code +1.5} are no formulas and stay as they are.
 *
 * <p>The guard is reversible, so a file schedctl writes can be read back exactly: a cell that already starts
 * with one or more apostrophes followed by a trigger character is guarded too (it gains one more apostrophe),
 * and {@link #unguard} strips exactly one apostrophe from any cell of the form {@code '+ trigger…}. Every other
 * cell passes through both untouched.
 */
public final class CsvCells {
    private static final Pattern NEEDS_GUARD = Pattern.compile("^'*[=+\\-@\\t\\r].*", Pattern.DOTALL);
    private static final Pattern GUARDED = Pattern.compile("^'+[=+\\-@\\t\\r].*", Pattern.DOTALL);
    private static final Pattern NUMBER = Pattern.compile("^[+-]?[0-9]+(\\.[0-9]+)?$");

    private CsvCells() {
    }

    /** The cell as it is safe to write into a CSV file that a spreadsheet may open. */
    public static String guard(String cell) {
        if (cell == null || cell.isEmpty() || NUMBER.matcher(cell).matches() || !NEEDS_GUARD.matcher(cell).matches()) {
            return cell;
        }
        return "'" + cell;
    }

    /** The value a guarded cell stands for: the inverse of {@link #guard}. */
    public static String unguard(String cell) {
        if (cell == null || !GUARDED.matcher(cell).matches()) {
            return cell;
        }
        return cell.substring(1);
    }
}
