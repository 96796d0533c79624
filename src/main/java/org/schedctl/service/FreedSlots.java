package org.schedctl.service;

import java.time.Instant;
import java.util.List;

import org.jdbi.v3.core.Handle;
import org.schedctl.domain.booking.FreedSlot;

/**
 * Where slots go when a cancel, decline, reschedule or lapsed hold frees them (the waitlist). Booking and the
 * lifecycle call this interface; the waitlist implements it and depends on neither, so the two do not form a cycle.
 */
public interface FreedSlots {
    /** Nothing waits for freed slots (e.g. a tool that books without a waitlist). */
    FreedSlots NONE = new FreedSlots() {
        @Override
        public void offerAfterCommit(List<FreedSlot> slots, Instant now) {
        }

        @Override
        public void offer(Handle handle, FreedSlot slot, Instant now) {
        }
    };

    /**
     * Offers slots in a transaction of its own, after the change that freed them has committed; a failed offer must
     * not turn that change into an error.
     */
    void offerAfterCommit(List<FreedSlot> slots, Instant now);

    /** Offers one slot inside the caller's transaction, which holds the instructor's booking lock. */
    void offer(Handle handle, FreedSlot slot, Instant now);
}
