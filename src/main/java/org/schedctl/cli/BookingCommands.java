package org.schedctl.cli;

import java.time.Duration;
import java.time.ZoneId;

import org.schedctl.domain.TimeInput;
import org.schedctl.domain.Zones;
import org.schedctl.domain.booking.IdempotencyKey;
import org.schedctl.service.AppointmentView;
import org.schedctl.service.HoldService;
import org.schedctl.service.HoldService.BookRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The booking lifecycle: book, hold, confirm, decline, cancel, reschedule, complete, no-show. */
public final class BookingCommands {
    private BookingCommands() {
    }

    /** Appointments are shown in their instructor's zone unless --tz says otherwise. */
    static void print(AppContext ctx, AppointmentView view) {
        ctx.output(Zones.parse(view.timezone())).print(view);
    }

    @Command(name = "book", description = "Book an appointment, or turn a hold into one (--hold).")
    static final class Book extends BaseCommand {
        @Mixin InstructorOption instructor;
        @Option(names = "--type", paramLabel = "TYPE") String type;
        @Mixin StudentOption student;
        @Option(names = "--at", paramLabel = "TIME", converter = Converters.Time.class,
                description = "Start, e.g. 2027-03-15T10:00 (instructor's zone unless --tz) or with an offset") TimeInput.Arg at;
        @Option(names = "--notes") String notes;
        @Option(names = "--idempotency-key", paramLabel = "KEY", description = "A retry with the same key returns the same booking") String idempotencyKey;
        @Option(names = "--hold", paramLabel = "ID", description = "Book the hold with this id (from `schedctl hold`)") String hold;
        @Mixin SeriesOptions series;

        @Override
        protected int execute(AppContext ctx) {
            if (series.wanted()) {
                return series.book(ctx, services(), instructor.value(), type, student.value(), at, notes);
            }
            IdempotencyKey key = idempotencyKey == null ? null : IdempotencyKey.parse(idempotencyKey);
            Long holdId = hold == null ? null : HoldService.holdId(hold);
            print(ctx, services().holds().book(new BookRequest(instructor.value(), type, student.value(), at, ctx.zoneArg(), notes,
                    key, holdId, null)));
            return 0;
        }
    }

    @Command(name = "hold", description = "Reserve a slot for a few minutes; `book --hold ID` turns it into a booking.")
    static final class Hold extends BaseCommand {
        @Option(names = "--instructor", required = true, paramLabel = "USER") String instructor;
        @Option(names = "--type", required = true, paramLabel = "TYPE") String type;
        @Option(names = "--student", required = true, paramLabel = "USER") String student;
        @Option(names = "--at", required = true, paramLabel = "TIME", converter = Converters.Time.class) TimeInput.Arg at;
        @Option(names = "--for", paramLabel = "DURATION", converter = Converters.HoldLength.class,
                description = "How long the hold lasts (default 10m)") org.schedctl.domain.Checked<Duration> holdFor;

        @Override
        protected int execute(AppContext ctx) {
            Duration length = holdFor == null ? null : holdFor.get();
            print(ctx, services().holds().hold(new BookRequest(instructor, type, student, at, ctx.zoneArg(), null, null, null, length)));
            return 0;
        }
    }

    @Command(name = "confirm", description = "Confirm a pending appointment.")
    static final class Confirm extends BaseCommand {
        @Parameters(paramLabel = "REF") String reference;

        @Override
        protected int execute(AppContext ctx) {
            print(ctx, services().lifecycle().confirm(reference));
            return 0;
        }
    }

    @Command(name = "decline", description = "Decline a pending appointment.")
    static final class Decline extends BaseCommand {
        @Parameters(paramLabel = "REF") String reference;
        @Option(names = "--reason") String reason;

        @Override
        protected int execute(AppContext ctx) {
            print(ctx, services().lifecycle().decline(reference, reason));
            return 0;
        }
    }

    @Command(name = "cancel", description = "Cancel an appointment; the fee follows the cancellation policy.")
    static final class Cancel extends BaseCommand {
        @Parameters(paramLabel = "REF") String reference;
        @Option(names = "--reason") String reason;
        @Option(names = "--waive-fee", description = "Charge no cancellation fee") boolean waiveFee;

        @Override
        protected int execute(AppContext ctx) {
            print(ctx, services().lifecycle().cancel(reference, reason, waiveFee));
            return 0;
        }
    }

    @Command(name = "reschedule", description = "Move an appointment to another time.")
    static final class Reschedule extends BaseCommand {
        @Parameters(paramLabel = "REF") String reference;
        @Option(names = "--to", required = true, paramLabel = "TIME", converter = Converters.Time.class) TimeInput.Arg to;

        @Override
        protected int execute(AppContext ctx) {
            print(ctx, services().lifecycle().reschedule(reference, to, ctx.zoneArg()));
            return 0;
        }
    }

    @Command(name = "complete", description = "Mark an appointment completed.")
    static final class Complete extends BaseCommand {
        @Parameters(paramLabel = "REF") String reference;
        @Option(names = "--notes") String notes;
        @Option(names = "--rating", paramLabel = "1..5") Integer rating;

        @Override
        protected int execute(AppContext ctx) {
            print(ctx, services().lifecycle().complete(reference, notes, rating));
            return 0;
        }
    }

    @Command(name = "no-show", description = "Mark an appointment as missed by the student.")
    static final class NoShow extends BaseCommand {
        @Parameters(paramLabel = "REF") String reference;

        @Override
        protected int execute(AppContext ctx) {
            print(ctx, services().lifecycle().noShow(reference));
            return 0;
        }
    }

    static ZoneId zoneOf(java.util.List<AppointmentView> views) {
        return views.isEmpty() ? null : Zones.parse(views.get(0).timezone());
    }
}
