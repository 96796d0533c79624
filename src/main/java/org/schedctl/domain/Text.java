package org.schedctl.domain;

import java.util.Locale;
import java.util.regex.Pattern;

/** Validation of free text and identifiers that arrive from the command line, CSV or ICS. */
public final class Text {
    private static final Pattern EMAIL = Pattern.compile("^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$");
    private static final Pattern SLUG = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");
    private static final Pattern PHONE = Pattern.compile("^\\+?[0-9][0-9 ().-]{2,31}$");
    private static final Pattern LOCALE = Pattern.compile("^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    private Text() {
    }

    public static String email(String text) {
        String e = required(text, "email", 254).trim();
        if (!EMAIL.matcher(e).matches() || e.indexOf("..") >= 0 || e.startsWith(".") || e.contains(".@")) {
            throw new InvalidInputException("malformed email '" + printable(text) + "'. Give an address like ada@example.org");
        }
        return e;
    }

    /** One line of text (a name, a title): no control characters, bounded length. */
    public static String line(String text, String what, int max) {
        String t = required(text, what, max).trim();
        if (t.isEmpty()) {
            throw new InvalidInputException(what + " is empty. Give a non-empty " + what);
        }
        if (CONTROL.matcher(t).find()) {
            throw new InvalidInputException(what + " contains control characters (such as a line break). Give it on one line");
        }
        return t;
    }

    /** Free text (notes, reasons): line breaks and tabs are allowed, other control characters are not. */
    public static String optionalFreeText(String text, String what, int max) {
        if (text == null) {
            return null;
        }
        if (text.length() > max) {
            throw tooLong(what, max, text.length());
        }
        if (text.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t')) {
            throw new InvalidInputException(what + " contains control characters. Remove them");
        }
        return text;
    }

    public static String slug(String text) {
        String s = required(text, "slug", 63).trim();
        if (!SLUG.matcher(s).matches() || s.chars().allMatch(Character::isDigit)) {
            throw new InvalidInputException("bad slug '" + printable(text)
                    + "'. Use lower-case letters, digits and dashes, starting with a letter or digit (not all digits), at most 63 characters");
        }
        return s;
    }

    /** A slug made from a name: "Intro Lesson (60')" becomes "intro-lesson-60". */
    public static String slugify(String name) {
        String s = java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFKD)
                .replaceAll("\\p{M}", "")
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-+|-+$", "");
        if (s.length() > 63) {
            s = s.substring(0, 63).replaceAll("-+$", "");
        }
        if (s.isEmpty() || s.chars().allMatch(Character::isDigit)) {
            throw new InvalidInputException("cannot make a slug from the name '" + printable(name) + "'. Give one with --slug");
        }
        return s;
    }

    public static String phone(String text) {
        if (text == null) {
            return null;
        }
        String p = text.trim();
        if (!PHONE.matcher(p).matches()) {
            throw new InvalidInputException("malformed phone number '" + printable(text) + "'. Give digits with an optional leading +, e.g. +49 30 1234567");
        }
        return p;
    }

    public static String locale(String text) {
        if (text == null) {
            return null;
        }
        String l = text.trim();
        if (!LOCALE.matcher(l).matches()) {
            throw new InvalidInputException("bad locale '" + printable(text) + "'. Give a language tag such as en, de or pt-BR");
        }
        return l;
    }

    private static String required(String text, String what, int max) {
        if (text == null) {
            throw new InvalidInputException("missing " + what + ". Give one");
        }
        if (text.length() > max) {
            throw tooLong(what, max, text.length());
        }
        // Checked before any trim(): trim() silently drops control characters at the ends (a trailing BEL or
        // ESC), and a value must be stored as given or refused, never quietly changed.
        if (CONTROL.matcher(text).find()) {
            throw new InvalidInputException(what + " contains control characters (such as a line break). Give it on one line");
        }
        return text;
    }

    /** A positive whole number naming a row (an attachment, a hold, a notification); {@code hint} says where to find one. */
    public static long positiveId(String text, String what, String hint) {
        String t = text == null ? "" : text.trim();
        if (t.matches("[0-9]{1,18}") && Long.parseLong(t) > 0) {
            return Long.parseLong(t);
        }
        throw new InvalidInputException(what + " '" + printable(t) + "' is not a positive whole number. " + hint);
    }

    public static InvalidInputException tooLong(String what, int max, int actual) {
        return new InvalidInputException(what + " is too long (" + actual + " characters; the limit is " + max + "). Shorten it");
    }

    /**
     * Makes stored text safe to show on a terminal or in a file a terminal may display (CSV, HTML, JSON): every C0
     * and C1 control character and DEL (ESC, BEL, CSI U+009B, ...) becomes, and in tables every direction override or
     * isolate too,
     * a visible {@code \\uXXXX} escape, so no value can drive the terminal that shows it or disguise itself. With
     * {@code keepLayout} (CSV, HTML: files other programs read back) line breaks, tabs and direction overrides stay as
     * they are (CSV quotes them; they drive no terminal); otherwise (tables) they become {@code \\n}, {@code \\r},
     * {@code \\t} and {@code \\uXXXX}, so a value cannot forge a table row or reorder one.
     */
    public static String neutralize(String text, boolean keepLayout) {
        if (text == null) {
            return null;
        }
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean layout = c == '\n' || c == '\r' || c == '\t';
            if ((Character.isISOControl(c) && !(layout && keepLayout)) || (isBidiControl(c) && !keepLayout)) {
                if (sb == null) {
                    sb = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                switch (c) {
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> sb.append(String.format("\\u%04x", (int) c));
                }
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? text : sb.toString();
    }

    /** Direction overrides, embeddings, isolates and marks: shown raw they reorder a line and can disguise a value. */
    public static boolean isBidiControl(char c) {
        return (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069') || c == '\u200e' || c == '\u200f';
    }

    /** Makes text safe to put inside a one-line message: control characters become visible escapes. */
    public static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), 80));
        for (int i = 0; i < text.length() && sb.length() < 80; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        if (sb.length() >= 80) {
            sb.append('…');
        }
        return sb.toString();
    }
}
