package org.schedctl.daemon;

import java.util.Properties;
import java.util.Set;
import java.util.UUID;

import javax.sql.DataSource;

import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.DBConnectionManager;

/**
 * Quartz with a clustered JDBC JobStore on the schedctl database: every daemon on every host registers in
 * qrtz_scheduler_state, trigger acquisition happens under a row lock, and a node that dies has its work
 * recovered by the others. Each {@link DaemonTasks} task becomes one durable job with a repeating trigger.
 * The tables are in schema {@value #SCHEMA}, out of the runtime role's reach: the Quartz pool connects as the
 * owner or as {@code db.daemon.user} ({@code Connector.resolveDaemon}).
 */
public final class QuartzDaemon {
    public static final String SCHEDULER_NAME = "schedctl";
    public static final String GROUP = "schedctl";
    /** V61: the qrtz_* tables live in their own schema, which the runtime role cannot use. */
    public static final String SCHEMA = "schedctl_quartz";

    private final Scheduler scheduler;
    private final DaemonTasks tasks;

    /**
     * @param quartzPool connections for Quartz's own bookkeeping (not the pool the tasks use, so a busy task never
     *                   starves the cluster check-in)
     * @param instanceId {@code AUTO} in production; tests name their nodes
     */
    public QuartzDaemon(DataSource quartzPool, DaemonTasks tasks, String instanceId, int threads) throws SchedulerException {
        this.tasks = tasks;
        String dataSourceName = "schedctl-" + UUID.randomUUID();
        DBConnectionManager.getInstance().addConnectionProvider(dataSourceName, new PoolConnectionProvider(quartzPool));
        Properties props = new Properties();
        props.setProperty("org.quartz.scheduler.instanceName", SCHEDULER_NAME);
        props.setProperty("org.quartz.scheduler.instanceId", instanceId);
        props.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        props.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        props.setProperty("org.quartz.threadPool.threadCount", String.valueOf(threads));
        props.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        props.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        props.setProperty("org.quartz.jobStore.dataSource", dataSourceName);
        props.setProperty("org.quartz.jobStore.tablePrefix", SCHEMA + ".qrtz_");
        props.setProperty("org.quartz.jobStore.isClustered", "true");
        props.setProperty("org.quartz.jobStore.clusterCheckinInterval", "7500");
        props.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        props.setProperty("org.quartz.jobStore.useProperties", "true");
        props.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
        // After a database outage, retry the job store every 2 s rather than 15 s, so jobs resume soon after.
        props.setProperty("org.quartz.scheduler.dbFailureRetryInterval", "2000");
        StdSchedulerFactory factory = new StdSchedulerFactory(props);
        this.scheduler = factory.getScheduler();
        // Quartz keeps one scheduler per name in a JVM-wide registry; every cluster node must share the name, so
        // leave the registry, which lets tests (and embedders) run more than one node in one JVM.
        SchedulerRepository.getInstance().remove(SCHEDULER_NAME);
        scheduler.getContext().put(TaskJob.TASKS_CONTEXT_KEY, tasks);
    }

    /**
     * Registers (or updates) every task's job and trigger, removes the stored jobs of tasks this version no longer
     * has (such as the former offer-expiry), then starts this node.
     */
    public void start() throws SchedulerException {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (DaemonTasks.Task task : tasks.all()) {
            names.add(task.name());
        }
        for (JobKey key : scheduler.getJobKeys(org.quartz.impl.matchers.GroupMatcher.jobGroupEquals(GROUP))) {
            if (!names.contains(key.getName())) {
                scheduler.deleteJob(key);
            }
        }
        for (DaemonTasks.Task task : tasks.all()) {
            JobDetail job = JobBuilder.newJob(task.shared() ? SharedTaskJob.class : TaskJob.class)
                    .withIdentity(task.name(), GROUP)
                    .usingJobData(TaskJob.TASK_KEY, task.name())
                    .storeDurably()
                    .requestRecovery()
                    .build();
            Trigger trigger = TriggerBuilder.newTrigger()
                    .withIdentity(task.name(), GROUP)
                    .forJob(job)
                    .startNow()
                    .withSchedule(SimpleScheduleBuilder.simpleSchedule()
                            .withIntervalInMilliseconds(task.every().toMillis())
                            .repeatForever()
                            // After downtime run once, not once per missed interval.
                            .withMisfireHandlingInstructionNextWithRemainingCount())
                    .build();
            scheduler.scheduleJob(job, Set.of(trigger), true);
        }
        scheduler.start();
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    public boolean hasJob(String task) throws SchedulerException {
        return scheduler.checkExists(JobKey.jobKey(task, GROUP));
    }

    /** Waits for running jobs to finish, then leaves the cluster. */
    public void stop() throws SchedulerException {
        if (!scheduler.isShutdown()) {
            scheduler.shutdown(true);
        }
    }

    /**
     * Stops within {@code grace}: running jobs are interrupted (dispatch records its batch and ends), then the
     * scheduler shuts down waiting for them. Returns false when that did not finish in time (the database is gone and
     * a job or Quartz waits for a connection): the process may exit anyway, since messages in flight keep their
     * lease and are claimed again when it ends, and Quartz's cluster recovers the node's fired triggers.
     */
    public boolean stop(java.time.Duration grace) throws InterruptedException {
        Thread stopper = new Thread(() -> {
            try {
                for (org.quartz.JobExecutionContext running : scheduler.getCurrentlyExecutingJobs()) {
                    scheduler.interrupt(running.getFireInstanceId());
                }
                stop();
            } catch (SchedulerException e) {
                // the scheduler is going away either way
            }
        }, "schedctl-daemon-stop");
        stopper.setDaemon(true);
        stopper.start();
        stopper.join(grace.toMillis());
        return !stopper.isAlive();
    }
}
