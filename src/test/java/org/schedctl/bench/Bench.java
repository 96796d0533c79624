package org.schedctl.bench;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The benchmark runner behind scripts/bench: runs the named scenarios (all by default), each against a fresh
 * database, and prints for every figure the ratio to its anchor first, then our figure and the anchor's.
 * Exits 1 when a scenario fails (including "the feature is not on this branch yet"), 2 on bad usage.
 */
public final class Bench {
    /** The one place scenarios are registered, in the order they run. */
    static final Map<String, Supplier<Scenario>> SCENARIOS = new LinkedHashMap<>();

    static {
        SCENARIOS.put("startup", StartupScenario::new);
        SCENARIOS.put("import", ImportScenario::new);
        SCENARIOS.put("slots", SlotsScenario::new);
        SCENARIOS.put("book", BookScenario::new);
        SCENARIOS.put("calendar", CalendarScenario::new);
        SCENARIOS.put("backup", BackupScenario::new);
        SCENARIOS.put("aggregate", AggregateScenario::new);
        SCENARIOS.put("series", SeriesScenario::new);
        SCENARIOS.put("conference", ConferenceScenario::new);
        SCENARIOS.put("dispatch", DispatchScenario::new);
    }

    private record Outcome(String name, List<Figure> figures, String error, double seconds, String load) {
    }

    /** The 1-minute load average before and after a scenario: on a shared machine it explains noisy figures. */
    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }

    public static void main(String[] args) throws Exception {
        String db = null;
        boolean json = false;
        boolean quick = false;
        long seed = 42;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--db" -> db = args[++i];
                case "--json" -> json = true;
                case "--quick" -> quick = true;
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--list" -> {
                    SCENARIOS.forEach((n, s) -> System.out.printf("%-10s %s%n", n, s.get().description()));
                    return;
                }
                default -> {
                    if (args[i].startsWith("-") || !SCENARIOS.containsKey(args[i])) {
                        System.err.println("bench: unknown option or scenario '" + args[i] + "'. Scenarios: " + String.join(", ", SCENARIOS.keySet()));
                        System.exit(2);
                    }
                    names.add(args[i]);
                }
            }
        }
        if (names.isEmpty()) {
            names.addAll(SCENARIOS.keySet());
        }
        Path root = Path.of(System.getProperty("bench.root", ".")).toAbsolutePath().normalize();
        List<Outcome> outcomes = new ArrayList<>();
        String server;
        try (BenchContext ctx = new BenchContext(root, seed, quick, db)) {
            server = ctx.serverVersion();
            for (String name : names) {
                Scenario scenario = SCENARIOS.get(name).get();
                System.err.println("bench: running " + name + " (" + scenario.description() + ")");
                long start = System.nanoTime();
                String loadBefore = loadAverage();
                try {
                    List<Figure> figures = scenario.run(ctx);
                    outcomes.add(new Outcome(name, figures, null, Stats.millisSince(start) / 1000, loadBefore + " -> " + loadAverage()));
                } catch (MissingFeatureException e) {
                    outcomes.add(new Outcome(name, List.of(), "NOT RUN: " + e.getMessage(), Stats.millisSince(start) / 1000, loadBefore + " -> " + loadAverage()));
                } catch (Exception e) {
                    e.printStackTrace();
                    outcomes.add(new Outcome(name, List.of(), "FAILED: " + e, Stats.millisSince(start) / 1000, loadBefore + " -> " + loadAverage()));
                }
                if (!json) {
                    printText(outcomes.get(outcomes.size() - 1));
                }
            }
        }
        if (json) {
            printJson(outcomes, root, seed, quick, server);
        }
        System.exit(outcomes.stream().anyMatch(o -> o.error() != null) ? 1 : 0);
    }

    private static void printText(Outcome o) {
        System.out.printf(Locale.ROOT, "== %s (%.0f s, load average %s on %d cores)%n", o.name(), o.seconds(), o.load(),
                Runtime.getRuntime().availableProcessors());
        if (o.error() != null) {
            System.out.println("   " + o.error());
            return;
        }
        for (Figure f : o.figures()) {
            StringBuilder line = new StringBuilder("   ");
            Double ratio = f.ratio();
            if (ratio != null) {
                line.append(String.format(Locale.ROOT, "ratio %6.2f %-17s", ratio, f.higherIsBetter() ? "(of anchor rate)" : "(x anchor time)"));
            } else {
                line.append(String.format(Locale.ROOT, "%-29s", "(no anchor)"));
            }
            line.append(String.format(Locale.ROOT, " %-34s ours %s %s", f.metric(), num(f.ours()), f.unit()));
            if (f.anchor() != null) {
                line.append(String.format(Locale.ROOT, " | anchor %s %s (%s)", num(f.anchor()), f.anchorUnit(), f.anchorWhat()));
            }
            line.append(" | median of ").append(f.runs());
            if (f.goal() != null) {
                line.append(" | goal ").append(f.goal()).append(": ").append(f.goalMet() ? "MET" : "MISSED");
            }
            System.out.println(line);
            if (f.note() != null) {
                System.out.println("      note: " + f.note());
            }
        }
    }

    private static String num(double v) {
        if (Math.abs(v) >= 100) return String.format(Locale.ROOT, "%.0f", v);
        if (Math.abs(v) >= 10) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static void printJson(List<Outcome> outcomes, Path root, long seed, boolean quick, String server) throws Exception {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode doc = mapper.createObjectNode();
        doc.put("at", Instant.now().toString());
        doc.put("seed", seed);
        doc.put("quick", quick);
        ObjectNode machine = doc.putObject("machine");
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("postgresql", server);
        ArrayNode list = doc.putArray("scenarios");
        for (Outcome o : outcomes) {
            ObjectNode s = list.addObject();
            s.put("name", o.name());
            s.put("status", o.error() == null ? "ok" : o.error().startsWith("NOT RUN") ? "not_run" : "failed");
            s.put("seconds", o.seconds());
            s.put("load_average", o.load());
            if (o.error() != null) s.put("error", o.error());
            ArrayNode figures = s.putArray("figures");
            for (Figure f : o.figures()) {
                ObjectNode n = figures.addObject();
                n.put("metric", f.metric());
                if (f.ratio() != null) n.put("ratio", f.ratio());
                n.put("ours", f.ours());
                n.put("unit", f.unit());
                if (f.anchor() != null) {
                    n.put("anchor", f.anchor());
                    n.put("anchor_unit", f.anchorUnit());
                    n.put("anchor_what", f.anchorWhat());
                }
                n.put("higher_is_better", f.higherIsBetter());
                n.put("runs", f.runs());
                if (f.goal() != null) {
                    n.put("goal", f.goal());
                    n.put("goal_met", f.goalMet());
                }
                if (f.note() != null) n.put("note", f.note());
            }
        }
        System.out.println(mapper.writeValueAsString(doc));
    }
}
