package org.schedctl.daemon;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.quartz.utils.ConnectionProvider;

/**
 * Quartz's connections come from our Hikari pool (Quartz is built without c3p0 here). The pool belongs to
 * the daemon, which closes it after the scheduler has stopped, so {@link #shutdown()} leaves it alone.
 */
final class PoolConnectionProvider implements ConnectionProvider {
    private final DataSource dataSource;

    PoolConnectionProvider(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return dataSource.getConnection();
    }

    @Override
    public void shutdown() {
        // The daemon owns and closes the pool.
    }

    @Override
    public void initialize() {
        // The pool is ready when it is handed over.
    }
}
