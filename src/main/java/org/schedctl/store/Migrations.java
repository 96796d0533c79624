package org.schedctl.store;

import java.util.List;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;

/** Flyway, used only by {@code db migrate}, {@code db status} and the embedded default's first use. */
public final class Migrations {
    private final Flyway flyway;

    public Migrations(DataSource dataSource) {
        this(dataSource, null);
    }

    /** Migrations up to {@code targetVersion} only (null: all), as a restore needs before it loads an older backup. */
    public Migrations(DataSource dataSource, String targetVersion) {
        var configuration = Flyway.configure();
        if (targetVersion != null) {
            configuration = configuration.target(targetVersion);
        }
        this.flyway = configuration
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .table("flyway_schema_history")
                // Each branch owns a version range (CONVENTIONS.md), so a range below the newest applied version
                // can land later (V20 after V30): such a migration must still be applied, not refused.
                .outOfOrder(true)
                .loggers("slf4j")
                .load();
    }

    public record Applied(String version, String description, String state) {
    }

    public MigrateResult migrate() {
        return flyway.migrate();
    }

    public List<Applied> status() {
        return java.util.Arrays.stream(flyway.info().all())
                .map(m -> new Applied(m.getVersion() == null ? "" : m.getVersion().getVersion(), m.getDescription(),
                        m.getState().getDisplayName()))
                .toList();
    }

    public int pending() {
        MigrationInfo[] pending = flyway.info().pending();
        return pending.length;
    }
}
