package org.schedctl.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.schedctl.config.Config;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.store.Connector;

/** Secrets never come from the command line and never show up in what schedctl prints. */
class SecretsTest {
    private static final Map<String, String> ENV = Map.of("SCHEDCTL_CONFIG", "/dev/null", "HOME", "/tmp");

    @Test
    void secretKeysAreRefusedAsFlags() {
        for (String key : new String[] {"db.password", "smtp.password", "webhook.secret", "push.gateway.token", "db.migrate.password"}) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Config.load(ENV, Config.flags(key, "hunter2")));
            assertTrue(e.getMessage().contains("never accepted on the command line") && e.getMessage().contains(Config.envName(key)), e.getMessage());
            assertFalse(e.getMessage().contains("hunter2"));
        }
        // From the environment they are fine.
        Config config = Config.load(Map.of("SCHEDCTL_CONFIG", "/dev/null", "SCHEDCTL_SMTP_PASSWORD", "hunter2"), Map.of());
        assertEquals("hunter2", config.get("smtp.password").orElseThrow());
        assertFalse(config.toString().contains("hunter2"));
    }

    @Test
    void credentialsMoveOutOfTheUrlAndAreMaskedWhenPrinted() {
        Connector.Target jdbc = Connector.toJdbc("jdbc:postgresql://db.example:5432/school?user=owner&password=s3cret&sslmode=require", null, null);
        assertEquals("jdbc:postgresql://db.example:5432/school?sslmode=require", jdbc.jdbcUrl());
        assertEquals("owner", jdbc.user());
        assertEquals("s3cret", jdbc.password());
        assertFalse(jdbc.toString().contains("s3cret"), jdbc.toString());
        assertFalse(jdbc.displayUrl().contains("s3cret"));

        Connector.Target libpq = Connector.toJdbc("postgresql://owner:s%33cret@db.example/school", null, null);
        assertEquals("jdbc:postgresql://db.example/school", libpq.jdbcUrl());
        assertEquals("s3cret", libpq.password());
        assertFalse(libpq.toString().contains("s3cret"));
    }

    @Test
    void runtimeAndOwnerCredentialsAreSeparate() {
        Map<String, String> env = Map.of("SCHEDCTL_CONFIG", "/dev/null",
                "SCHEDCTL_DB_URL", "postgresql://owner:ownerpw@db.example/school",
                "SCHEDCTL_DB_USER", "schedctl_app", "SCHEDCTL_DB_PASSWORD", "apppw");
        Config config = Config.load(env, Map.of());
        Connector.Target runtime = Connector.resolve(config, null);
        assertEquals("schedctl_app", runtime.user());
        assertEquals("apppw", runtime.password());
        Connector.Target owner = Connector.resolveOwner(config, null, runtime);
        assertEquals("owner", owner.user());
        assertEquals("ownerpw", owner.password());

        Map<String, String> explicit = new java.util.HashMap<>(env);
        explicit.put("SCHEDCTL_DB_URL", "jdbc:postgresql://db.example/school");
        explicit.put("SCHEDCTL_DB_MIGRATE_USER", "migrator");
        explicit.put("SCHEDCTL_DB_MIGRATE_PASSWORD", "migratorpw");
        Config second = Config.load(explicit, Map.of());
        Connector.Target owner2 = Connector.resolveOwner(second, null, Connector.resolve(second, null));
        assertEquals("migrator", owner2.user());
        assertEquals("migratorpw", owner2.password());

        // A single configured user (the setup before the runtime role existed) is used for both.
        Config legacy = Config.load(Map.of("SCHEDCTL_CONFIG", "/dev/null", "SCHEDCTL_DB_URL", "jdbc:postgresql://db.example/school",
                "SCHEDCTL_DB_USER", "someone", "SCHEDCTL_DB_PASSWORD", "pw"), Map.of());
        assertEquals("someone", Connector.resolveOwner(legacy, null, Connector.resolve(legacy, null)).user());
    }

    @Test
    void aPasswordInsideTheDbFlagIsRefused() {
        Config config = Config.load(ENV, Map.of());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Connector.resolve(config, "postgresql://u:s3cret@127.0.0.1:1/x"));
        assertFalse(e.getMessage().contains("s3cret"));
        assertThrows(InvalidInputException.class, () -> Connector.resolve(config, "jdbc:postgresql://127.0.0.1:1/x?password=s3cret"));
    }
}
