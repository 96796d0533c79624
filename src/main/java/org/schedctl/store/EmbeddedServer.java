package org.schedctl.store;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.schedctl.domain.UnavailableException;
import org.tukaani.xz.XZInputStream;

/**
 * The embedded default: a real PostgreSQL server that schedctl runs itself from the binaries Maven ships
 * (io.zonky.test.postgres), with its data under {@code $SCHEDCTL_HOME}. The server outlives the command that
 * started it, so the next command connects in milliseconds; {@code schedctl db stop} stops it.
 *
 * <p>Written by hand rather than with zonky's own {@code EmbeddedPostgres} because that class is built for
 * tests: it stops the server in a shutdown hook and picks a new port each time, where a CLI needs one
 * long-lived server per home shared by concurrent commands.
 *
 * <p>PostgreSQL refuses to run as root; as root we start it in a new user namespace ({@code unshare -U}),
 * where it runs as the unmapped "nobody" that owns its files from its own point of view.
 */
public final class EmbeddedServer {
    public static final String SUPERUSER = "postgres";
    private static final String BINARIES_RESOURCE = "postgres-linux-x86_64.txz";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path home;
    private final Path dataDir;
    private final Path runDir;
    private final Path logFile;

    public EmbeddedServer(Path home) {
        this.home = home.toAbsolutePath().normalize();
        this.dataDir = this.home.resolve("data");
        this.runDir = this.home.resolve("run");
        this.logFile = this.home.resolve("server.log");
    }

    public Path home() {
        return home;
    }

    public Path logFile() {
        return logFile;
    }

    /** The port of a running server, read from its pid file, when its postmaster is alive and accepts connections. */
    public Optional<Integer> runningPort() {
        Path pidFile = dataDir.resolve("postmaster.pid");
        List<String> lines;
        try {
            lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (lines.size() < 4) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(lines.get(0).trim());
            int port = Integer.parseInt(lines.get(3).trim());
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && accepts(port)) {
                return Optional.of(port);
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** JDBC URL for a database of the running server, starting (and if need be creating) it first. */
    public int ensureStarted() {
        Optional<Integer> running = runningPort();
        if (running.isPresent()) {
            return running.get();
        }
        createHome();
        return underServerLock("start the embedded database", this::startLocked);
    }

    /**
     * Runs a change of the server's state (start, stop) under a file lock shared by every process on this home,
     * so a command starting the server can never race a `db stop` (pg_ctl would wait for the pid file of a
     * server another command had just started). File locks are per JVM, so threads of one JVM (tests, the
     * daemon) also queue on a monitor.
     */
    private <T> T underServerLock(String what, java.util.function.Supplier<T> work) {
        synchronized (EmbeddedServer.class) {
            try (FileChannel channel = FileChannel.open(home.resolve("server.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                return work.get();
            } catch (FileSystemException e) {
                throw diskProblem(e);
            } catch (IOException e) {
                throw new UnavailableException("cannot " + what + " under " + home + ": " + e.getMessage()
                        + ". Check the directory, or use --db to name a PostgreSQL server", e);
            }
        }
    }

    private int startLocked() {
        Optional<Integer> running = runningPort();
        if (running.isPresent()) {
            return running.get();
        }
        try {
            Path binaries = unpackBinaries();
            if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
                initdb(binaries);
            }
            return start(binaries);
        } catch (FileSystemException e) {
            throw diskProblem(e);
        } catch (IOException e) {
            throw new UnavailableException("cannot start the embedded database under " + home + ": " + e.getMessage()
                    + ". Check the directory, or use --db to name a PostgreSQL server", e);
        }
    }

    /** Stops the server if it runs; returns whether it was running. */
    public boolean stop() {
        if (runningPort().isEmpty()) {
            return false;
        }
        return underServerLock("stop the embedded database", () -> {
            if (runningPort().isEmpty()) {
                return false;
            }
            run(List.of(binariesDir().resolve("bin/pg_ctl").toString(), "-D", dataDir.toString(), "-m", "fast", "-t", "60", "-w", "stop"),
                    "stop the embedded database");
            return true;
        });
    }

    private void createHome() {
        try {
            Files.createDirectories(home);
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw diskProblem(e);
        }
    }

    private UnavailableException diskProblem(IOException e) {
        String what = e instanceof AccessDeniedException ? "permission denied" : String.valueOf(e.getMessage());
        return new UnavailableException("cannot use the embedded database directory " + home + " (" + what
                + "). Make it writable, set SCHEDCTL_HOME to another directory, or use --db", e);
    }

    private Path binariesDir() {
        String version = BuildInfo.postgresBinariesVersion();
        return home.resolve("pg-" + (version == null ? "unknown" : version));
    }

    private Path unpackBinaries() throws IOException {
        Path target = binariesDir();
        if (Files.exists(target.resolve(".complete"))) {
            return target;
        }
        Path partial = home.resolve(target.getFileName() + ".partial-" + ProcessHandle.current().pid());
        try (InputStream raw = EmbeddedServer.class.getClassLoader().getResourceAsStream(BINARIES_RESOURCE)) {
            if (raw == null) {
                throw new UnavailableException("this build has no embedded PostgreSQL for " + System.getProperty("os.name") + "/"
                        + System.getProperty("os.arch") + ". Use --db or SCHEDCTL_DB_URL to name a PostgreSQL server");
            }
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new BufferedInputStream(raw, 1 << 16)))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Path out = partial.resolve(entry.getName()).normalize();
                    if (!out.startsWith(partial)) {
                        throw new IOException("unsafe path in PostgreSQL archive: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(out);
                    } else if (entry.isSymbolicLink()) {
                        Files.createDirectories(out.getParent());
                        Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                    } else {
                        Files.createDirectories(out.getParent());
                        Files.copy(tar, out);
                        if ((entry.getMode() & 0100) != 0 || entry.getName().startsWith("bin/")) {
                            Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxr-xr-x"));
                        }
                    }
                }
            }
        }
        Files.createFile(partial.resolve(".complete"));
        Files.move(partial, target);
        return target;
    }

    private void initdb(Path binaries) throws IOException {
        Files.createDirectories(dataDir);
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
        run(List.of(binaries.resolve("bin/initdb").toString(), "-A", "trust", "-U", SUPERUSER, "-D", dataDir.toString(),
                "-E", "UTF-8", "--locale=C", "--no-sync"), "initialise the embedded database");
        String conf = String.join("\n",
                "",
                "# schedctl embedded server",
                "listen_addresses = '127.0.0.1'",
                "port = " + freePort(),
                "unix_socket_directories = '" + runDir + "'",
                "timezone = 'UTC'",
                "log_timezone = 'UTC'",
                "max_connections = 200",
                "shared_buffers = 128MB",
                "fsync = on",
                "synchronous_commit = on",
                "");
        Files.writeString(dataDir.resolve("postgresql.conf"), conf, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    private int start(Path binaries) {
        // The port was chosen once, at initdb, and stays: clients and a running daemon keep their URL across a
        // restart. If another program listens on it now, say so rather than move.
        Path conf = dataDir.resolve("postgresql.conf");
        try {
            int port = configuredPort(conf);
            if (!portFree(port)) {
                throw new UnavailableException("port " + port + " of the embedded database under " + home
                        + " is in use by another program. Stop that program, or give the database another port in "
                        + conf + " (the line `port = " + port + "`)");
            }
        } catch (IOException e) {
            throw diskProblem(e);
        }
        run(List.of(binaries.resolve("bin/pg_ctl").toString(), "-D", dataDir.toString(), "-l", logFile.toString(),
                "-t", String.valueOf(START_TIMEOUT.toSeconds()), "-w", "start"), "start the embedded database");
        return runningPort().orElseThrow(() -> new UnavailableException(
                "the embedded database did not come up. See " + logFile + ", or use --db to name a PostgreSQL server"));
    }

    private static int configuredPort(Path conf) throws IOException {
        int port = -1;
        for (String line : Files.readAllLines(conf, StandardCharsets.UTF_8)) {
            String t = line.trim();
            if (t.startsWith("port = ")) {
                port = Integer.parseInt(t.substring("port = ".length()).trim());
            }
        }
        return port;
    }

    private void run(List<String> command, String what) {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            full.add("unshare");
            full.add("-U");
        }
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true);
        builder.environment().put("LC_ALL", "C");
        builder.environment().put("TZ", "UTC");
        try {
            Process process = builder.start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(START_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new UnavailableException("timed out trying to " + what + ". See " + logFile);
            }
            if (process.exitValue() != 0) {
                String text = new String(output, StandardCharsets.UTF_8).trim();
                String last = text.isEmpty() ? "" : text.substring(text.lastIndexOf('\n') + 1);
                throw new UnavailableException("could not " + what + " (" + last + "). See " + logFile
                        + "; check free disk space and permissions under " + home + ", or use --db");
            }
        } catch (IOException e) {
            throw new UnavailableException("could not " + what + ": " + e.getMessage()
                    + ". Use --db to name a PostgreSQL server instead", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while trying to " + what + ". Run the command again", e);
        }
    }

    static boolean isRoot() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        } catch (RuntimeException | LinkageError e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether nothing listens on the port. With SO_REUSEADDR, as PostgreSQL binds: connections of the last run
     * lingering in TIME_WAIT do not count as taken (without it, every restart after traffic moved the server).
     */
    private static boolean portFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A free port in a range far from 5432 and from the usual ephemeral range. */
    private static int freePort() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20000, 30000);
            if (portFree(port)) {
                return port;
            }
        }
        throw new UncheckedIOException(new IOException("no free port between 20000 and 30000"));
    }
}
