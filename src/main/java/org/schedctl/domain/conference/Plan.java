package org.schedctl.domain.conference;

import java.util.Map;

/** An assignment of request ids to slots (requests not in the map are not placed). */
public record Plan(Map<Long, Integer> slots) {
    public Plan {
        slots = Map.copyOf(slots);
    }
}
