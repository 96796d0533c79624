package org.schedctl.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.schedctl.test.CliDriver;
import org.schedctl.test.CliDriver.Result;
import org.schedctl.test.TestDatabase;

/**
 * An external server the way an operator sets it up: the schema owned by an ordinary (non-superuser) role that
 * runs `db migrate`, and ordinary commands as schedctl_app. With RLS forced, the owner is subject to the
 * policies too, so this proves the SECURITY DEFINER functions (actor lookup, audit trigger) still work through
 * the owner's own policy, and that `db migrate` refuses to run as the runtime role.
 */
class ExternalOwnerIT {
    @Test
    void aNonSuperuserOwnerMigratesAndTheRuntimeRoleWorksUnderRls() throws Exception {
        TestDatabase.Server server = TestDatabase.server();
        String suffix = Long.toHexString(System.nanoTime()).toLowerCase(Locale.ROOT);
        String owner = "t_owner_" + suffix;
        String database = "t_external_" + suffix;
        Properties su = new Properties();
        if (server.user() != null) su.setProperty("user", server.user());
        if (server.password() != null) su.setProperty("password", server.password());
        try (Connection c = DriverManager.getConnection(server.adminUrl(), su); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + owner + " LOGIN PASSWORD 'ownerpw' NOSUPERUSER NOCREATEROLE NOBYPASSRLS");
            st.execute("CREATE DATABASE " + database + " OWNER " + owner);
        }
        try {
            String admin = server.adminUrl();
            int slash = admin.indexOf('/', "jdbc:postgresql://".length());
            int q = admin.indexOf('?');
            Map<String, String> env = new HashMap<>();
            env.put("SCHEDCTL_CONFIG", "/dev/null");
            env.put("SCHEDCTL_DB_URL", admin.substring(0, slash + 1) + database + (q < 0 ? "" : admin.substring(q)));
            env.put("SCHEDCTL_DB_USER", "schedctl_app");
            if (server.appPassword() != null) env.put("SCHEDCTL_DB_PASSWORD", server.appPassword());

            // Migrating as the runtime role would make it the owner: refused before anything is created.
            Result asApp = new CliDriver(env).withEnv("SCHEDCTL_DB_MIGRATE_USER", "schedctl_app").run("db", "migrate");
            assertEquals(6, asApp.exitCode(), asApp.toString());
            assertTrue(asApp.stderr().contains("must run as the owner"), asApp.toString());

            CliDriver cli = new CliDriver(env).withEnv("SCHEDCTL_DB_MIGRATE_USER", owner).withEnv("SCHEDCTL_DB_MIGRATE_PASSWORD", "ownerpw");
            Result notYet = cli.run("user", "list");
            assertEquals(5, notYet.exitCode(), notYet.toString());
            cli.run("db", "migrate").ok();
            assertTrue(cli.run("-o", "json", "db", "status").ok().stdout().contains("Success"));

            Result list = cli.run("user", "list").ok();
            assertFalse(list.stderr().contains("not enforced"), "schedctl_app needs no warning: " + list);
            cli.run("user", "add", "--name", "Ada", "--email", "ada@example.org", "--role", "instructor").ok();
            cli.run("user", "add", "--name", "Sam", "--email", "sam@example.org").ok();
            cli.run("--as", "ada@example.org", "type", "add", "--instructor", "ada@example.org", "--name", "Lesson", "--duration", "1h").ok();
            Result denied = cli.run("--as", "sam@example.org", "user", "add", "--name", "X", "--email", "x@example.org");
            assertEquals(6, denied.exitCode(), denied.toString());
            assertTrue(cli.run("-o", "json", "audit", "list", "--entity", "appointment_types").ok().stdout().contains("ada@example.org"),
                    "the audit trigger, owned by a non-superuser, still writes");

            // Connecting ordinary commands as the owner works but warns that nothing is enforced.
            Result asOwner = new CliDriver(env).withEnv("SCHEDCTL_DB_USER", owner).withEnv("SCHEDCTL_DB_PASSWORD", "ownerpw").run("user", "list");
            assertEquals(0, asOwner.exitCode(), asOwner.toString());
            assertTrue(asOwner.stderr().contains("permissions are not enforced"), asOwner.toString());
        } finally {
            try (Connection c = DriverManager.getConnection(server.adminUrl(), su); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
                st.execute("DROP ROLE IF EXISTS " + owner);
            }
        }
    }
}
