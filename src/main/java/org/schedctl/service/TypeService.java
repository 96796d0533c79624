package org.schedctl.service;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Currency;
import java.util.List;
import java.util.Locale;

import org.schedctl.domain.AppointmentType;
import org.schedctl.domain.ConflictException;
import org.schedctl.domain.Durations;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.Text;
import org.schedctl.domain.User;
import org.schedctl.domain.booking.CancellationPolicy;
import org.schedctl.domain.booking.ReschedulePolicy;
import org.schedctl.store.Database;
import org.schedctl.store.dao.AppointmentTypeDao;
import org.schedctl.store.dao.AppointmentTypeDao.NewType;

public final class TypeService {
    private static final Duration MAX_DURATION = Duration.ofHours(24);

    private final Database db;

    public TypeService(Database db) {
        this.db = db;
    }

    public record NewTypeRequest(String instructor, String name, Duration duration, String slug, String description,
                                 String price, String currency, Duration bufferBefore, Duration bufferAfter,
                                 Duration minNotice, Duration maxAdvance, Duration slotInterval,
                                 boolean requiresConfirmation, Integer capacity, String cancelPolicy,
                                 String reschedulePolicy, String location) {
    }

    public AppointmentType add(NewTypeRequest r) {
        String name = Text.line(r.name(), "name", 200);
        String slug = r.slug() == null ? Text.slugify(name) : Text.slug(r.slug());
        Duration duration = positiveBelowADay(r.duration(), "--duration");
        BigDecimal price = null;
        String currency = null;
        if (r.price() != null || r.currency() != null) {
            if (r.price() == null || r.currency() == null) {
                throw new InvalidInputException("--price and --currency go together. Give both, e.g. --price 40 --currency EUR");
            }
            currency = currency(r.currency());
            price = amount(r.price(), currency);
        }
        int capacity = r.capacity() == null ? 1 : r.capacity();
        if (capacity < 1 || capacity > 1000) {
            throw new InvalidInputException("--capacity must be between 1 and 1000, got " + capacity);
        }
        checkBuffer(r.bufferBefore(), "--buffer-before");
        checkBuffer(r.bufferAfter(), "--buffer-after");
        if (r.slotInterval() != null) {
            positiveBelowADay(r.slotInterval(), "--slot-interval");
        }
        if (r.maxAdvance() != null && r.maxAdvance().isZero()) {
            throw new InvalidInputException("--max-advance must be longer than zero. Give e.g. 60d");
        }
        String cancelPolicy = canonicalCancelPolicy(r.cancelPolicy(), currency);
        String reschedulePolicy = r.reschedulePolicy() == null ? null
                : ReschedulePolicy.parse(Text.optionalFreeText(r.reschedulePolicy(), "reschedule policy", 200)).toString();
        String description = Text.optionalFreeText(r.description(), "description", 4000);
        String location = Text.optionalFreeText(r.location(), "location", 500);
        BigDecimal finalPrice = price;
        String finalCurrency = currency;
        return db.inTransaction(handle -> {
            Access.requireNotStudent(handle, "add appointment types");
            User instructor = Lookups.instructor(handle, r.instructor());
            Access.requireSelfOrAdmin(handle, instructor.id(), "add appointment types for " + instructor.email());
            AppointmentTypeDao dao = handle.attach(AppointmentTypeDao.class);
            if (dao.find(slug).isPresent()) {
                throw new ConflictException("an appointment type with slug '" + slug + "' already exists. Choose another --slug");
            }
            return dao.insert(new NewType(instructor.id(), slug, name, description, duration, finalPrice, finalCurrency,
                    r.bufferBefore(), r.bufferAfter(), r.minNotice(), r.maxAdvance(), r.slotInterval(),
                    r.requiresConfirmation(), capacity, cancelPolicy, reschedulePolicy, location));
        });
    }

    public List<AppointmentType> list(String instructor, boolean includeArchived) {
        return db.inTransaction(handle -> {
            Long instructorId = instructor == null ? null : Lookups.instructor(handle, instructor).id();
            return handle.attach(AppointmentTypeDao.class).list(instructorId, includeArchived);
        });
    }

    public AppointmentType show(String ident) {
        return db.inTransaction(handle -> Lookups.type(handle, ident));
    }

    public AppointmentType archive(String ident) {
        return db.inTransaction(handle -> {
            AppointmentType type = Lookups.type(handle, ident);
            Access.requireSelfOrAdmin(handle, type.instructorId(), "archive appointment type '" + type.slug() + "'");
            if (type.archived()) {
                throw new ConflictException("appointment type '" + type.slug() + "' is already archived");
            }
            handle.attach(AppointmentTypeDao.class).archive(type.id());
            return Lookups.type(handle, String.valueOf(type.id()));
        });
    }

    private static String canonicalCancelPolicy(String text, String currency) {
        if (text == null) {
            return null;
        }
        CancellationPolicy policy = CancellationPolicy.parse(Text.optionalFreeText(text, "cancellation policy", 200));
        if (currency != null) {
            policy.checkCurrency(Currency.getInstance(currency));
        }
        return policy.toString();
    }

    static String currency(String text) {
        String code = text.trim().toUpperCase(Locale.ROOT);
        try {
            if (!code.matches("[A-Z]{3}")) {
                throw new IllegalArgumentException();
            }
            Currency c = Currency.getInstance(code);
            if (c.getDefaultFractionDigits() > 2 || c.getDefaultFractionDigits() < 0) {
                throw new InvalidInputException("currency " + code + " has " + (c.getDefaultFractionDigits() < 0 ? "no" : c.getDefaultFractionDigits())
                        + " minor-unit digits; schedctl stores amounts with at most 2 decimals. Use a currency such as EUR, USD or JPY");
            }
            return c.getCurrencyCode();
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("unknown currency '" + Text.printable(text) + "'. Give an ISO 4217 code such as EUR, USD or JPY");
        }
    }

    /** A price in the currency's minor unit: 12.345 EUR is refused rather than silently rounded. */
    static BigDecimal amount(String text, String currency) {
        BigDecimal value;
        try {
            value = new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("bad amount '" + Text.printable(text) + "'. Give a number such as 40 or 39.90");
        }
        if (value.signum() < 0) {
            throw new InvalidInputException("a price cannot be negative, got " + text.trim());
        }
        int digits = Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
        if (value.stripTrailingZeros().scale() > digits) {
            throw new InvalidInputException("amount " + text.trim() + " has more decimals than " + currency + " allows (" + digits + ")");
        }
        if (value.compareTo(new BigDecimal("9999999999.99")) > 0) {
            throw new InvalidInputException("amount " + text.trim() + " is too large (at most 9999999999.99)");
        }
        return value.setScale(Math.max(digits, 0), java.math.RoundingMode.UNNECESSARY);
    }

    private static Duration positiveBelowADay(Duration d, String flag) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new InvalidInputException(flag + " must be longer than zero. Give e.g. 45m");
        }
        if (d.compareTo(MAX_DURATION) > 0) {
            throw new InvalidInputException(flag + " must be at most 24h, got " + Durations.format(d));
        }
        return d;
    }

    private static void checkBuffer(Duration d, String flag) {
        if (d != null && d.compareTo(MAX_DURATION) >= 0) {
            throw new InvalidInputException(flag + " must be shorter than 24h, got " + Durations.format(d));
        }
    }
}
