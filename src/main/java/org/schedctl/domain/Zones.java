package org.schedctl.domain;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** IANA zone ids only: fixed offsets and abbreviations such as "EST" are refused, since they carry no DST rules. */
public final class Zones {
    /** ZoneId.getAvailableZoneIds() copies the set on every call; the providers do not change while we run. */
    private static final java.util.Set<String> AVAILABLE = java.util.Set.copyOf(ZoneId.getAvailableZoneIds());

    private Zones() {
    }

    public static ZoneId parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("missing time zone. Give an IANA zone such as Europe/Berlin");
        }
        String id = text.trim();
        if (!AVAILABLE.contains(id) || ZoneId.SHORT_IDS.containsKey(id)) {
            throw new InvalidInputException("unknown time zone '" + text + "'. Give an IANA zone such as America/New_York or UTC");
        }
        try {
            ZoneId zone = ZoneId.of(id);
            if (zone instanceof ZoneOffset) {
                throw new InvalidInputException("'" + text + "' is a fixed offset, not a zone. Give an IANA zone such as Europe/Berlin");
            }
            return zone;
        } catch (DateTimeException e) {
            throw new InvalidInputException("unknown time zone '" + text + "'. Give an IANA zone such as America/New_York or UTC");
        }
    }
}
