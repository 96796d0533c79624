package org.schedctl.bench;

import java.util.List;

/**
 * One benchmark scenario: it gets a {@link BenchContext} (fresh databases, the CLI, timing helpers), measures our
 * figure and its anchor in the same run, and returns the figures. Register a new scenario in {@link Bench#SCENARIOS}.
 */
public interface Scenario {
    String name();

    /** One line for `scripts/bench --list`. */
    String description();

    List<Figure> run(BenchContext ctx) throws Exception;
}
