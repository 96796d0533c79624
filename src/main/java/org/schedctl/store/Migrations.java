package org.schedctl.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.CoreErrorCode;
import org.flywaydb.core.api.ErrorCode;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.flywaydb.core.api.output.ValidateResult;
import org.schedctl.domain.UnavailableException;

/**
 * Flyway, used only by {@code db migrate}, {@code db status} and the embedded default's first use.
 *
 * <p>Versioned migrations ({@code V…}) hold structure; the live functions, triggers, views and function-calling
 * policies are repeatable migrations ({@code R__…}), which Flyway applies after the versioned ones whenever their
 * text changes. When the repeatable migrations were introduced, the function bodies were taken out of V1…V50, which
 * changed those files' checksums. A database migrated before that has the old checksums recorded;
 * {@link #migrate()} accepts exactly those (listed in {@link #PRE_REPEATABLE_CHECKSUMS}) and records the new ones
 * before migrating, which then applies the repeatable migrations (the same definitions the old files left behind).
 * Any other checksum mismatch still stops the migration, as Flyway's validation always did.
 */
public final class Migrations {
    /**
     * Flyway checksums of the versioned migrations as released before the repeatable migrations existed, by version:
     * the only recorded checksums {@link #migrate()} realigns with the files of this build. V40 did not change.
     * {@code MigrationUpgradeIT} checks them against a database migrated with verbatim copies of those files.
     */
    public static final Map<String, Integer> PRE_REPEATABLE_CHECKSUMS = Map.ofEntries(
            Map.entry("1", 482315271),
            Map.entry("10", 1871749160),
            Map.entry("11", -1838887390),
            Map.entry("12", -1119157197),
            Map.entry("20", -903969344),
            Map.entry("21", 1613550243),
            Map.entry("22", 969419324),
            Map.entry("23", -591343630),
            Map.entry("30", -453887120),
            Map.entry("31", 1776553722),
            Map.entry("45", 2144801484),
            Map.entry("46", 661779107),
            Map.entry("47", 2053043445),
            Map.entry("48", -1724215649),
            Map.entry("49", 575960382),
            Map.entry("50", -1720048321));

    /** Validation findings that migrate itself resolves by applying migrations, not errors. */
    private static final Set<ErrorCode> PENDING = Set.of(CoreErrorCode.RESOLVED_VERSIONED_MIGRATION_NOT_APPLIED,
            CoreErrorCode.RESOLVED_REPEATABLE_MIGRATION_NOT_APPLIED, CoreErrorCode.OUTDATED_REPEATABLE_MIGRATION);

    private final DataSource dataSource;
    private final Flyway flyway;

    public Migrations(DataSource dataSource) {
        this(dataSource, null);
    }

    /** Migrations up to {@code targetVersion} only (null: all), as a restore needs before it loads an older backup. */
    public Migrations(DataSource dataSource, String targetVersion) {
        this.dataSource = dataSource;
        var configuration = Flyway.configure();
        if (targetVersion != null) {
            configuration = configuration.target(targetVersion);
        }
        this.flyway = configuration
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .table("flyway_schema_history")
                .loggers("slf4j")
                .load();
    }

    public record Applied(String version, String description, String state) {
    }

    /**
     * Applies what is pending. A schema history this build's files do not match (a changed or missing file, a version
     * below the newest applied one) is refused with one line naming each finding, and nothing is applied.
     */
    public MigrateResult migrate() {
        realignRewrittenMigrations();
        try {
            return flyway.migrate();
        } catch (FlywayValidateException e) {
            String what = unexplained(flyway.validateWithResult()).stream()
                    .map(o -> o.errorDetails == null ? o.filepath : o.errorDetails.errorMessage.lines().findFirst().orElse("").strip())
                    .collect(Collectors.joining("; "));
            throw new UnavailableException("the database's migration history does not match this schedctl's migrations ("
                    + (what.isEmpty() ? e.getMessage().lines().findFirst().orElse("validation failed") : what)
                    + "). Nothing was migrated. Migrate it with the schedctl build that created it", e);
        }
    }

    /**
     * Records the current checksums of versioned migrations whose recorded checksum is that of the same file before
     * the repeatable migrations existed, if those are the only findings of Flyway's validation besides pending
     * migrations. Returns whether it did. Anything else (an unknown checksum, a missing file) is left for
     * {@code migrate} to refuse.
     */
    boolean realignRewrittenMigrations() {
        ValidateResult result = flyway.validateWithResult();
        if (result.validationSuccessful || !unexplained(result).isEmpty()) {
            return false;
        }
        boolean rewritten = result.invalidMigrations.stream()
                .anyMatch(o -> o.errorDetails != null && o.errorDetails.errorCode == CoreErrorCode.CHECKSUM_MISMATCH);
        if (rewritten) {
            flyway.repair();
        }
        return rewritten;
    }

    /** Validation findings that are neither pending migrations nor a known pre-repeatable checksum. */
    private List<ValidateOutput> unexplained(ValidateResult result) {
        if (result.validationSuccessful) {
            return List.of();
        }
        List<ValidateOutput> findings = result.invalidMigrations.stream()
                .filter(o -> o.errorDetails == null || !PENDING.contains(o.errorDetails.errorCode))
                .toList();
        if (findings.isEmpty()) {
            return findings;
        }
        Map<String, Integer> recorded = recordedChecksums();
        return findings.stream()
                .filter(o -> !(o.errorDetails != null && o.errorDetails.errorCode == CoreErrorCode.CHECKSUM_MISMATCH
                        && o.version != null && PRE_REPEATABLE_CHECKSUMS.containsKey(o.version)
                        && PRE_REPEATABLE_CHECKSUMS.get(o.version).equals(recorded.get(o.version))))
                .toList();
    }

    /** Version → checksum of its successful entry in the schema history. */
    private Map<String, Integer> recordedChecksums() {
        Map<String, Integer> m = new HashMap<>();
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(
                     "SELECT version, checksum FROM flyway_schema_history WHERE success AND version IS NOT NULL AND checksum IS NOT NULL")) {
            while (rs.next()) {
                m.put(rs.getString(1), rs.getInt(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the schema history: " + e.getMessage(), e);
        }
        return m;
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
