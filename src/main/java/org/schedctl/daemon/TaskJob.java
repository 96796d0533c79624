package org.schedctl.daemon;

import org.quartz.DisallowConcurrentExecution;

/**
 * The Quartz job of an exclusive task. Not concurrent, and in a cluster that holds across hosts: the JobStore lets
 * one node at a time run a given job.
 */
@DisallowConcurrentExecution
public final class TaskJob extends RunsTask {
}
