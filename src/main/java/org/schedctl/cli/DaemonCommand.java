package org.schedctl.cli;

import java.util.List;
import java.util.concurrent.CountDownLatch;

import com.zaxxer.hikari.HikariDataSource;
import org.schedctl.daemon.DaemonTasks;
import org.schedctl.daemon.QuartzDaemon;
import org.schedctl.daemon.StandardTasks;
import org.schedctl.store.Connector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "daemon", description = "Run the scheduler: dispatch, expiries, aggregation, clean-up. Several may run as a cluster.")
public final class DaemonCommand extends BaseCommand {
    private static final int QUARTZ_THREADS = 3;

    @Option(names = "--once", description = "Run every job once and exit (for cron and tests)") boolean once;

    @Override
    protected int execute(AppContext ctx) throws Exception {
        // The jobs act as the built-in administrator over every user's rows: operator work, refused to other roles.
        backend.database().useTransaction(handle -> org.schedctl.service.Access.requireAdmin(handle, "run the daemon"));
        DaemonTasks tasks = StandardTasks.create(services());
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
        // Quartz's tables (schema schedctl_quartz, V61) are out of the runtime role's reach: the scheduler connects as
        // db.daemon.user or the owner; the jobs themselves still run as the runtime role, under row-level security.
        try (HikariDataSource quartzPool = Connector.pool(backend.daemonTarget(), QUARTZ_THREADS + 3)) {
            Connector.checkSchedulerAccess(quartzPool, QuartzDaemon.SCHEMA);
            QuartzDaemon daemon = new QuartzDaemon(quartzPool, tasks, "AUTO", QUARTZ_THREADS);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    daemon.stop();
                } catch (Exception e) {
                    ctx.err().println("schedctl: error: the scheduler did not stop cleanly (" + e.getMessage() + ")");
                } finally {
                    stopped.countDown();
                }
            }, "schedctl-daemon-stop"));
            daemon.start();
            ctx.progress("daemon running as " + daemon.scheduler().getSchedulerInstanceId() + " with jobs "
                    + String.join(", ", tasks.all().stream().map(DaemonTasks.Task::name).toList()) + "; Ctrl-C or SIGTERM stops it");
            stopped.await();
        }
        return 0;
    }
}
