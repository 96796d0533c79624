package org.schedctl.daemon;

/**
 * The Quartz job of a shared task (dispatch): each firing may go to any node while the last one still runs
 * elsewhere, so several daemons work the queue together; Quartz stays the clock.
 */
public final class SharedTaskJob extends RunsTask {
}
