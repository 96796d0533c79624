package org.schedctl.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import com.zaxxer.hikari.HikariDataSource;
import org.schedctl.daemon.DaemonMetrics;
import org.schedctl.daemon.DaemonTasks;
import org.schedctl.daemon.Outage;
import org.schedctl.daemon.QuartzDaemon;
import org.schedctl.daemon.SdNotify;
import org.schedctl.daemon.StandardTasks;
import org.schedctl.domain.InvalidInputException;
import org.schedctl.service.NotificationService;
import org.schedctl.store.Connector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "daemon", description = "Run the scheduler: dispatch, expiries, aggregation, clean-up. Several may run as a cluster.")
public final class DaemonCommand extends BaseCommand {
    private static final int QUARTZ_THREADS = 3;
    /** SIGTERM ends the process within this, even when jobs or Quartz wait for a database that is gone. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    @Option(names = "--once", description = "Run every job once and exit (for cron and tests); exit 1 when any job or any send failed")
    boolean once;

    @Option(names = "--metrics", paramLabel = "ADDR",
            description = "Serve Prometheus metrics at http://ADDR/metrics and a health check at /health (ADDR: HOST:PORT, :PORT or PORT)")
    String metricsAddress;

    @Override
    protected int execute(AppContext ctx) throws Exception {
        InetSocketAddress metricsAt = metricsAddress == null ? null : address(metricsAddress);
        // The jobs act as the built-in administrator over every user's rows: operator work, refused to other roles.
        backend.database().useTransaction(handle -> org.schedctl.service.Access.requireAdmin(handle, "run the daemon"));
        DaemonMetrics metrics = metricsAt == null ? null : new DaemonMetrics();
        DaemonTasks tasks = StandardTasks.create(services(), metrics == null ? NotificationService.DispatchObserver.NONE : metrics);
        org.schedctl.daemon.BackupTask.addTo(tasks, backend.config(), backend::ownerTarget, ctx.clock());
        if (once) {
            List<DaemonTasks.TaskRun> runs = tasks.runAll();
            ctx.output(null).print(runs);
            boolean allOk = true;
            for (DaemonTasks.TaskRun run : runs) {
                if (!run.ok()) {
                    ctx.err().println("schedctl: error: job " + run.task() + " failed: " + run.error() + ". Run again with -v for details");
                    allOk = false;
                }
            }
            ctx.err().flush();
            return allOk ? 0 : 1;
        }
        Outage outage = new Outage(line -> {
            ctx.err().println("schedctl: daemon: " + line);
            ctx.err().flush();
        });
        if (metrics != null) {
            tasks.listening(metrics);
        }
        SdNotify systemd = SdNotify.from(ctx.env());
        NotificationService queue = services().as(null, "daemon").notifications();
        // Quartz's tables (schema schedctl_quartz, V61) are out of the runtime role's reach: the scheduler connects as
        // db.daemon.user or the owner; the jobs themselves still run as the runtime role, under row-level security.
        try (HikariDataSource quartzPool = Connector.pool(backend.daemonTarget(), QUARTZ_THREADS + 3);
             DaemonMetrics served = metrics;
             Outage watch = outage) {
            Connector.checkSchedulerAccess(quartzPool, QuartzDaemon.SCHEMA);
            tasks.reportingTo(outage);
            outage.watch(quartzPool);
            if (served != null) {
                try {
                    served.serve(metricsAt, queue::queueDepth, () -> !outage.down());
                } catch (IOException e) {
                    throw new InvalidInputException("cannot serve metrics on " + metricsAddress + " (" + e.getMessage()
                            + "). Pick a free address for --metrics");
                }
            }
            QuartzDaemon daemon = new QuartzDaemon(quartzPool, tasks, "AUTO", QUARTZ_THREADS);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                systemd.stopping();
                try {
                    if (!daemon.stop(STOP_GRACE)) {
                        ctx.err().println("schedctl: daemon: jobs still running after " + STOP_GRACE.toSeconds()
                                + " s; exiting anyway (messages in flight return to the queue when their lease ends)");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    ctx.err().flush();
                    stopped.countDown();
                }
            }, "schedctl-daemon-stop"));
            daemon.start();
            String jobs = String.join(", ", tasks.all().stream().map(DaemonTasks.Task::name).toList());
            ctx.progress("daemon running as " + daemon.scheduler().getSchedulerInstanceId() + " with jobs " + jobs
                    + (served == null ? "" : "; metrics at http://" + hostPort(served.address()) + "/metrics")
                    + "; Ctrl-C or SIGTERM stops it");
            systemd.ready("running jobs " + jobs, ctx.env());
            stopped.await();
        }
        return 0;
    }

    /** HOST:PORT, :PORT or PORT (all interfaces for the last two). */
    static InetSocketAddress address(String text) {
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? "" : text.substring(0, colon);
        String port = colon < 0 ? text : text.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            number = -1;
        }
        if (number < 0 || number > 65535) {
            throw new InvalidInputException("--metrics wants HOST:PORT, :PORT or PORT (e.g. 127.0.0.1:9464), got '" + text + "'");
        }
        return host.isEmpty() ? new InetSocketAddress(number) : new InetSocketAddress(host, number);
    }

    private static String hostPort(InetSocketAddress address) {
        String host = address.getAddress().isAnyLocalAddress() ? "0.0.0.0" : address.getAddress().getHostAddress();
        return host + ":" + address.getPort();
    }
}
