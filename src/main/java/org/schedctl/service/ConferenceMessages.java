package org.schedctl.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jdbi.v3.core.Handle;
import org.schedctl.domain.Text;

/**
 * The one place that writes a published evening's messages into the outbox: ONE per family (guardian) with its
 * whole timetable, in the guardian's language and zone, and one per teacher with their list. A republish queues a
 * message only for a family or teacher whose timetable changed (the idempotency key holds a digest of the text).
 */
final class ConferenceMessages {
    private ConferenceMessages() {
    }

    /** Words of the messages by language; English for any other. Dates and times come from java.time's locale data. */
    private static final Map<String, String[]> WORDS = Map.of(
            "en", new String[] {"Parents' evening", "Your timetable", "with", "room", "Your meetings", "for"},
            "de", new String[] {"Elternsprechtag", "Ihr Zeitplan", "mit", "Raum", "Ihre Gespräche", "für"},
            "fr", new String[] {"Réunion parents-professeurs", "Votre planning", "avec", "salle", "Vos rendez-vous", "pour"},
            "es", new String[] {"Reunión de padres", "Su horario", "con", "aula", "Sus reuniones", "para"},
            "nl", new String[] {"Ouderavond", "Uw rooster", "met", "lokaal", "Uw gesprekken", "voor"});

    /** Queues the messages; returns {families, teachers} queued. */
    static int[] queue(Handle handle, ConferenceService.Conference c, List<ConferenceService.Slot> slots, Instant now) {
        Map<String, List<ConferenceService.Slot>> byFamily = new LinkedHashMap<>();
        Map<String, List<ConferenceService.Slot>> byTeacher = new LinkedHashMap<>();
        for (ConferenceService.Slot s : slots) {
            byFamily.computeIfAbsent(s.guardian(), k -> new java.util.ArrayList<>()).add(s);
            byTeacher.computeIfAbsent(s.teacher(), k -> new java.util.ArrayList<>()).add(s);
        }
        var batch = handle.prepareBatch("""
                INSERT INTO appointment_notifications (appointment_id, recipient_id, kind, channel, recipient, subject, body, due_at, idempotency_key)
                SELECT NULL, u.id, 'booked', 'email', u.email, :subject, :body, :due, :key FROM users u WHERE lower(u.email) = lower(:email)
                ON CONFLICT (idempotency_key) DO NOTHING""");
        for (List<ConferenceService.Slot> family : byFamily.values()) {
            ConferenceService.Slot first = family.get(0);
            Locale locale = Locale.forLanguageTag(first.guardianLocale());
            ZoneId zone = ZoneId.of(first.guardianZone());
            String[] w = words(locale);
            StringBuilder body = new StringBuilder();
            body.append(w[0]).append(" \"").append(Text.neutralize(c.name(), false)).append("\", ")
                    .append(DateTimeFormatter.ofLocalizedDate(FormatStyle.FULL).withLocale(locale).format(first.start().withZoneSameInstant(zone)))
                    .append(" (").append(zone.getId()).append(")\n\n").append(w[4]).append(":\n");
            family.stream().sorted(java.util.Comparator.comparing(ConferenceService.Slot::start)).forEach(s -> body
                    .append(line(s, zone, locale, w)).append('\n'));
            add(batch, first.guardian(), w[0] + " " + Text.neutralize(c.name(), false) + ": " + w[1], body.toString(), now,
                    "conference:" + c.id() + ":family:" + first.guardian());
        }
        for (List<ConferenceService.Slot> list : byTeacher.values()) {
            ConferenceService.Slot first = list.get(0);
            ZoneId zone = first.start().getZone();
            Locale locale = Locale.ENGLISH;
            String[] w = words(locale);
            StringBuilder body = new StringBuilder();
            body.append(w[0]).append(" \"").append(Text.neutralize(c.name(), false)).append("\", ")
                    .append(DateTimeFormatter.ofLocalizedDate(FormatStyle.FULL).withLocale(locale).format(first.start()))
                    .append(first.room() == null ? "" : ", " + w[3] + " " + Text.neutralize(first.room(), false)).append("\n\n");
            for (ConferenceService.Slot s : list) {
                body.append(time(s.start(), zone, locale)).append('-').append(time(s.end(), zone, locale)).append("  ")
                        .append(Text.neutralize(s.studentName(), false)).append(" (").append(Text.neutralize(s.guardianName(), false)).append(")\n");
            }
            add(batch, first.teacher(), w[0] + " " + Text.neutralize(c.name(), false) + ": " + list.size() + " meetings", body.toString(), now,
                    "conference:" + c.id() + ":teacher:" + first.teacher());
        }
        int[] counts = batch.size() == 0 ? new int[0] : batch.execute();
        int families = 0;
        int teachers = 0;
        for (int i = 0; i < counts.length; i++) {
            if (i < byFamily.size()) {
                families += counts[i];
            } else {
                teachers += counts[i];
            }
        }
        return new int[] {families, teachers};
    }

    private static String line(ConferenceService.Slot s, ZoneId zone, Locale locale, String[] w) {
        return time(s.start(), zone, locale) + "-" + time(s.end(), zone, locale) + "  " + Text.neutralize(s.teacherName(), false)
                + " (" + w[5] + " " + Text.neutralize(s.studentName(), false) + ")"
                + (s.room() == null ? "" : ", " + w[3] + " " + Text.neutralize(s.room(), false)) + "  [" + s.reference() + "]";
    }

    private static String time(ZonedDateTime t, ZoneId zone, Locale locale) {
        return DateTimeFormatter.ofLocalizedTime(FormatStyle.SHORT).withLocale(locale).format(t.withZoneSameInstant(zone));
    }

    private static String[] words(Locale locale) {
        return WORDS.getOrDefault(locale.getLanguage(), WORDS.get("en"));
    }

    private static void add(org.jdbi.v3.core.statement.PreparedBatch batch, String email, String subject, String body, Instant now,
                            String keyPrefix) {
        batch.bind("email", email).bind("subject", subject.length() > 500 ? subject.substring(0, 500) : subject)
                .bind("body", body.length() > 20000 ? body.substring(0, 20000) : body)
                .bind("due", ConferenceService.utc(now)).bind("key", keyPrefix + ":" + digest(subject + "\n" + body)).add();
    }

    private static String digest(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
