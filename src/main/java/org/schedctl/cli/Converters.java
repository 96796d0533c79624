package org.schedctl.cli;

import java.time.Duration;
import java.time.LocalDate;

import org.schedctl.domain.Checked;
import org.schedctl.domain.TimeInput;
import org.schedctl.domain.booking.BookingInputs;
import picocli.CommandLine.ITypeConverter;

/**
 * Option types read by picocli, so services receive parsed values: a time ({@link TimeInput.Arg}), a date, a hold
 * length. A value that is not valid is kept as its refusal ({@link Checked}) and reported, as a usage error (exit 2)
 * with the words CLI.md gives, where the command checks it.
 */
final class Converters {
    private Converters() {
    }

    /**
     * {@code --at 2027-03-15T10:00} (local, read in a zone later) or with an offset; a bad time is kept and refused
     * where the command checks the time (after the names it refers to), naming the zone it was read in.
     */
    static final class Time implements ITypeConverter<TimeInput.Arg> {
        @Override
        public TimeInput.Arg convert(String value) {
            return TimeInput.Arg.read(value);
        }
    }

    /** A day, YYYY-MM-DD, refused where the command checks it. */
    static final class CheckedDate implements ITypeConverter<Checked<LocalDate>> {
        @Override
        public Checked<LocalDate> convert(String value) {
            return Checked.read(value, TimeInput::parseDate);
        }
    }

    /** How long a hold lasts: 1m to 24h; refused when the command reads it, with the words `hold` always used. */
    static final class HoldLength implements ITypeConverter<Checked<Duration>> {
        @Override
        public Checked<Duration> convert(String value) {
            return Checked.read(value, BookingInputs::holdDuration);
        }
    }

    /** How often a calendar subscription refreshes: at least a minute; refused where the command checks it. */
    static final class RefreshEvery implements ITypeConverter<Checked<Duration>> {
        @Override
        public Checked<Duration> convert(String value) {
            return Checked.read(value, org.schedctl.service.CalendarSubscriptionService::every);
        }
    }

    /** {@code --reminders 24h,1h | none | default}, refused where the command checks it. */
    static final class ReminderOffsets implements ITypeConverter<Checked<org.schedctl.service.InstructorService.Reminders>> {
        @Override
        public Checked<org.schedctl.service.InstructorService.Reminders> convert(String value) {
            return Checked.read(value, org.schedctl.service.InstructorService.Reminders::parse);
        }
    }
}
