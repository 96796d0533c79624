package org.schedctl.notify;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

import org.schedctl.config.Config;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.notify.ReminderPolicy;
import org.schedctl.domain.notify.RetryPolicy;

/**
 * The notification settings of CLI.md read once from {@link Config}. A channel whose keys are missing is not an
 * error here: its rows fail with a message naming the missing key, so the other channels keep working.
 * {@link #toString()} leaves the secrets out.
 */
public record NotifyConfig(Smtp smtp, Http webhook, Http sms, Http push, RetryPolicy retry, Duration lease,
                           int batchSize, int senders, Duration httpTimeout, ReminderPolicy reminders, Duration poll) {

    public enum Tls { none, starttls, tls }

    public record Smtp(String host, int port, String from, String username, String password, Tls tls) {
        @Override
        public String toString() {
            return "Smtp[host=" + host + ", port=" + port + ", from=" + from + ", username=" + username + ", tls=" + tls + "]";
        }
    }

    /** An HTTP endpoint with its secret (the webhook's HMAC key, or a gateway's bearer token). */
    public record Http(String url, String secret) {
        @Override
        public String toString() {
            return "Http[url=" + (url == null ? null : "(set)") + "]";
        }
    }

    public static NotifyConfig from(Config config) {
        Tls tls;
        try {
            tls = Tls.valueOf(config.get("smtp.tls", "none").toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("smtp.tls must be none, starttls or tls. Fix it in the config file or SCHEDCTL_SMTP_TLS");
        }
        int defaultPort = tls == Tls.tls ? 465 : tls == Tls.starttls ? 587 : 25;
        Smtp smtp = new Smtp(config.get("smtp.host").orElse(null), integer(config, "smtp.port", defaultPort),
                config.get("smtp.from").orElse(null), config.get("smtp.username").orElse(null),
                config.get("smtp.password").orElse(null), tls);
        RetryPolicy retry = new RetryPolicy(integer(config, "notifications.max_attempts", RetryPolicy.DEFAULT.maxAttempts()),
                duration(config, "notifications.backoff", RetryPolicy.DEFAULT.base()), RetryPolicy.DEFAULT.cap());
        return new NotifyConfig(smtp,
                new Http(config.get("webhook.url").orElse(null), config.get("webhook.secret").orElse(null)),
                new Http(config.get("sms.gateway.url").orElse(null), config.get("sms.gateway.token").orElse(null)),
                new Http(config.get("push.gateway.url").orElse(null), config.get("push.gateway.token").orElse(null)),
                retry,
                duration(config, "notifications.lease", Duration.ofMinutes(5)),
                integer(config, "notifications.batch", 200),
                integer(config, "notifications.senders", 4),
                duration(config, "notifications.timeout", Duration.ofSeconds(15)),
                config.reminderOffsets().orElse(ReminderPolicy.parse(ReminderPolicy.DEFAULT_OFFSETS)),
                duration(config, "daemon.poll", Duration.ofSeconds(5)));
    }

    public NotifyConfig withRetry(RetryPolicy other) {
        return new NotifyConfig(smtp, webhook, sms, push, other, lease, batchSize, senders, httpTimeout, reminders, poll);
    }

    private static int integer(Config config, String key, int fallback) {
        Optional<String> text = config.get(key);
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.get());
            if (value < 1) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new InvalidInputException(key + " must be a positive whole number, got '" + text.get() + "'. Fix it in the config file or "
                    + Config.envName(key));
        }
    }

    private static Duration duration(Config config, String key, Duration fallback) {
        return config.duration(key).orElse(fallback);
    }
}
