package org.schedctl.daemon;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;

/**
 * The Quartz job of an exclusive task: runs the {@link DaemonTasks} task named in its job data. Not concurrent, and
 * in a cluster that holds across hosts: the JobStore lets one node at a time run a given job.
 */
@DisallowConcurrentExecution
public final class TaskJob implements Job {
    static final String TASK_KEY = "task";
    static final String TASKS_CONTEXT_KEY = "schedctl.tasks";

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        runTask(context);
    }

    static void runTask(JobExecutionContext context) throws JobExecutionException {
        DaemonTasks tasks;
        try {
            tasks = (DaemonTasks) context.getScheduler().getContext().get(TASKS_CONTEXT_KEY);
        } catch (SchedulerException e) {
            throw new JobExecutionException(e);
        }
        String name = context.getMergedJobDataMap().getString(TASK_KEY);
        DaemonTasks.TaskRun run = tasks.run(name);
        if (!run.ok()) {
            // Logged by DaemonTasks; the trigger keeps its schedule and the next run tries again.
            throw new JobExecutionException("task " + name + " failed: " + run.error(), false);
        }
    }
}

