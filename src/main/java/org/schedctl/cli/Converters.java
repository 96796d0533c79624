package org.schedctl.cli;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.function.Function;

import org.schedctl.domain.Checked;
import org.schedctl.domain.Durations;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.TimeInput;
import org.schedctl.domain.Zones;
import org.schedctl.domain.booking.BookingInputs;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option types read by picocli, so services receive parsed values: a time as typed ({@link TimeInput.Parsed}), a
 * date, an IANA zone, a duration. A bad value is a usage error (exit 2) naming the option and saying how to fix it.
 */
final class Converters {
    private Converters() {
    }

    private static <T> T convert(String text, Function<String, T> parser) {
        try {
            return parser.apply(text);
        } catch (InvalidInputException e) {
            throw new TypeConversionException(e.getMessage());
        }
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

    /** A day, YYYY-MM-DD. */
    static final class Date implements ITypeConverter<LocalDate> {
        @Override
        public LocalDate convert(String value) {
            return Converters.convert(value, TimeInput::parseDate);
        }
    }

    /** An IANA zone such as Europe/Berlin. */
    static final class Zone implements ITypeConverter<ZoneId> {
        @Override
        public ZoneId convert(String value) {
            return Converters.convert(value, Zones::parse);
        }
    }

    /** A duration such as 45m or 1h30m. */
    static final class Length implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Converters.convert(value, Durations::parse);
        }
    }

    /** How long a hold lasts: 1m to 24h. */
    static final class HoldLength implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Converters.convert(value, BookingInputs::holdDuration);
        }
    }
}
