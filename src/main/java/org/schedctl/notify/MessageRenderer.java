package org.schedctl.notify;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.NumberFormat;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheResolver;
import org.schedctl.config.Config;

/**
 * Renders what an outbox row owes into the text a person receives, when it is sent: from the appointment as it
 * is then ({@link MessageFacts}), in the recipient's locale and zone, with Mustache templates.
 *
 * <p>Templates live in {@code org/schedctl/notify/templates/LOCALE/} (English and Korean ship complete). For
 * part P (subject, text, html) of kind K on channel C the first of {@code K.C.P}, {@code C.P}, {@code K.P},
 * {@code P} that exists is used, looked up for the recipient's language tag (e.g. {@code ko-KR}), then its
 * language ({@code ko}), then English. A school overrides any template, partials included, with a file of the
 * same name under {@code templates/LOCALE/} beside its config file. The html part escapes values; the others
 * are plain text and take values as they are.
 */
public final class MessageRenderer {
    private static final String RESOURCES = "org/schedctl/notify/templates/";
    private static final Locale FALLBACK = Locale.ENGLISH;

    private final Path overrides;
    private final Clock clock;
    private final Map<String, Factories> byLocale = new ConcurrentHashMap<>();

    public MessageRenderer(Path overrides, Clock clock) {
        this.overrides = overrides;
        this.clock = clock;
    }

    /** Templates overridden from {@code templates/} beside the config file. */
    public static MessageRenderer forConfig(Config config, Clock clock) {
        Path dir = config.filePath().toAbsolutePath().getParent();
        return new MessageRenderer(dir == null ? null : dir.resolve("templates"), clock);
    }

    public List<OutboundMessage> renderAll(List<MessageFacts> facts) {
        List<OutboundMessage> messages = new ArrayList<>(facts.size());
        for (MessageFacts f : facts) {
            messages.add(render(f));
        }
        return messages;
    }

    /** The message as it would go out now. */
    public OutboundMessage render(MessageFacts f) {
        if (f.appointmentReference() == null && f.composedBody() != null) {
            // A message about no single appointment, composed by its writer in the recipient's language and zone
            // (a parents' evening timetable, ConferenceMessages): sent as written.
            return new OutboundMessage(f.id(), f.idempotencyKey(), f.kind(), f.channel(), f.recipient(), f.recipientName(),
                    f.composedSubject(), f.composedBody(), f.attempts(), null, null, null, null, null, null, null, null);
        }
        Locale locale = locale(f.recipientLocale());
        ZoneId zone = zone(f.recipientZone(), f.appointmentZone());
        Factories factories = byLocale.computeIfAbsent(locale.toLanguageTag(), tag -> new Factories(chain(locale)));
        Map<String, Object> context = context(f, locale, zone);
        String subject = oneLine(factories.render(factories.text, f.kind(), f.channel(), "subject", context));
        context.put("subject", subject);
        String text = factories.render(factories.text, f.kind(), f.channel(), "text", context).strip();
        String html = null;
        if ("email".equals(f.channel())) {
            context.put("lines", text.lines().filter(line -> !line.isBlank()).toList());
            html = factories.render(factories.html, f.kind(), f.channel(), "html", context);
        }
        return new OutboundMessage(f.id(), f.idempotencyKey(), f.kind(), f.channel(), f.recipient(), f.recipientName(),
                subject, text, f.attempts(), f.appointmentReference(), f.startsAt(), f.endsAt(), f.appointmentTitle(),
                f.instructorName(), f.instructorEmail(), html,
                "email".equals(f.channel()) ? IcsInvitation.of(f, clock.instant()) : null);
    }

    private static Map<String, Object> context(MessageFacts f, Locale locale, ZoneId zone) {
        Map<String, Object> c = new HashMap<>();
        DateTimeFormatter date = DateTimeFormatter.ofLocalizedDate(FormatStyle.FULL).withLocale(locale).withZone(zone);
        DateTimeFormatter time = DateTimeFormatter.ofLocalizedTime(FormatStyle.SHORT).withLocale(locale).withZone(zone);
        c.put("lang", locale.toLanguageTag());
        c.put("kind", f.kind());
        c.put("reference", f.appointmentReference());
        c.put("title", f.appointmentTitle());
        c.put("instructor", f.instructorName());
        c.put("student", f.studentName());
        c.put("recipient", f.recipientName());
        c.put("pending", "pending".equals(f.appointmentStatus()));
        if (f.startsAt() != null) {
            c.put("date", date.format(f.startsAt()));
            c.put("time", time.format(f.startsAt()));
        }
        if (f.endsAt() != null) {
            c.put("endTime", time.format(f.endsAt()));
        }
        c.put("zone", zone.getDisplayName(TextStyle.FULL, locale));
        c.put("zoneId", zone.getId());
        if (f.previousStart() != null) {
            c.put("previous", date.format(f.previousStart()) + " " + time.format(f.previousStart()));
        }
        if (f.remindBeforeSeconds() != null) {
            c.put("remindBefore", duration(Duration.ofSeconds(f.remindBeforeSeconds()), locale));
        }
        if ("cancelled".equals(f.kind()) || "declined".equals(f.kind())) {
            c.put("reason", f.cancelReason());
        }
        if ("cancelled".equals(f.kind()) && f.fee() != null && f.fee().signum() > 0 && f.currency() != null) {
            NumberFormat money = NumberFormat.getCurrencyInstance(locale);
            money.setCurrency(Currency.getInstance(f.currency()));
            c.put("fee", money.format(f.fee()));
            c.put("feeWaived", f.feeWaived());
        }
        if (f.holdId() != null && "waitlist_offer".equals(f.kind())) {
            c.put("holdId", f.holdId());
            c.put("holdExpires", f.holdExpiresAt() == null ? "" : date.format(f.holdExpiresAt()) + " " + time.format(f.holdExpiresAt()));
        }
        c.put("note", f.note());
        return c;
    }

    /** "24 hours", "1 hour 30 minutes"; "24시간", "1시간 30분" in Korean. */
    static String duration(Duration d, Locale locale) {
        long days = d.toDays();
        long hours = d.toHoursPart();
        long minutes = d.toMinutesPart();
        if (days > 0 && hours == 0 && minutes == 0 && d.toHours() <= 48) {
            hours = d.toHours();
            days = 0;
        }
        boolean korean = "ko".equals(locale.getLanguage());
        List<String> parts = new ArrayList<>();
        if (days > 0) {
            parts.add(korean ? days + "일" : days + (days == 1 ? " day" : " days"));
        }
        if (hours > 0) {
            parts.add(korean ? hours + "시간" : hours + (hours == 1 ? " hour" : " hours"));
        }
        if (minutes > 0 || parts.isEmpty()) {
            parts.add(korean ? minutes + "분" : minutes + (minutes == 1 ? " minute" : " minutes"));
        }
        return String.join(" ", parts);
    }

    private static Locale locale(String tag) {
        if (tag == null || tag.isBlank()) {
            return FALLBACK;
        }
        Locale locale = Locale.forLanguageTag(tag);
        return locale.getLanguage().isEmpty() ? FALLBACK : locale;
    }

    /** The recipient's zone, else the appointment's, else UTC; never the JVM's default. */
    private static ZoneId zone(String... candidates) {
        for (String id : candidates) {
            if (id != null) {
                try {
                    return ZoneId.of(id);
                } catch (DateTimeException e) {
                    // try the next
                }
            }
        }
        return ZoneOffset.UTC;
    }

    /** ko-KR → [ko-KR, ko, en]. */
    private static List<String> chain(Locale locale) {
        Set<String> tags = new LinkedHashSet<>();
        tags.add(locale.toLanguageTag());
        tags.add(locale.getLanguage());
        tags.add(FALLBACK.getLanguage());
        return List.copyOf(tags);
    }

    private static String oneLine(String text) {
        return MessageKeys.oneLine(text).strip();
    }

    /** The compiled templates of one locale chain: a plain-text factory and an HTML-escaping one. */
    private final class Factories implements MustacheResolver {
        private final List<String> tags;
        final DefaultMustacheFactory text;
        final DefaultMustacheFactory html;
        private final Map<String, Optional<String>> chosen = new ConcurrentHashMap<>();

        Factories(List<String> tags) {
            this.tags = tags;
            this.text = new DefaultMustacheFactory(this) {
                @Override
                public void encode(String value, Writer writer) {
                    try {
                        writer.write(value);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };
            this.html = new DefaultMustacheFactory(this);
        }

        String render(DefaultMustacheFactory factory, String kind, String channel, String part, Map<String, Object> context) {
            String key = kind + "." + channel + "." + part;
            String name = chosen.computeIfAbsent(key, k -> first(kind + "." + channel + "." + part, channel + "." + part,
                    kind + "." + part, part)).orElseThrow(() -> new IllegalStateException("no template for " + key));
            Mustache template = factory.compile(name + ".mustache"); // partials inherit the extension
            StringWriter out = new StringWriter();
            template.execute(out, context);
            return out.toString();
        }

        /** The first name with a template in the most specific locale that has any of them. */
        private Optional<String> first(String... names) {
            for (String tag : tags) {
                for (String name : names) {
                    if (source(tag, name) != null) {
                        return Optional.of(name);
                    }
                }
            }
            return Optional.empty();
        }

        /** The template's text: the school's file before the shipped one, the locale chain in order. */
        @Override
        public Reader getReader(String resourceName) {
            // partials arrive as "details.mustache" (or "/details.mustache"), templates by their bare name
            String name = resourceName.replaceFirst("^/+", "").replaceFirst("\\.mustache$", "");
            for (String tag : tags) {
                String source = source(tag, name);
                if (source != null) {
                    return new StringReader(source);
                }
            }
            return null;
        }

        private String source(String tag, String name) {
            String file = tag + "/" + name + ".mustache";
            try {
                if (overrides != null) {
                    Path path = overrides.resolve(file);
                    if (Files.isRegularFile(path)) {
                        return Files.readString(path, StandardCharsets.UTF_8);
                    }
                }
                try (InputStream in = MessageRenderer.class.getClassLoader().getResourceAsStream(RESOURCES + file)) {
                    return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read template " + file + ": " + e.getMessage(), e);
            }
        }
    }
}
