package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver.Result;
import org.schedctl.test.TestDatabase;

/** The README's first command: the demo loads its school once, runs every step, and can be run again. */
class DemoIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void loadsOnceAndShowsEveryStep() {
        Result first = db.cli().withEnv("SCHEDCTL_HOME", System.getProperty("java.io.tmpdir")).run("demo").ok();
        assertTrue(first.stdout().contains("$ schedctl book --instructor ada@demo.schedctl.org"), first.toString());
        assertTrue(first.stdout().contains("$ schedctl conference publish 'Demo evening'"), first.toString());
        assertTrue(first.stderr().contains("the slot is taken"), "the double booking is refused: " + first);
        assertTrue(first.stdout().contains("# Done."), first.toString());
        long appointments = db.database().inTransaction(h -> h.createQuery("SELECT count(*) FROM appointments").mapTo(Long.class).one());
        assertEquals(13, appointments, "Sam's lesson, Kim's maths, two seminar seats, five of Kim's six weekly piano lessons, "
                + "the parents' evening's four meetings");
        assertTrue(first.stdout().contains("--for-term 'Demo term'") && first.stdout().contains("closed"),
                "a term of weekly lessons with the closure skipped: " + first);

        Result again = db.cli().withEnv("SCHEDCTL_HOME", System.getProperty("java.io.tmpdir")).run("demo").ok();
        assertTrue(again.stderr().contains("already loaded"), again.toString());
        assertEquals(appointments, (long) db.database().inTransaction(h -> h.createQuery("SELECT count(*) FROM appointments").mapTo(Long.class).one()));
    }
}
