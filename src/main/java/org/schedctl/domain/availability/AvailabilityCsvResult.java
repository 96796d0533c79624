package org.schedctl.domain.availability;

import java.util.List;

/** The parsed rows of an availability CSV and every problem found; the import may proceed only if {@link #ok}. */
public record AvailabilityCsvResult(String file, long rows, List<WeeklyRow> weekly, List<BlockRow> blocks,
                                    List<CsvError> errors) {
    public AvailabilityCsvResult {
        weekly = List.copyOf(weekly);
        blocks = List.copyOf(blocks);
        errors = List.copyOf(errors);
    }

    public boolean ok() {
        return errors.isEmpty();
    }
}
