package org.schedctl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.schedctl.cli.FoundationCommandsIT.assertError;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/** A student may hold only so many slots at once (holds.max_per_student), race-free; operators are not limited. */
class HoldLimitIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static long liveHolds(String student) {
        return db.database().inTransaction(h -> h.createQuery("""
                        SELECT count(*) FROM appointments a JOIN users u ON u.id = a.student_id
                        WHERE u.email = :e AND a.status = 'held'""")
                .bind("e", student).mapTo(Long.class).one());
    }

    private static CliDriver.Result hold(CliDriver cli, BookingFixture f, String type, String student, String at) {
        return cli.run("-o", "json", "hold", "--instructor", f.instructor, "--type", type, "--student", student, "--at", at, "--for", "10m");
    }

    @Test
    void aStudentsOwnHoldsAreCappedAndFreeAgainWhenBookedOrLapsed() {
        BookingFixture f = new BookingFixture(db, "cap");
        String ann = f.student("ann");
        String lesson = f.type("lesson", "--duration", "30m");
        CliDriver asAnn = f.cli().withEnv("SCHEDCTL_USER", ann).withEnv("SCHEDCTL_HOLDS_MAX_PER_STUDENT", "2");

        String first = hold(asAnn, f, lesson, ann, "2027-06-03T10:00").ok().json().get("hold_id").asText();
        hold(asAnn, f, lesson, ann, "2027-06-03T11:00").ok();
        assertError(hold(asAnn, f, lesson, ann, "2027-06-03T12:00"), 3, "the most a student may hold at once (2, holds.max_per_student)");
        assertEquals(2, liveHolds(ann), "the refused hold wrote nothing");

        // An operator holding on the student's behalf is not limited.
        hold(f.cli().withEnv("SCHEDCTL_HOLDS_MAX_PER_STUDENT", "2"), f, lesson, ann, "2027-06-03T12:00").ok();
        assertEquals(3, liveHolds(ann));

        // Booking one turns it into a booking and frees its place, but the operator's hold for her counts too.
        asAnn.run("book", "--hold", first).ok();
        assertError(hold(asAnn, f, lesson, ann, "2027-06-03T13:00"), 3, "you already hold 2 slots");

        // Ten minutes later every hold has lapsed (swept or not): the student may hold again.
        CliDriver later = f.cliAt(BookingFixture.NOW.plus(Duration.ofMinutes(11))).withEnv("SCHEDCTL_USER", ann)
                .withEnv("SCHEDCTL_HOLDS_MAX_PER_STUDENT", "2");
        hold(later, f, lesson, ann, "2027-06-03T13:00").ok();

        // `none` lifts the limit; a bad value is a configuration error naming the key.
        CliDriver unlimited = f.cliAt(BookingFixture.NOW.plus(Duration.ofMinutes(11))).withEnv("SCHEDCTL_USER", ann)
                .withEnv("SCHEDCTL_HOLDS_MAX_PER_STUDENT", "none");
        hold(unlimited, f, lesson, ann, "2027-06-03T14:00").ok();
        hold(unlimited, f, lesson, ann, "2027-06-03T15:00").ok();
        assertError(asAnn.withEnv("SCHEDCTL_HOLDS_MAX_PER_STUDENT", "0").run("hold", "--instructor", f.instructor,
                "--type", lesson, "--student", ann, "--at", "2027-06-04T10:00"), 2, "holds.max_per_student");
    }

    @Test
    void twoHoldsAtOnceCannotBothTakeTheLastPlace() throws Exception {
        BookingFixture f = new BookingFixture(db, "race");
        String lesson = f.type("lesson", "--duration", "30m");
        int rounds = 8;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < rounds; round++) {
                String bea = f.student("bea" + round);
                CliDriver asBea = f.cli().withEnv("SCHEDCTL_USER", bea).withEnv("SCHEDCTL_HOLDS_MAX_PER_STUDENT", "1");
                CountDownLatch start = new CountDownLatch(1);
                List<Future<CliDriver.Result>> results = new ArrayList<>();
                String day = String.format("2027-06-%02d", 3 + round);
                for (String slot : List.of(day + "T09:00", day + "T16:00")) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return hold(asBea, f, lesson, bea, slot);
                    }));
                }
                start.countDown();
                int ok = 0;
                for (Future<CliDriver.Result> r : results) {
                    CliDriver.Result result = r.get();
                    if (result.exitCode() == 0) {
                        ok++;
                    } else {
                        assertError(result, 3, "the most a student may hold at once");
                    }
                }
                assertEquals(1, ok, "round " + round);
                assertEquals(1, liveHolds(bea), "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
