package org.schedctl.test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.schedctl.Main;
import org.schedctl.store.PoolSource;

/**
 * Runs schedctl in-process and returns exit code, stdout and stderr. Every failure message carries the
 * whole result, so a failing assertion shows what the command printed.
 */
public final class CliDriver {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));
    private final Map<String, String> env;
    private final Clock clock;
    private final PoolSource pools;

    public CliDriver(Map<String, String> env) {
        this(env, Clock.systemUTC());
    }

    public CliDriver(Map<String, String> env, Clock clock) {
        this(env, clock, PoolSource.PER_INVOCATION);
    }

    /** A driver whose invocations take their connection pools from {@code pools} (see {@link TestDatabase#cli()}). */
    public CliDriver(Map<String, String> env, PoolSource pools) {
        this(env, Clock.systemUTC(), pools);
    }

    private CliDriver(Map<String, String> env, Clock clock, PoolSource pools) {
        this.env = Map.copyOf(env);
        this.clock = clock;
        this.pools = pools;
    }

    public CliDriver withEnv(String key, String value) {
        Map<String, String> copy = new HashMap<>(env);
        copy.put(key, value);
        return new CliDriver(copy, clock, pools);
    }

    public CliDriver withClock(Clock other) {
        return new CliDriver(env, other, pools);
    }

    public Result run(String... args) {
        return runWithInput(new byte[0], args);
    }

    public Result runWithInput(String stdin, String... args) {
        return runWithInput(stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    public Result runWithInput(byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InputStream in = new ByteArrayInputStream(stdin);
        int code = Main.execute(args, env, in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), clock, pools);
        return new Result(args, code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    public record Result(String[] args, int exitCode, String stdout, String stderr) {
        public JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (Exception e) {
                throw new AssertionError("stdout is not JSON: " + this, e);
            }
        }

        public Result expect(int code) {
            if (exitCode != code) {
                throw new AssertionError("expected exit " + code + " but got " + this);
            }
            return this;
        }

        public Result ok() {
            return expect(0);
        }

        @Override
        public String toString() {
            return "schedctl " + String.join(" ", Arrays.asList(args)) + "\n  exit: " + exitCode + "\n  stdout: " + stdout
                    + "\n  stderr: " + stderr;
        }
    }
}
