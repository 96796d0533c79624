package org.schedctl.domain.analytics;

import java.time.LocalDate;

/**
 * Real-time figures for one instructor: today's counters (kept by triggers in booking_metrics_realtime, for the
 * instructor's local day) and two live gauges (pending confirmations, sessions starting within 24 hours).
 */
public record DashboardRow(String instructor, LocalDate day, long bookingsToday, long cancellationsToday,
                           long confirmationsToday, long completionsToday, long noShowsToday, long reschedulesToday,
                           long pendingConfirmations, long upcoming24h) {
}
