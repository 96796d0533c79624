package org.schedctl.fuzz;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.schedctl.domain.InvalidInputException;

/**
 * A small seeded fuzzer for everything that reads untrusted text or bytes (time and duration parsing, the
 * availability CSV, later ICS import, and writers of email and ICS). Plain JUnit and java.util.Random: the same
 * seed replays the same inputs, so a failure message (which names the seed and the input) is reproducible.
 *
 * <p>A target passes when, for every generated input, it returns or throws one of the allowed exceptions
 * (by default {@link InvalidInputException}, with a non-blank message of bounded length), within the
 * time limit. A target may also throw {@link AssertionError} to report a broken invariant of its result.
 *
 * <p>To plug in a new parser: give {@link #strings} or {@link #bytes} seed inputs that are valid (the
 * mutator makes them hostile) and a target lambda; to plug in a writer, feed it {@link #hostileText} and
 * assert on what it writes (e.g. no bare CR/LF inside an ICS property or an email header).
 */
public final class FuzzHarness {
    /** Tokens that break parsers: metacharacters, controls, odd Unicode, numbers at the edges, format pieces. */
    static final List<String> NASTY = List.of(
            "", " ", "\t", "\r\n", "\n", "\r", "\0", "\u0007", "\u001b[31m", "\u202e", "\u200b", "\ufeff", "\ud800", "\udfff",
            "\ud83d\ude00", "é", "ß", "'", "\"", "\\", "%", "_", "'; DROP TABLE users; --", "$$", "${jndi:ldap://x}", "%s%n",
            ",", ";", ":", "=", "+", "-", "/", "T", "Z", "P", "PT", "W", "h", "m", "d", "s", "0", "1", "9", "-1",
            "00", "24", "25", "59", "60", "99", "2027", "02-29", "2027-03-14", "2027-11-07", "T02:30", "02:30",
            "+14:00", "-12:00", "+99:99", "9223372036854775807", "-9223372036854775808", "999999999999999999999",
            "1e9", "NaN", "Infinity", "0x10", "America/New_York", "Europe/Berlin", "../../etc/passwd", "UTC",
            "FREQ=", "FREQ=SECONDLY", "FREQ=DAILY", "FREQ=WEEKLY", ";COUNT=", ";UNTIL=", ";INTERVAL=", ";BYDAY=MO,TU",
            "BYSETPOS=-1", "RRULE:", "\"\"", "\"a\"\"b\"", "a,b,c", "MON", "SUN", "weekly", "available", "unavailable",
            "x".repeat(300), "9".repeat(40), "1h".repeat(50), "\"".repeat(20));

    private final long seed;
    private final Random random;
    private final Duration perInput;

    private FuzzHarness(long seed, Duration perInput) {
        this.seed = seed;
        this.random = new Random(seed);
        this.perInput = perInput;
    }

    /** The seed from -Dschedctl.fuzz.seed, else the given default (fixed, so CI runs are repeatable). */
    public static FuzzHarness seeded(long defaultSeed, Duration perInput) {
        return new FuzzHarness(Long.getLong("schedctl.fuzz.seed", defaultSeed), perInput);
    }

    /** Iterations per target: -Dschedctl.fuzz.iterations, else the given default. */
    public static int iterations(int defaultCount) {
        return Integer.getInteger("schedctl.fuzz.iterations", defaultCount);
    }

    public Random random() {
        return random;
    }

    /** Text built from the nasty tokens and random code points. */
    public String hostileText(int maxParts) {
        StringBuilder sb = new StringBuilder();
        int parts = random.nextInt(maxParts + 1);
        for (int i = 0; i < parts; i++) {
            switch (random.nextInt(4)) {
                case 0, 1 -> sb.append(NASTY.get(random.nextInt(NASTY.size())));
                case 2 -> sb.append((char) random.nextInt(0x80));
                default -> sb.appendCodePoint(random.nextInt(0x2FFFF));
            }
        }
        return sb.toString();
    }

    /** A valid seed, mutated: chunks deleted, duplicated, swapped for nasty tokens, or characters flipped. */
    public String mutate(String valid) {
        StringBuilder sb = new StringBuilder(valid);
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = sb.length() == 0 ? 0 : random.nextInt(sb.length() + 1);
            switch (random.nextInt(5)) {
                case 0 -> sb.insert(at, NASTY.get(random.nextInt(NASTY.size())));
                case 1 -> {
                    int end = Math.min(sb.length(), at + 1 + random.nextInt(6));
                    sb.delete(Math.min(at, end), end);
                }
                case 2 -> {
                    int end = Math.min(sb.length(), at + 1 + random.nextInt(8));
                    String chunk = sb.substring(Math.min(at, end), end);
                    sb.insert(at, chunk.repeat(1 + random.nextInt(3)));
                }
                case 3 -> {
                    if (at < sb.length()) {
                        sb.setCharAt(at, (char) (sb.charAt(at) ^ (1 << random.nextInt(7))));
                    }
                }
                default -> sb.insert(at, hostileText(2));
            }
        }
        return sb.toString();
    }

    /** Half mutations of valid seeds, half free hostile text. */
    public Function<Random, String> strings(List<String> validSeeds) {
        return r -> r.nextBoolean() ? mutate(validSeeds.get(r.nextInt(validSeeds.size()))) : hostileText(6);
    }

    /** Byte inputs: mutated valid files, sometimes with raw bytes (invalid UTF-8, BOMs, NULs) spliced in. */
    public Function<Random, byte[]> bytes(List<String> validSeeds) {
        return r -> {
            byte[] text = mutate(validSeeds.get(r.nextInt(validSeeds.size()))).getBytes(StandardCharsets.UTF_8);
            if (r.nextInt(3) > 0 || text.length == 0) {
                return text;
            }
            byte[] out = text.clone();
            int flips = 1 + r.nextInt(4);
            for (int i = 0; i < flips; i++) {
                out[r.nextInt(out.length)] = (byte) r.nextInt(256);
            }
            return out;
        };
    }

    public interface Target<T> {
        void accept(T input) throws Exception;
    }

    /** Runs the target on {@code count} generated inputs; throws AssertionError naming the seed and the input. */
    public <T> void run(String name, int count, Function<Random, T> generator, Target<T> target) {
        run(name, count, generator, target, Set.of(InvalidInputException.class));
    }

    public <T> void run(String name, int count, Function<Random, T> generator, Target<T> target,
                        Set<Class<? extends Throwable>> allowed) {
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-" + name);
            t.setDaemon(true);
            return t;
        });
        List<String> slow = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                T input = generator.apply(random);
                long started = System.nanoTime();
                Future<?> result = worker.submit(() -> {
                    target.accept(input);
                    return null;
                });
                try {
                    result.get(perInput.toMillis() * 5, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    result.cancel(true);
                    throw new AssertionError(name + ": no answer within " + perInput.multipliedBy(5) + " " + describe(i, input));
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof AssertionError a) {
                        throw new AssertionError(name + ": " + a.getMessage() + " " + describe(i, input), a);
                    }
                    if (allowed.stream().noneMatch(c -> c.isInstance(cause))) {
                        throw new AssertionError(name + ": unexpected " + cause + " " + describe(i, input), cause);
                    }
                    String message = cause.getMessage();
                    if (message == null || message.isBlank() || message.length() > 2000) {
                        throw new AssertionError(name + ": unhelpful message '" + message + "' " + describe(i, input), cause);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(name + " interrupted", e);
                }
                long millis = (System.nanoTime() - started) / 1_000_000;
                if (millis > perInput.toMillis()) {
                    slow.add(millis + "ms " + describe(i, input));
                }
            }
        } finally {
            worker.shutdownNow();
        }
        // One slow input may be a GC pause on a busy machine; several are a real problem.
        if (slow.size() > 2) {
            throw new AssertionError(name + ": " + slow.size() + " inputs took longer than " + perInput + ": " + slow);
        }
    }

    private String describe(int iteration, Object input) {
        String shown = input instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(input);
        StringBuilder sb = new StringBuilder();
        shown.codePoints().limit(300).forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp > 0xffff || Character.isSurrogate((char) cp)) {
                sb.append(String.format("\\u{%x}", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return "(seed " + seed + ", input #" + iteration + ": \"" + sb + "\"" + (shown.length() > 300 ? "…" : "") + ")";
    }
}
