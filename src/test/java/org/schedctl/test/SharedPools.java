package org.schedctl.test;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.zaxxer.hikari.HikariDataSource;
import org.schedctl.store.Connector;
import org.schedctl.store.PoolSource;

/**
 * One pool per database target for a test class's in-process CLI runs, instead of a new pool (and a new connection)
 * per invocation; closed by {@link TestDatabase} after the class. Every invocation still runs the schema check.
 */
final class SharedPools implements PoolSource, AutoCloseable {
    /** Enough for the tests that run a few CLI invocations at once in threads; a lone command uses one. */
    private static final int MIN_SIZE = 8;
    private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();

    @Override
    public HikariDataSource open(Connector.Target target, int maxSize) {
        String key = target.jdbcUrl() + "\u0000" + target.user() + "\u0000" + target.password();
        return pools.computeIfAbsent(key, k -> Connector.pool(target, Math.max(maxSize, MIN_SIZE)));
    }

    @Override
    public void release(HikariDataSource pool) {
        // kept for the class's next invocation; closed in close()
    }

    @Override
    public void close() {
        pools.values().forEach(HikariDataSource::close);
        pools.clear();
    }
}
