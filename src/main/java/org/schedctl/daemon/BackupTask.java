package org.schedctl.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.schedctl.cli.DbCommand;
import org.schedctl.config.Config;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.store.Backup;
import org.schedctl.store.Connector;

/**
 * The daemon's backup: with {@code backup.dir} set, a `db backup` into that directory every {@code backup.every}
 * (default a day), keeping the newest {@code backup.keep} (default 7) of the files it names itself. Files of other
 * names in the directory are never touched.
 */
public final class BackupTask {
    public static final Duration DEFAULT_EVERY = Duration.ofDays(1);
    public static final int DEFAULT_KEEP = 7;
    /** The names {@link DbCommand#defaultBackupFile} gives; they sort by time. */
    static final Pattern OWN = Pattern.compile("schedctl-[0-9]{8}T[0-9]{6}Z\\.zip");

    /** What one run did. */
    public record Run(Backup.Result backup, List<String> removed) {
    }

    private final Path dir;
    private final int keep;
    private final Connector.Target owner;
    private final Clock clock;

    BackupTask(Path dir, int keep, Connector.Target owner, Clock clock) {
        this.dir = dir;
        this.keep = keep;
        this.owner = owner;
        this.clock = clock;
    }

    /** Adds the task when {@code backup.dir} is set; a bad value stops the daemon before it starts (exit 2). */
    public static void addTo(DaemonTasks tasks, Config config, java.util.function.Supplier<Connector.Target> owner, Clock clock) {
        String dirText = config.get("backup.dir").orElse(null);
        if (dirText == null || dirText.isBlank()) {
            return;
        }
        int keep = config.limit("backup.keep").map(l -> l.orElse(Integer.MAX_VALUE)).orElse(DEFAULT_KEEP);
        Duration every = config.duration("backup.every").orElse(DEFAULT_EVERY);
        Path dir = Path.of(dirText).toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new InvalidInputException("backup.dir: cannot create " + dir + " (" + e.getMessage() + "). Fix it in "
                    + config.filePath() + " or " + Config.envName("backup.dir"));
        }
        BackupTask task = new BackupTask(dir, keep, owner.get(), clock);
        tasks.add("backup", every, task::run);
    }

    Run run() {
        Instant now = clock.instant();
        Path file = DbCommand.defaultBackupFile(dir, now);
        Backup.Result made = Backup.write(owner, file, now);
        return new Run(made, rotate());
    }

    /** Deletes this task's own files beyond the newest {@code keep}; only after a new backup was written. */
    List<String> rotate() {
        List<Path> own;
        try (Stream<Path> files = Files.list(dir)) {
            own = files.filter(p -> OWN.matcher(p.getFileName().toString()).matches()).sorted().toList();
        } catch (IOException e) {
            throw new InvalidInputException("cannot list backup.dir " + dir + " (" + e.getMessage() + ")");
        }
        List<String> removed = new ArrayList<>();
        for (int i = 0; i < own.size() - keep; i++) {
            try {
                Files.deleteIfExists(own.get(i));
                removed.add(own.get(i).getFileName().toString());
            } catch (IOException e) {
                throw new InvalidInputException("cannot delete the old backup " + own.get(i) + " (" + e.getMessage() + ")");
            }
        }
        return removed;
    }
}
