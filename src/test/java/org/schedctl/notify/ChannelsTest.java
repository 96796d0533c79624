package org.schedctl.notify;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.schedctl.config.Config;
import org.schedctl.domain.InvalidInputException;

/** Channel set-up from configuration: missing keys become clear per-row errors, never a crash or a leaked secret. */
class ChannelsTest {
    private static final OutboundMessage MESSAGE = new OutboundMessage(1, "k", "reminder", "webhook", "ops", "Sam", "s", "b", 1,
            null, null, null, null, null, null);

    private static String failure(Channels channels, String channel) {
        return assertThrows(DeliveryException.class, () -> channels.forName(channel).send(MESSAGE)).getMessage();
    }

    @Test
    void unconfiguredChannelsNameTheMissingKey() {
        Channels channels = new Channels(OutboxFixture.config(), java.time.Clock.systemUTC());
        assertTrue(failure(channels, "email").startsWith("smtp.host is not set. Set SCHEDCTL_SMTP_HOST"));
        assertTrue(failure(channels, "webhook").startsWith("webhook.url is not set"));
        assertTrue(failure(channels, "sms").startsWith("sms.gateway.url is not set"));
        assertTrue(failure(channels, "push").startsWith("push.gateway.url is not set"));
        assertTrue(failure(channels, "pigeon").contains("unknown channel"));
        assertDoesNotThrow(() -> channels.forName("in_app").send(MESSAGE));
    }

    @Test
    void aUrlWithoutItsSecretOrWithAnotherSchemeIsRefused() {
        assertTrue(failure(new Channels(OutboxFixture.config("webhook.url", "http://127.0.0.1:9/hook"), java.time.Clock.systemUTC()), "webhook")
                .startsWith("webhook.secret is not set"));
        assertTrue(failure(new Channels(OutboxFixture.config("sms.gateway.url", "file:///etc/passwd", "sms.gateway.token", "t"), java.time.Clock.systemUTC()), "sms")
                .contains("must be an http:// or https:// URL"));
    }

    @Test
    void secretsStayOutOfToStringAndOffTheCommandLine() {
        NotifyConfig config = OutboxFixture.config("smtp.host", "mail.example.org", "smtp.password", "hunter2",
                "webhook.url", "https://hooks.example.org/x?token=abc", "webhook.secret", "whsec", "sms.gateway.token", "smstok");
        String shown = config.toString();
        for (String secret : new String[] {"hunter2", "whsec", "smstok", "token=abc"}) {
            assertFalse(shown.contains(secret), shown);
        }
        assertThrows(InvalidInputException.class, () -> Config.load(Map.of("SCHEDCTL_CONFIG", "/dev/null"),
                Map.of("webhook.secret", "on-the-command-line")));
    }

    @Test
    void badSettingsAreInputErrors() {
        assertEquals("smtp.tls must be none, starttls or tls. Fix it in the config file or SCHEDCTL_SMTP_TLS",
                assertThrows(InvalidInputException.class, () -> OutboxFixture.config("smtp.tls", "ssl3")).getMessage());
        assertThrows(InvalidInputException.class, () -> OutboxFixture.config("notifications.max_attempts", "0"));
        assertThrows(InvalidInputException.class, () -> OutboxFixture.config("daemon.poll", "soon"));
        assertEquals(587, OutboxFixture.config("smtp.host", "h", "smtp.tls", "starttls").smtp().port());
    }
}
