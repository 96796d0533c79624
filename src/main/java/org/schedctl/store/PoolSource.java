package org.schedctl.store;

import com.zaxxer.hikari.HikariDataSource;

/**
 * Where an invocation gets its connection pool, and what becomes of the pool when the invocation ends. The CLI opens
 * one pool per invocation and closes it; an embedding process that runs many invocations against the same database
 * (the integration tests' in-process driver) may hand out one long-lived pool instead and close it itself.
 */
public interface PoolSource {
    /** A pool to the target, at most {@code maxSize} connections; may fail like {@link Connector#pool}. */
    HikariDataSource open(Connector.Target target, int maxSize);

    /** The invocation is done with a pool this source opened. */
    void release(HikariDataSource pool);

    /** The CLI's own: a new pool per invocation, closed when the invocation ends. */
    PoolSource PER_INVOCATION = new PoolSource() {
        @Override
        public HikariDataSource open(Connector.Target target, int maxSize) {
            return Connector.pool(target, maxSize);
        }

        @Override
        public void release(HikariDataSource pool) {
            pool.close();
        }
    };
}
