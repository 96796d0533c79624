package org.schedctl.daemon;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's repeating jobs, by name, each with its interval. A task is the same service call the matching
 * command makes; Quartz only decides when it runs ("Quartz is the clock, not the queue").
 */
public final class DaemonTasks {
    private static final Logger LOG = LoggerFactory.getLogger(DaemonTasks.class);

    /**
     * One task: its name, how often it runs, and the service call. A shared task may run on several nodes at once
     * (dispatch: its claims skip each other's rows); the others run on one node at a time across the cluster.
     */
    public record Task(String name, Duration every, Supplier<Object> work, boolean shared) {
    }

    /** The outcome of one run, as `daemon --once` prints it. */
    public record TaskRun(String task, boolean ok, Object result, String error) {
    }

    /**
     * A run that did its work but not all of it succeeded (a dispatch pass whose sends failed): the job counts as
     * failed, and its figures are still reported.
     */
    public static final class PartlyFailed extends RuntimeException {
        private final transient Object result;

        public PartlyFailed(String problem, Object result) {
            super(problem);
            this.result = result;
        }

        public Object result() {
            return result;
        }
    }

    /** Told of every run (the daemon's metrics). */
    public interface RunListener {
        void ran(String task, boolean ok);
    }

    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private Outage outage;
    private RunListener listener = (task, ok) -> { };

    /** The running daemon's outage watch, told when a job lost its connection. */
    public DaemonTasks reportingTo(Outage outage) {
        this.outage = outage;
        return this;
    }

    public DaemonTasks listening(RunListener listener) {
        this.listener = listener;
        return this;
    }

    public DaemonTasks add(String name, Duration every, Supplier<Object> work) {
        tasks.put(name, new Task(name, every, work, false));
        return this;
    }

    /** A task that several nodes may run at the same time. */
    public DaemonTasks addShared(String name, Duration every, Supplier<Object> work) {
        tasks.put(name, new Task(name, every, work, true));
        return this;
    }

    public List<Task> all() {
        return List.copyOf(tasks.values());
    }

    public TaskRun run(String name) {
        TaskRun run = attempt(name);
        listener.ran(name, run.ok());
        return run;
    }

    /** Runs a task. A failure that means the database cannot be reached goes to the outage (reported once), not the log. */
    private TaskRun attempt(String name) {
        Task task = tasks.get(name);
        if (task == null) {
            return new TaskRun(name, false, null, "no such task in this daemon");
        }
        try {
            return new TaskRun(name, true, task.work().get(), null);
        } catch (PartlyFailed e) {
            LOG.warn("daemon task {}: {}", name, e.getMessage());
            return new TaskRun(name, false, e.result(), e.getMessage());
        } catch (RuntimeException e) {
            if (outage != null && Outage.isConnectionLoss(e)) {
                outage.failed(e);
            } else {
                LOG.error("daemon task {} failed", name, e);
            }
            return new TaskRun(name, false, null, String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
    }

    /** Every task once, in order; a failing task does not stop the others. */
    public List<TaskRun> runAll() {
        List<TaskRun> runs = new ArrayList<>();
        for (String name : tasks.keySet()) {
            runs.add(run(name));
        }
        return runs;
    }
}
