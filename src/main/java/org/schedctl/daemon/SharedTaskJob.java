package org.schedctl.daemon;

import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;

/**
 * The Quartz job of a shared task (dispatch): each firing may go to any node while the last one still runs
 * elsewhere, so several daemons work the queue together; Quartz stays the clock.
 */
public final class SharedTaskJob implements Job {
    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        TaskJob.runTask(context);
    }
}
