package org.schedctl.service;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.schedctl.domain.AppointmentType;
import org.schedctl.domain.NotFoundException;
import org.schedctl.domain.booking.Action;
import org.schedctl.domain.booking.AppointmentStatus;
import org.schedctl.domain.booking.FreedSlot;
import org.schedctl.store.dao.AppointmentDao;
import org.schedctl.store.dao.AppointmentDao.AppointmentRow;
import org.schedctl.store.dao.AppointmentDao.BookingRules;
import org.schedctl.store.dao.AppointmentDao.ExpiredHold;
import org.schedctl.store.dao.AppointmentDao.NewAppointment;

/** What booking, the lifecycle and the waitlist share: the hold rows, history details, views and time format. */
final class BookingRows {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    private BookingRows() {
    }

    /** A hold: its booking session, its appointment in state held, and the history row. */
    static long createHold(AppointmentDao dao, long instructorId, AppointmentType type, long studentId, Instant start,
                           Instant end, ZoneId instructorZone, BookingRules rules, Instant expiresAt, Long waitlistId,
                           Instant now) {
        long holdId = dao.insertHold(studentId, instructorId, type.id(), start, end, expiresAt, waitlistId);
        long id = dao.insert(new NewAppointment(instructorId, studentId, type.id(), AppointmentStatus.HELD.dbValue(), start, end,
                instructorZone.getId(), rules.bufferBefore(), rules.bufferAfter(), type.price(), type.currency(), null, null,
                holdId, type.capacity(), null, null));
        dao.record(id, now, Action.HOLD.dbValue(), null, details("hold_id", holdId, "expires_at", expiresAt.toString(),
                "waitlist_id", waitlistId), waitlistId == null ? new String[0] : new String[] {"waitlist_offer"}, null);
        return id;
    }

    static void collect(List<FreedSlot> into, long instructorId, List<ExpiredHold> freed) {
        for (ExpiredHold hold : freed) {
            into.add(new FreedSlot(instructorId, hold.typeId(), hold.startsAt(), hold.endsAt()));
        }
    }

    static String format(Instant instant, ZoneId zone) {
        return FORMAT.format(instant.atZone(zone).toOffsetDateTime());
    }

    static NotFoundException notFound(String reference) {
        return new NotFoundException("no appointment with reference " + reference + ". See `schedctl appointments list`");
    }

    static String details(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                map.put((String) pairs[i], pairs[i + 1]);
            }
        }
        try {
            return JSON.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Amounts are stored with two decimals; they are shown with the currency's own (1000 JPY, not 1000.00). */
    private static BigDecimal money(BigDecimal amount, String currency) {
        if (amount == null || currency == null) {
            return amount;
        }
        int digits = Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
        return amount.setScale(digits, java.math.RoundingMode.HALF_EVEN);
    }

    static AppointmentView view(AppointmentRow row) {
        Objects.requireNonNull(row, "row");
        boolean liveHold = "held".equals(row.status());
        return new AppointmentView(row.reference(), row.status(), row.instructorEmail(), row.studentEmail(), row.typeSlug(),
                row.startsAt(), row.endsAt(), row.timezone(), money(row.price(), row.currency()), row.currency(),
                money(row.fee(), row.currency()), row.createdAt(),
                liveHold ? row.bookingSessionId() : null, liveHold ? row.holdExpiresAt() : null, row.rescheduleCount(),
                "cancelled".equals(row.status()) ? row.feeWaived() : null, row.notes(), row.rating(), row.cancelReason(), null);
    }
}
