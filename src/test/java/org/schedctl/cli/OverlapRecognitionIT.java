package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.Main;
import org.schedctl.domain.SchedException;
import org.schedctl.domain.booking.BookingOutcome;
import org.schedctl.service.BookingRefusals;
import org.schedctl.store.SqlErrors;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/**
 * An overlap is the exclusion constraint appointments_no_overlap raising SQLSTATE 23P01, recognised by that code and
 * that name: not by the text "the slot is taken" (which a check or a RAISE may also say), and not by 23P01 alone.
 */
class OverlapRecognitionIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void anOverlapIsKnownBySqlStateAndConstraintNameNotByText() {
        BookingFixture f = new BookingFixture(db, "ovl");
        String lesson = f.type("lesson", "--duration", "30m");
        CliDriver cli = f.cli();
        String first = cli.run("-o", "json", "book", "--instructor", f.instructor, "--type", lesson, "--student", f.student("a"),
                "--at", "2027-06-03T10:00").ok().json().get("reference").asText();
        String second = cli.run("-o", "json", "book", "--instructor", f.instructor, "--type", lesson, "--student", f.student("b"),
                "--at", "2027-06-03T11:00").ok().json().get("reference").asText();
        Jdbi owner = Jdbi.create(db.ownerDataSource());

        // A writer that bypasses the booking lock and check moves the second booking onto the first.
        RuntimeException overlap = assertThrows(RuntimeException.class, () -> owner.useHandle(h -> h.createUpdate("""
                        UPDATE appointments SET starts_at = s.starts_at, ends_at = s.ends_at
                          FROM appointments s WHERE s.reference = :first AND appointments.reference = :second
                        """).bind("first", first).bind("second", second).execute()));
        assertTrue(SqlErrors.isOverlap(overlap), "23P01 by appointments_no_overlap: " + overlap);
        SchedException taken = BookingRefusals.exception(BookingRefusals.Refusal.of(BookingOutcome.SLOT_TAKEN).cause(overlap));
        assertEquals(Main.CONFLICT, Main.exitCode(taken));
        assertEquals(SqlErrors.translate(overlap).getMessage(), taken.getMessage(), "the same words whichever path refuses");

        // The same words from a RAISE are not an overlap (the old test of the message's prefix said they were).
        RuntimeException raised = assertThrows(RuntimeException.class, () -> owner.useHandle(h -> h.execute(
                "DO $$ BEGIN RAISE EXCEPTION 'the slot is taken: it overlaps another booking or hold of this instructor'; END $$")));
        assertTrue(SqlErrors.translate(raised).getMessage().startsWith("the slot is taken"), SqlErrors.translate(raised).getMessage());
        assertFalse(SqlErrors.isOverlap(raised), "a message is not a constraint");

        // 23P01 from another exclusion constraint is not the appointments' overlap either.
        RuntimeException other = assertThrows(RuntimeException.class, () -> owner.useTransaction(h -> {
            h.execute("CREATE TEMP TABLE ovl_other (r tstzrange, CONSTRAINT ovl_other_excl EXCLUDE USING gist (r WITH &&)) ON COMMIT DROP");
            h.execute("INSERT INTO ovl_other VALUES (tstzrange('2027-06-03 10:00Z', '2027-06-03 11:00Z'))");
            h.execute("INSERT INTO ovl_other VALUES (tstzrange('2027-06-03 10:30Z', '2027-06-03 11:30Z'))");
        }));
        assertTrue(SqlErrors.violates(other, SqlErrors.EXCLUSION_VIOLATION, "ovl_other_excl"), other.toString());
        assertFalse(SqlErrors.isOverlap(other), "23P01 alone is not enough");
    }
}
