package org.schedctl.calendar;

import java.nio.charset.StandardCharsets;

/**
 * RFC 5545 section 3.1 line folding: content lines longer than 75 octets are split with CRLF and one space.
 * Counted in UTF-8 octets, never splitting a character, which ical4j's own folding (it counts chars) does not
 * guarantee for non-ASCII text.
 */
public final class IcsFolding {
    static final int MAX_OCTETS = 75;

    private IcsFolding() {
    }

    /** Folds every line of CRLF-separated unfolded content; the result ends with CRLF. */
    public static String fold(String unfolded) {
        StringBuilder out = new StringBuilder(unfolded.length() + unfolded.length() / 40);
        for (String line : unfolded.split("\r\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            foldLine(line, out);
        }
        return out.toString();
    }

    private static void foldLine(String line, StringBuilder out) {
        int octets = 0;
        int limit = MAX_OCTETS;
        for (int i = 0; i < line.length(); ) {
            int cp = line.codePointAt(i);
            int width = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (octets + width > limit) {
                out.append("\r\n ");
                octets = 0;
                limit = MAX_OCTETS - 1; // the leading space of a continuation line counts
            }
            out.appendCodePoint(cp);
            octets += width;
            i += Character.charCount(cp);
        }
        out.append("\r\n");
    }
}
