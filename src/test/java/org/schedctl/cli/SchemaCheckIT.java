package org.schedctl.cli;

import static org.schedctl.cli.FoundationCommandsIT.assertError;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.schedctl.store.Schema;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/**
 * An external database that is not migrated, or whose functions differ from this build's: ordinary commands refuse
 * with exit 5, `db migrate` fixes it.
 */
class SchemaCheckIT {
    @Test
    void ordinaryCommandsAskForMigrateThenWork() throws Exception {
        TestDatabase.Server server = TestDatabase.server();
        String name = "t_schemacheck_" + Long.toHexString(System.nanoTime());
        Properties p = new Properties();
        if (server.user() != null) p.setProperty("user", server.user());
        if (server.password() != null) p.setProperty("password", server.password());
        try (Connection c = DriverManager.getConnection(server.adminUrl(), p); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        try {
            Map<String, String> env = new HashMap<>();
            String admin = server.adminUrl();
            int slash = admin.indexOf('/', "jdbc:postgresql://".length());
            int q = admin.indexOf('?');
            env.put("SCHEDCTL_DB_URL", admin.substring(0, slash + 1) + name + (q < 0 ? "" : admin.substring(q)));
            if (server.user() != null) env.put("SCHEDCTL_DB_USER", server.user());
            if (server.password() != null) env.put("SCHEDCTL_DB_PASSWORD", server.password());
            env.put("SCHEDCTL_CONFIG", "/dev/null");
            CliDriver cli = new CliDriver(env);
            assertError(cli.run("user", "list"), 5, "schedctl db migrate");
            cli.run("db", "migrate").ok();
            cli.run("user", "list").ok();

            // A changed repeatable migration (here: the database recorded other text for R__40) is noticed too.
            try (Connection c = DriverManager.getConnection(env.get("SCHEDCTL_DB_URL"), p); Statement st = c.createStatement()) {
                st.execute("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE script = 'R__40_outbox.sql'");
            }
            assertError(cli.run("user", "list"), 5, "(1 of " + Schema.REPEATABLE_MIGRATIONS.size()
                    + " repeatable migrations to apply). Run `schedctl db migrate`");
            cli.run("db", "migrate").ok();
            cli.run("user", "list").ok();
        } finally {
            try (Connection c = DriverManager.getConnection(server.adminUrl(), p); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }
}
