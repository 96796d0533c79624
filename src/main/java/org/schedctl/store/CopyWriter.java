package org.schedctl.store;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.sql.SQLException;

import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Builds rows in PostgreSQL's COPY text format and sends them in one COPY ... FROM STDIN through the handle's
 * own connection, so the rows join the caller's transaction. Rows are buffered and flushed in large chunks:
 * one COPY per chunk is far cheaper than one INSERT per row.
 */
public final class CopyWriter {
    private static final int FLUSH_CHARS = 8 * 1024 * 1024;

    private final CopyManager copy;
    private final String sql;
    private final StringBuilder buffer = new StringBuilder(64 * 1024);
    private boolean rowStarted;
    private long rows;

    public CopyWriter(Handle handle, String table, String columns) {
        try {
            this.copy = handle.getConnection().unwrap(PGConnection.class).getCopyAPI();
        } catch (SQLException e) {
            throw new IllegalStateException("COPY needs a PostgreSQL connection", e);
        }
        this.sql = "COPY " + table + " (" + columns + ") FROM STDIN";
    }

    public CopyWriter add(Object value) {
        if (rowStarted) {
            buffer.append('\t');
        }
        rowStarted = true;
        if (value == null) {
            buffer.append("\\N");
        } else {
            escape(value.toString());
        }
        return this;
    }

    public void endRow() {
        buffer.append('\n');
        rowStarted = false;
        rows++;
        if (buffer.length() >= FLUSH_CHARS) {
            flush();
        }
    }

    public long rows() {
        return rows;
    }

    /** Sends what is buffered; call once after the last row. */
    public void flush() {
        if (buffer.isEmpty()) {
            return;
        }
        try {
            copy.copyIn(sql, new StringReader(buffer.toString()));
        } catch (SQLException e) {
            throw new IllegalStateException("COPY into " + sql + " failed", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        buffer.setLength(0);
    }

    private void escape(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> buffer.append("\\\\");
                case '\t' -> buffer.append("\\t");
                case '\n' -> buffer.append("\\n");
                case '\r' -> buffer.append("\\r");
                default -> buffer.append(c);
            }
        }
    }
}
