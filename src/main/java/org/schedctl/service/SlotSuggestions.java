package org.schedctl.service;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.stream.Collectors;

import org.schedctl.domain.ConflictException;
import org.schedctl.store.Database;

/**
 * The free slots offered after a refused time ("Next free: ..."), asked in a transaction of its own once the refusing
 * one has rolled back and released the instructor's lock. The one place booking asks for them, so the lister behind
 * it can change without touching booking.
 */
public final class SlotSuggestions {
    static final int SUGGESTIONS = 3;

    /** The instructor, type and start that were refused, and the zone the suggestions are written in. */
    record Target(long instructorId, long typeId, Instant start, ZoneId zone) {
    }

    /** A refused slot, thrown out of the refusing transaction; suggestions are added after it has rolled back. */
    static final class SlotConflict extends RuntimeException {
        final transient ConflictException refusal;
        final transient Target target;

        SlotConflict(ConflictException refusal, Target target) {
            super(null, null, false, false);
            this.refusal = refusal;
            this.target = target;
        }
    }

    private final SlotFinder finder;

    public SlotSuggestions(Database db) {
        this.finder = new SlotFinder(db);
    }

    /** The refusal with the next free slots of the same type appended; the refusal alone if they cannot be found. */
    ConflictException withSuggestions(SlotConflict conflict, Instant now) {
        Target t = conflict.target;
        if (t == null) {
            return conflict.refusal;
        }
        List<Instant> next;
        try {
            next = finder.next(t.instructorId(), t.typeId(), t.start(), SUGGESTIONS, now);
        } catch (RuntimeException e) {
            return conflict.refusal;
        }
        String message = stripDot(conflict.refusal.getMessage());
        if (next.isEmpty()) {
            return new ConflictException(message + ". No free slot of this type in the next " + SlotFinder.SUGGESTION_HORIZON.toDays() + " days", conflict.refusal);
        }
        return new ConflictException(message + ". Next free: "
                + next.stream().map(i -> BookingRows.format(i, t.zone())).collect(Collectors.joining(", ")), conflict.refusal);
    }

    private static String stripDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
