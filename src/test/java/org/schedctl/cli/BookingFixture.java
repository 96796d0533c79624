package org.schedctl.cli;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.schedctl.test.CliDriver;
import org.schedctl.test.TestDatabase;

/**
 * A small school for booking tests: an instructor in America/New_York available 09:00-17:00 every day, students,
 * and types created through the CLI; availability and blocks are inserted with SQL (the availability commands
 * belong to another part of the product). "Now" is fixed by a clock so every time below is concrete.
 */
final class BookingFixture {
    /** Tuesday 2027-06-01 08:00 in New York. */
    static final Instant NOW = Instant.parse("2027-06-01T12:00:00Z");

    private final TestDatabase db;
    final String instructor;
    final String prefix;

    BookingFixture(TestDatabase db, String prefix) {
        this.db = db;
        this.prefix = prefix;
        this.instructor = prefix + "-teacher@example.org";
        cli().run("user", "add", "--name", "Teacher " + prefix, "--email", instructor, "--role", "instructor",
                "--tz", "America/New_York").ok();
        cli().run("instructor", "settings", instructor, "--reminders", "24h,1h").ok();
        sql("""
                INSERT INTO instructor_availability (instructor_id, day_of_week, start_time, end_time, timezone)
                SELECT u.id, d, '09:00', '17:00', 'America/New_York' FROM users u, generate_series(1, 7) d
                WHERE u.email = '%s'
                """.formatted(instructor));
    }

    CliDriver cli() {
        return db.cli().withClock(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    CliDriver cliAt(Instant now) {
        return db.cli().withClock(Clock.fixed(now, ZoneOffset.UTC));
    }

    String student(String name) {
        String email = prefix + "-" + name + "@example.org";
        cli().run("user", "add", "--name", name, "--email", email).ok();
        return email;
    }

    String type(String slug, String... extra) {
        String[] args = new String[8 + extra.length];
        String[] base = {"type", "add", "--instructor", instructor, "--name", slug, "--slug", prefix + "-" + slug};
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        cli().run(args).ok();
        return prefix + "-" + slug;
    }

    void block(String kind, String from, String to) {
        sql("""
                WITH b AS (
                    INSERT INTO time_blocks (instructor_id, kind, starts_at, ends_at, timezone, local_start, local_end)
                    SELECT id, '%1$s', '%2$s'::timestamptz, '%3$s'::timestamptz, 'UTC', '%2$s'::timestamptz AT TIME ZONE 'UTC',
                           '%3$s'::timestamptz AT TIME ZONE 'UTC' FROM users WHERE email = '%4$s'
                    RETURNING id, instructor_id, kind, starts_at, ends_at)
                INSERT INTO time_block_occurrences (block_id, instructor_id, kind, during)
                SELECT id, instructor_id, kind, tstzrange(starts_at, ends_at) FROM b
                """.formatted(kind, from, to, instructor));
    }

    void sql(String statement) {
        db.database().useTransaction(h -> h.execute(statement));
    }

    long count(String query) {
        return db.database().inTransaction(h -> h.createQuery(query).mapTo(Long.class).one());
    }
}
