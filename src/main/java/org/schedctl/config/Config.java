package org.schedctl.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.schedctl.domain.Durations;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.domain.notify.ReminderPolicy;

/**
 * Configuration with the precedence of CLI.md: flag &gt; environment &gt; config file &gt; default.
 * Every key {@code a.b} can come from the environment as {@code SCHEDCTL_A_B}. Secrets ({@code *.password},
 * {@code *.secret}, {@code *.token}) come from the environment or the file only, and {@link #toString()} never shows them.
 */
public final class Config {
    private final Map<String, String> flags;
    private final Map<String, String> env;
    private final Properties file;
    private final Path filePath;

    private Config(Map<String, String> flags, Map<String, String> env, Properties file, Path filePath) {
        this.flags = Map.copyOf(flags);
        this.env = env;
        this.file = file;
        this.filePath = filePath;
    }

    public static Config load(Map<String, String> env, Map<String, String> flags) {
        Path path = configPath(env);
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            if (env.get("SCHEDCTL_CONFIG") != null) {
                throw new InvalidInputException("config file " + path + " (from SCHEDCTL_CONFIG) does not exist. Create it or unset SCHEDCTL_CONFIG");
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidInputException("cannot read config file " + path + ": " + e.getMessage() + ". Fix or remove the file");
        }
        for (String key : flags.keySet()) {
            if (isSecret(key)) {
                throw new InvalidInputException(key + " is a secret and is never accepted on the command line. Set "
                        + envName(key) + " or put it in " + path);
            }
        }
        return new Config(flags, env, properties, path);
    }

    /**
     * A config of these settings alone, read from no file and no environment (in-process tools and tests that build
     * {@code Services} themselves); every other key has its default.
     */
    public static Config of(Map<String, String> settings) {
        return new Config(settings, Map.of(), new Properties(), Path.of("config.properties"));
    }

    public static Path configPath(Map<String, String> env) {
        String explicit = env.get("SCHEDCTL_CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(home(env), ".config");
        return base.resolve("schedctl").resolve("config.properties");
    }

    /** {@code $SCHEDCTL_HOME}, else {@code ${XDG_DATA_HOME:-~/.local/share}/schedctl}. */
    public Path dataHome() {
        String explicit = env.get("SCHEDCTL_HOME");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = env.get("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(home(env), ".local", "share");
        return base.resolve("schedctl");
    }

    private static String home(Map<String, String> env) {
        String home = env.get("HOME");
        return home != null && !home.isBlank() ? home : System.getProperty("user.home");
    }

    public Optional<String> get(String key) {
        String v = isSecret(key) ? null : flags.get(key);
        if (v == null) {
            v = env.get(envName(key));
        }
        if (v == null) {
            v = file.getProperty(key);
        }
        return Optional.ofNullable(v).map(String::trim).filter(s -> !s.isEmpty());
    }

    public String get(String key, String fallback) {
        return get(key).orElse(fallback);
    }

    /** A positive duration under {@code key}; a bad value is an error that names the key and where to fix it. */
    public Optional<Duration> duration(String key) {
        return parsed(key, text -> Durations.parsePositive(text, "the value"));
    }

    /**
     * A limit under {@code key}: a positive whole number, or {@code none} for no limit (an empty optional inside);
     * absent when the key is unset. A bad value is an error that names the key and where to fix it.
     */
    public Optional<java.util.OptionalInt> limit(String key) {
        return parsed(key, text -> {
            if (text.equalsIgnoreCase("none")) {
                return java.util.OptionalInt.empty();
            }
            if (text.matches("[0-9]{1,9}") && Integer.parseInt(text) > 0) {
                return java.util.OptionalInt.of(Integer.parseInt(text));
            }
            throw new InvalidInputException("'" + org.schedctl.domain.Text.printable(text) + "' is not a positive whole number or none");
        });
    }

    /**
     * The school's default reminder offsets ({@code reminders.offsets}, e.g. {@code 24h,1h,15m}, or {@code none}),
     * empty when unset; a bad value is an error that names the key and where to fix it.
     */
    public Optional<ReminderPolicy> reminderOffsets() {
        return parsed("reminders.offsets", ReminderPolicy::parse);
    }

    /** The value under {@code key} through {@code parser}; its refusal is re-worded to name the key and where it is set. */
    private <T> Optional<T> parsed(String key, java.util.function.Function<String, T> parser) {
        return get(key).map(text -> {
            try {
                return parser.apply(text);
            } catch (InvalidInputException e) {
                throw new InvalidInputException(key + ": " + e.getMessage() + ". Fix it in " + filePath + " or " + envName(key));
            }
        });
    }

    public Map<String, String> env() {
        return env;
    }

    public Path filePath() {
        return filePath;
    }

    public static String envName(String key) {
        return "SCHEDCTL_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    public static boolean isSecret(String key) {
        return key.endsWith(".password") || key.endsWith(".secret") || key.endsWith(".token")
                || key.equals("encryption.key") || key.equals("encryption.old_keys");
    }

    /** Flags given on the command line, as config keys. */
    public static Map<String, String> flags(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                m.put(keyValues[i], keyValues[i + 1]);
            }
        }
        return m;
    }

    @Override
    public String toString() {
        return "Config[file=" + filePath + "]";
    }
}
