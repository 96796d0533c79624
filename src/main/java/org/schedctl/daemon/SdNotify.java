package org.schedctl.daemon;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The systemd notification protocol ({@code sd_notify}) when {@code NOTIFY_SOCKET} is set: READY=1 once the scheduler
 * runs, STOPPING=1 on SIGTERM, and WATCHDOG=1 at half of {@code WATCHDOG_USEC} while it runs. The socket is a unix
 * datagram socket, which Java 17 cannot write (UnixDomainSocketAddress works for stream channels only), so each
 * message goes through systemd's own {@code systemd-notify --no-block}, which is installed wherever systemd is; the
 * unit needs {@code NotifyAccess=all} because the sender is that helper process. Without NOTIFY_SOCKET, nothing happens.
 */
public final class SdNotify implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SdNotify.class);

    private final String socket;
    private final String helper;
    private ScheduledExecutorService watchdog;

    private SdNotify(String socket, String helper) {
        this.socket = socket;
        this.helper = helper;
    }

    public static SdNotify from(Map<String, String> env) {
        String socket = env.get("NOTIFY_SOCKET");
        return new SdNotify(socket == null || socket.isBlank() ? null : socket, "systemd-notify");
    }

    public boolean active() {
        return socket != null;
    }

    public void ready(String status, Map<String, String> env) {
        send("READY=1", "STATUS=" + status);
        String usec = env.get("WATCHDOG_USEC");
        if (active() && usec != null && usec.matches("\\d+") && Long.parseLong(usec) > 0) {
            long every = Math.max(1, Long.parseLong(usec) / 2);
            watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "schedctl-watchdog");
                thread.setDaemon(true);
                return thread;
            });
            watchdog.scheduleAtFixedRate(() -> send("WATCHDOG=1"), every, every, TimeUnit.MICROSECONDS);
        }
    }

    public void stopping() {
        close();
        send("STOPPING=1");
    }

    void send(String... assignments) {
        if (socket == null) {
            return;
        }
        List<String> command = new ArrayList<>(List.of(helper, "--no-block", "--pid=" + ProcessHandle.current().pid()));
        command.addAll(List.of(assignments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("NOTIFY_SOCKET", socket);
        try {
            Process process = builder.start();
            process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            if (!process.waitFor(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            LOG.warn("sd_notify {} failed: {}", String.join(" ", assignments), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (watchdog != null) {
            watchdog.shutdownNow();
            watchdog = null;
        }
    }
}
