package org.schedctl.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdbi.v3.core.transaction.TransactionException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.schedctl.domain.SchedException;
import org.schedctl.domain.UnavailableException;

class SqlErrorsTest {
    private static PSQLException server(String severity, String state, String message) {
        return new PSQLException(new ServerErrorMessage("S" + severity + "\0C" + state + "\0M" + message + "\0"));
    }

    @Test
    void aCommitThatFailsOnAFullDiskIsUnavailableNotAnInternalError() {
        // What Jdbi throws when the server PANICs writing the commit's WAL to a full disk.
        SchedException e = SqlErrors.translate(new TransactionException("Failed to commit transaction",
                server("PANIC", "53100", "could not write to file \"pg_wal/xlogtemp.42\": No space left on device")));
        assertInstanceOf(UnavailableException.class, e);
        assertEquals("the database server cannot write (could not write to file \"pg_wal/xlogtemp.42\": No space left on device). "
                + "Free disk space or memory on the server, then run the command again", e.getMessage());
    }

    @Test
    void outOfMemoryAndIoErrorsAreUnavailableToo() {
        assertInstanceOf(UnavailableException.class, SqlErrors.translate(server("ERROR", "53200", "out of memory")));
        assertInstanceOf(UnavailableException.class, SqlErrors.translate(server("ERROR", "58030", "could not read block")));
        assertTrue(SqlErrors.translate(server("FATAL", "53300", "too many clients")).getMessage().startsWith("cannot reach the database"));
    }
}
