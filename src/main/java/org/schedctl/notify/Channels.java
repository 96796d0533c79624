package org.schedctl.notify;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

import org.schedctl.config.Config;

/**
 * The channels of one process, built from {@link NotifyConfig}. A channel that is not configured is still
 * present: it fails each message with the missing key's name, so that row goes dead after its retries while
 * every other channel keeps working.
 */
public final class Channels {
    public enum Name { email, sms, push, in_app, webhook }

    private final Map<Name, Channel> channels = new EnumMap<>(Name.class);

    /** @param clock the time of each attempt, as signed into webhook and gateway calls */
    public Channels(NotifyConfig config, Clock clock) {
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(config.httpTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        channels.put(Name.in_app, message -> { });
        channels.put(Name.email, config.smtp().host() == null ? missing("smtp.host")
                : new EmailChannel(config.smtp(), config.httpTimeout()));
        channels.put(Name.webhook, http(HttpChannel.Kind.webhook, config.webhook(), "webhook.url", "webhook.secret", http, config, clock));
        channels.put(Name.sms, http(HttpChannel.Kind.sms, config.sms(), "sms.gateway.url", "sms.gateway.token", http, config, clock));
        channels.put(Name.push, http(HttpChannel.Kind.push, config.push(), "push.gateway.url", "push.gateway.token", http, config, clock));
    }

    public Channel forName(String name) {
        try {
            return channels.get(Name.valueOf(name.toLowerCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return message -> {
                throw new DeliveryException("unknown channel '" + name + "'");
            };
        }
    }

    private static Channel http(HttpChannel.Kind kind, NotifyConfig.Http endpoint, String urlKey, String secretKey,
                                HttpClient client, NotifyConfig config, Clock clock) {
        if (endpoint.url() == null) {
            return missing(urlKey);
        }
        if (endpoint.secret() == null) {
            return missing(secretKey);
        }
        URI url;
        try {
            url = URI.create(endpoint.url());
        } catch (IllegalArgumentException e) {
            return broken(urlKey + " is not a valid URL");
        }
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            return broken(urlKey + " must be an http:// or https:// URL");
        }
        return new HttpChannel(kind, url, endpoint.secret(), client, config.httpTimeout(), clock);
    }

    private static Channel missing(String key) {
        return broken(key + " is not set. Set " + Config.envName(key) + " or " + key + " in the config file");
    }

    private static Channel broken(String reason) {
        return message -> {
            throw new DeliveryException(reason);
        };
    }
}
