package org.schedctl.cli;

import java.time.Duration;
import java.time.ZoneId;

import org.schedctl.domain.Checked;
import org.schedctl.service.InstructorService;
import org.schedctl.service.InstructorService.SettingsChange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "instructor", description = "Instructor configuration.",
        subcommands = {InstructorCommand.Settings.class, InstructorCommand.ListInstructors.class, InstructorCommand.Show.class,
                InstructorCommand.Vacation.class})
public final class InstructorCommand {

    @Command(name = "settings", description = "Show or change an instructor's settings (--tz sets the instructor's zone).")
    static final class Settings extends BaseCommand {
        @Parameters(paramLabel = "USER", description = "Instructor, by email or id") String instructor;
        @Option(names = "--auto-confirm", arity = "1", paramLabel = "BOOL", description = "Confirm bookings automatically") Boolean autoConfirm;
        @Option(names = "--buffer", paramLabel = "DURATION", description = "Buffer before and after each session") Duration buffer;
        @Option(names = "--buffer-before", paramLabel = "DURATION") Duration bufferBefore;
        @Option(names = "--buffer-after", paramLabel = "DURATION") Duration bufferAfter;
        @Option(names = "--min-notice", paramLabel = "DURATION", description = "Earliest booking ahead of start") Duration minNotice;
        @Option(names = "--max-advance", paramLabel = "DURATION", description = "Latest booking ahead of start") Duration maxAdvance;
        @Option(names = "--max-daily", paramLabel = "N", description = "Bookings per day (0: no limit)") Integer maxDaily;
        @Option(names = "--max-consecutive", paramLabel = "N", description = "Back-to-back bookings (0: no limit)") Integer maxConsecutive;
        @Option(names = "--reminders", paramLabel = "OFFSETS", converter = Converters.ReminderOffsets.class,
                description = "Reminder offsets, e.g. 24h,1h,15m; none; or default (the school's reminders.offsets)")
        org.schedctl.domain.Checked<org.schedctl.service.InstructorService.Reminders> reminders;
        @Option(names = "--channels", paramLabel = "LIST", description = "email,sms,push,in_app,webhook") String channels;
        @Option(names = "--meeting-platform", paramLabel = "P") String meetingPlatform;
        @Option(names = "--cancel-policy", paramLabel = "POLICY", description = "Default cancellation fee policy, e.g. free>=24h,50%>=2h,100%") String cancelPolicy;
        @Option(names = "--reschedule-policy", paramLabel = "POLICY") String reschedulePolicy;
        @Option(names = "--bio", paramLabel = "TEXT") String bio;

        @Override
        protected int execute(AppContext ctx) {
            var change = new SettingsChange(autoConfirm, buffer, bufferBefore, bufferAfter, minNotice, maxAdvance, maxDaily,
                    maxConsecutive, reminders, channels, meetingPlatform, ownZone(), cancelPolicy,
                    reschedulePolicy, bio);
            var view = services().instructors().settings(instructor, change);
            ctx.output(ZoneId.of(view.timezone())).print(view);
            return 0;
        }
    }

    @Command(name = "list", description = "List instructors with their settings.")
    static final class ListInstructors extends BaseCommand {
        @Override
        protected int execute(AppContext ctx) {
            ctx.output(null).print(services().instructors().list());
            return 0;
        }
    }

    @Command(name = "show", description = "Show one instructor.")
    static final class Show extends BaseCommand {
        @Parameters(paramLabel = "USER") String instructor;

        @Override
        protected int execute(AppContext ctx) {
            var view = services().instructors().show(instructor);
            ctx.output(ZoneId.of(view.timezone())).print(view);
            return 0;
        }
    }

    @Command(name = "vacation", description = "Whole days off: no slots from --from to --until (both inclusive, instructor's zone).")
    static final class Vacation extends BaseCommand {
        @Parameters(paramLabel = "USER") String instructor;
        @Option(names = "--from", required = true, paramLabel = "DATE", converter = Converters.CheckedDate.class) org.schedctl.domain.Checked<java.time.LocalDate> from;
        @Option(names = "--until", required = true, paramLabel = "DATE", converter = Converters.CheckedDate.class) org.schedctl.domain.Checked<java.time.LocalDate> until;
        @Option(names = "--cancel-bookings", description = "Cancel the active bookings in the range (fees waived; asks first, or --yes)") boolean cancelBookings;

        private boolean confirmed(AppContext ctx) {
            if (cancelBookings) {
                ctx.confirm("cancelling every active booking of " + instructor + " from " + from.text() + " to " + until.text());
            }
            return cancelBookings;
        }

        @Override
        protected int execute(AppContext ctx) {
            boolean cancel = confirmed(ctx);
            var view = services().availability().vacation(instructor, from.get(), until.get(), cancel, ctx.clock().instant());
            if (view.activeBookings() > view.cancelledBookings()) {
                ctx.progress((view.activeBookings() - view.cancelledBookings()) + " active booking(s) remain in the vacation;"
                        + " cancel them or use --cancel-bookings");
            }
            ctx.output(ZoneId.of(view.timezone())).print(view);
            return 0;
        }
    }
}
