package org.schedctl.domain.availability;

/** One problem in an imported file; {@code line} is 1-based, or 0 when it concerns the whole file. */
public record CsvError(String file, long line, String message) {

    /** {@code FILE:LINE: message}, or {@code FILE: message} for a whole-file problem. */
    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ": " + message : file + ": " + message;
    }
}
