package org.schedctl.daemon;

import org.quartz.InterruptableJob;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;

/**
 * Runs the {@link DaemonTasks} task named in the job data, interruptibly. Its subclasses say whether the task may run
 * on several nodes at once: {@link TaskJob} (exclusive) and {@link SharedTaskJob}. (Quartz looks for
 * {@code @DisallowConcurrentExecution} on superclasses too, so it must not be on this one.)
 */
abstract class RunsTask implements InterruptableJob {
    static final String TASK_KEY = "task";
    static final String TASKS_CONTEXT_KEY = "schedctl.tasks";

    private volatile Thread worker;

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        DaemonTasks tasks;
        try {
            tasks = (DaemonTasks) context.getScheduler().getContext().get(TASKS_CONTEXT_KEY);
        } catch (SchedulerException e) {
            throw new JobExecutionException(e);
        }
        String name = context.getMergedJobDataMap().getString(TASK_KEY);
        worker = Thread.currentThread();
        DaemonTasks.TaskRun run;
        try {
            run = tasks.run(name);
        } finally {
            worker = null;
            Thread.interrupted();
        }
        if (!run.ok()) {
            // Logged by DaemonTasks; the trigger keeps its schedule and the next run tries again.
            throw new JobExecutionException("task " + name + " failed: " + run.error(), false);
        }
    }

    /** The daemon is stopping: the task sees an interrupt (dispatch then records its batch and ends its pass). */
    @Override
    public void interrupt() {
        Thread running = worker;
        if (running != null) {
            running.interrupt();
        }
    }
}
