package org.schedctl.domain.analytics;

import java.util.Locale;

import org.schedctl.domain.InvalidInputException;

/** The period a report row covers, in the instructor's zone; weeks are ISO weeks (Monday to Sunday). */
public enum ReportGrain {
    day("YYYY-MM-DD"), week("IYYY-\"W\"IW"), month("YYYY-MM");

    private final String sqlFormat;

    ReportGrain(String sqlFormat) {
        this.sqlFormat = sqlFormat;
    }

    /** The to_char pattern labelling a period: 2027-03-14, 2027-W10, 2027-03. */
    public String sqlFormat() {
        return sqlFormat;
    }

    public static ReportGrain parse(String text) {
        if (text == null) {
            return day;
        }
        try {
            return valueOf(text.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("unknown period '" + text + "'. Use --by day, week or month");
        }
    }
}
