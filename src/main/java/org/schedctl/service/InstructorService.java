package org.schedctl.service;

import java.time.Duration;
import java.time.ZoneId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.jdbi.v3.core.Handle;
import org.schedctl.domain.Checked;
import org.schedctl.domain.Durations;
import org.schedctl.domain.InstructorSettings;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.Text;
import org.schedctl.domain.notify.ReminderPolicy;
import org.schedctl.domain.User;
import org.schedctl.store.Database;
import org.schedctl.store.dao.InstructorSettingsDao;
import org.schedctl.store.dao.InstructorSettingsDao.InstructorSettingsRow;
import org.schedctl.store.dao.UserDao;

public final class InstructorService {
    private final Database db;

    public InstructorService(Database db) {
        this.db = db;
    }

    /**
     * What `instructor settings` may change; null means "leave as it is". {@code reminders} is a list of offsets,
     * {@code none} (no reminders) or {@code default} (the school's reminders.offsets, whatever it is when booking).
     */
    public record SettingsChange(Boolean autoConfirm, Duration buffer, Duration bufferBefore, Duration bufferAfter,
                                 Duration minNotice, Duration maxAdvance, Integer maxDaily, Integer maxConsecutive,
                                 Checked<Reminders> reminders, String channels, String meetingPlatform, Checked<ZoneId> timezone,
                                 String cancelPolicy, String reschedulePolicy, String bio) {
        public boolean isEmpty() {
            return autoConfirm == null && buffer == null && bufferBefore == null && bufferAfter == null && minNotice == null
                    && maxAdvance == null && maxDaily == null && maxConsecutive == null && reminders == null
                    && channels == null && meetingPlatform == null && timezone == null && cancelPolicy == null
                    && reschedulePolicy == null && bio == null;
        }
    }

    /**
     * An instructor with their settings, as `instructor show` prints it; {@code reminders} are the effective offsets,
     * the school's default when {@code remindersDefault}.
     */
    public record InstructorView(long id, String email, String name, String timezone, boolean autoConfirm,
                                 Duration bufferBefore, Duration bufferAfter, Duration minNotice, Duration maxAdvance,
                                 Integer maxDaily, Integer maxConsecutive, List<Duration> reminders,
                                 boolean remindersDefault, List<String> channels,
                                 String meetingPlatform, String cancelPolicy, String reschedulePolicy, String bio,
                                 Instant updatedAt) {
        static InstructorView of(User u, InstructorSettings s) {
            return new InstructorView(u.id(), u.email(), u.name(), u.timezone(), s.autoConfirm(), s.bufferBefore(),
                    s.bufferAfter(), s.minNotice(), s.maxAdvance(), s.maxDaily(), s.maxConsecutive(), s.reminderOffsets(),
                    s.remindersDefault(), s.channels(), s.meetingPlatform(), s.cancelPolicy(), s.reschedulePolicy(), s.bio(), s.updatedAt());
        }
    }

    public InstructorView settings(String ident, SettingsChange change) {
        validate(change);
        return db.inTransaction(handle -> {
            Access.requireNotStudent(handle, "change instructor settings");
            User user = Lookups.instructor(handle, ident);
            Access.requireSelfOrAdmin(handle, user.id(), "change the settings of " + user.email());
            InstructorSettingsDao dao = handle.attach(InstructorSettingsDao.class);
            dao.ensure(user.id());
            InstructorSettings s = dao.find(user.id()).orElseThrow();
            if (!change.isEmpty()) {
                if (change.timezone() != null) {
                    handle.attach(UserDao.class).setTimezone(user.id(), change.timezone().get().getId());
                }
                dao.update(new InstructorSettingsRow(user.id(),
                        pick(change.autoConfirm(), s.autoConfirm()),
                        pick(change.bufferBefore(), pick(change.buffer(), s.bufferBefore())),
                        pick(change.bufferAfter(), pick(change.buffer(), s.bufferAfter())),
                        pick(change.minNotice(), s.minNotice()),
                        pick(change.maxAdvance(), s.maxAdvance()),
                        change.maxDaily() == null ? s.maxDaily() : zeroMeansNone(change.maxDaily()),
                        change.maxConsecutive() == null ? s.maxConsecutive() : zeroMeansNone(change.maxConsecutive()),
                        change.reminders() == null,
                        change.reminders() == null || change.reminders().get().schoolDefault() ? null
                                : intervalArray(change.reminders().get().own().offsets()),
                        "{" + String.join(",", change.channels() == null ? s.channels() : channels(change.channels())) + "}",
                        blankMeansNone(change.meetingPlatform(), s.meetingPlatform()),
                        blankMeansNone(change.cancelPolicy(), s.cancelPolicy()),
                        blankMeansNone(change.reschedulePolicy(), s.reschedulePolicy()),
                        blankMeansNone(change.bio(), s.bio())));
            }
            return view(handle, user.id());
        });
    }

    public InstructorView show(String ident) {
        return db.inTransaction(handle -> {
            Access.requireNotStudent(handle, "read instructor settings (see instructors with `schedctl user list --role instructor`)");
            User user = Lookups.instructor(handle, ident);
            Access.requireSelfOrAdmin(handle, user.id(), "see the settings of " + user.email());
            handle.attach(InstructorSettingsDao.class).ensure(user.id());
            return view(handle, user.id());
        });
    }

    /** Administrators see every instructor's settings, an instructor their own. */
    public List<InstructorView> list() {
        return db.inTransaction(handle -> {
            Access.requireNotStudent(handle, "read instructor settings (see instructors with `schedctl user list --role instructor`)");
            List<InstructorView> views = new ArrayList<>();
            for (User u : handle.attach(UserDao.class).list("instructor")) {
                handle.attach(InstructorSettingsDao.class).find(u.id())
                        .ifPresent(s -> views.add(InstructorView.of(u, s)));
            }
            return views;
        });
    }

    private static InstructorView view(Handle handle, long id) {
        User user = handle.attach(UserDao.class).find(String.valueOf(id)).orElseThrow();
        return InstructorView.of(user, handle.attach(InstructorSettingsDao.class).find(id).orElseThrow());
    }

    private static void validate(SettingsChange c) {
        if (c.maxDaily() != null && c.maxDaily() < 0) {
            throw new InvalidInputException("--max-daily must be 0 (no limit) or more, got " + c.maxDaily());
        }
        if (c.maxConsecutive() != null && c.maxConsecutive() < 0) {
            throw new InvalidInputException("--max-consecutive must be 0 (no limit) or more, got " + c.maxConsecutive());
        }
        for (Duration d : new Duration[] {c.buffer(), c.bufferBefore(), c.bufferAfter()}) {
            if (d != null && d.compareTo(Duration.ofHours(24)) >= 0) {
                throw new InvalidInputException("a buffer must be shorter than 24h, got " + Durations.format(d));
            }
        }
        if (c.maxAdvance() != null && c.maxAdvance().isZero()) {
            throw new InvalidInputException("--max-advance must be longer than zero. Give e.g. 90d");
        }
        if (c.timezone() != null) {
            c.timezone().get();
        }
        if (c.reminders() != null) {
            c.reminders().get();
        }
        if (c.channels() != null) {
            channels(c.channels());
        }
        Text.optionalFreeText(c.meetingPlatform(), "meeting platform", 100);
        Text.optionalFreeText(c.cancelPolicy(), "cancellation policy", 200);
        Text.optionalFreeText(c.reschedulePolicy(), "reschedule policy", 200);
        if (c.cancelPolicy() != null && !c.cancelPolicy().isBlank()) {
            org.schedctl.domain.booking.CancellationPolicy.parse(c.cancelPolicy());
        }
        if (c.reschedulePolicy() != null && !c.reschedulePolicy().isBlank()) {
            org.schedctl.domain.booking.ReschedulePolicy.parse(c.reschedulePolicy());
        }
        Text.optionalFreeText(c.bio(), "bio", 4000);
    }

    /**
     * {@code --reminders}: the instructor's own offsets ({@code 24h,1h,15m}, or {@code none}), or {@code default}: back
     * to the school's reminders.offsets (stored as NULL). The offsets follow the one rule of {@link ReminderPolicy}.
     */
    public record Reminders(ReminderPolicy own) {
        public boolean schoolDefault() {
            return own == null;
        }

        public static Reminders parse(String text) {
            return text.trim().equalsIgnoreCase("default") ? new Reminders(null) : new Reminders(ReminderPolicy.parse(text));
        }
    }

    static List<String> channels(String text) {
        LinkedHashSet<String> result = new LinkedHashSet<>();
        for (String part : text.split(",")) {
            String c = part.trim().toLowerCase(Locale.ROOT).replace('-', '_');
            if (!InstructorSettings.CHANNELS.contains(c)) {
                throw new InvalidInputException("unknown channel '" + Text.printable(part.trim()) + "'. Use any of "
                        + String.join(",", InstructorSettings.CHANNELS));
            }
            result.add(c);
        }
        return new ArrayList<>(result);
    }

    private static String intervalArray(List<Duration> offsets) {
        return offsets.stream().map(d -> d.getSeconds() + " seconds").map(s -> "\"" + s + "\"")
                .collect(Collectors.joining(",", "{", "}"));
    }

    private static <T> T pick(T changed, T current) {
        return changed != null ? changed : current;
    }

    private static Integer zeroMeansNone(int value) {
        return value == 0 ? null : value;
    }

    private static String blankMeansNone(String changed, String current) {
        if (changed == null) {
            return current;
        }
        return changed.isBlank() ? null : changed.trim();
    }
}
