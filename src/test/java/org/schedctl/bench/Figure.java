package org.schedctl.bench;

/**
 * One measured figure and, when the figure has one, its anchor measured in the same run.
 *
 * @param metric     what was measured, e.g. "16 bookers"
 * @param ours       our median figure
 * @param unit       its unit, e.g. "ms" or "rows/s"
 * @param anchor     the anchor's median figure, or null when this figure stands alone (a latency, a growth factor)
 * @param anchorWhat what the anchor is, e.g. "pgbench -c 16, bare INSERT"
 * @param higherIsBetter whether a larger figure is better (rates) or worse (times)
 * @param goal       the goal from the issues, as text, or null
 * @param goalMet    whether the goal is met, or null when there is no goal
 * @param runs       how many measured runs the medians come from
 * @param note       anything a reader needs to judge the figure, or null
 */
public record Figure(String metric, double ours, String unit, Double anchor, String anchorUnit, String anchorWhat,
                     boolean higherIsBetter, String goal, Boolean goalMet, int runs, String note) {

    /** ours / anchor: for rates the share of the anchor's rate, for times how many times the anchor's time. */
    public Double ratio() {
        return anchor == null || anchor == 0 ? null : ours / anchor;
    }

    public static Figure time(String metric, double oursMs, double anchorMs, String anchorWhat, int runs) {
        return new Figure(metric, oursMs, "ms", anchorMs, "ms", anchorWhat, false, null, null, runs, null);
    }

    public static Figure rate(String metric, double ours, String unit, double anchor, String anchorUnit, String anchorWhat, int runs) {
        return new Figure(metric, ours, unit, anchor, anchorUnit, anchorWhat, true, null, null, runs, null);
    }

    public static Figure alone(String metric, double ours, String unit, boolean higherIsBetter, int runs) {
        return new Figure(metric, ours, unit, null, null, null, higherIsBetter, null, null, runs, null);
    }

    public Figure withGoal(String goalText, boolean met) {
        return new Figure(metric, ours, unit, anchor, anchorUnit, anchorWhat, higherIsBetter, goalText, met, runs, note);
    }

    public Figure withNote(String text) {
        return new Figure(metric, ours, unit, anchor, anchorUnit, anchorWhat, higherIsBetter, goal, goalMet, runs, text);
    }
}
