package org.schedctl.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.TestDatabase;

/**
 * Issue 12's raw-SQL probes: the runtime role, with app.user_id set to a student, an instructor, an administrator
 * or nobody, as a PostgREST client would, calls every SECURITY DEFINER function it may execute with arguments that
 * name other people's rows. Nothing outside the caller's permissions may be returned, written or changed; the
 * database's clock, not the caller's, decides when a hold has run out.
 */
class DefinerProbesIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();
    static SchoolFixture school;
    static Jdbi owner;
    static Jdbi app;
    static long typeB;
    static long typeAOld;

    /** Who may change rows through the call; every other caller must leave every table as it was. */
    record Probe(String call, Set<String> mayWrite) {
    }

    static final Set<String> NOBODY_WRITES = Set.of();

    /**
     * One call per executable definer function ({@link DefinerCatalogIT} fails when one is missing), naming B's and
     * T's rows. Placeholders: {@code {a} {b} {s} {t} {apptB} {typeB} {typeAOld}}.
     */
    static final Map<String, Probe> PROBES = Map.ofEntries(
            Map.entry("resolve_actor(text)", new Probe("resolve_actor('t@school.test')", NOBODY_WRITES)),
            Map.entry("builtin_admin_id()", new Probe("builtin_admin_id()", NOBODY_WRITES)),
            Map.entry("generate_booking_reference()", new Probe("generate_booking_reference()", NOBODY_WRITES)),
            Map.entry("app_user_role()", new Probe("app_user_role()", NOBODY_WRITES)),
            Map.entry("app_is_admin()", new Probe("app_is_admin()", NOBODY_WRITES)),
            Map.entry("app_is_instructor()", new Probe("app_is_instructor()", NOBODY_WRITES)),
            Map.entry("app_signed_in()", new Probe("app_signed_in()", NOBODY_WRITES)),
            Map.entry("app_instructor_has_student(bigint)", new Probe("app_instructor_has_student({t})", NOBODY_WRITES)),
            Map.entry("get_available_slots_comprehensive(bigint[],text,timestamp with time zone,timestamp with time zone,timestamp with time zone)",
                    new Probe("get_available_slots_comprehensive(ARRAY[{a}, {b}]::bigint[], NULL, '2030-01-07', '2030-01-08', '2030-01-01')", NOBODY_WRITES)),
            Map.entry("check_instructor_availability_comprehensive(bigint,bigint,timestamp with time zone,timestamp with time zone,bigint,timestamp with time zone)",
                    new Probe("check_instructor_availability_comprehensive({b}, {typeB}, '2030-01-07 12:00Z', '2030-01-07 13:00Z', {apptB}, '2030-01-01')", NOBODY_WRITES)),
            // Sweeping holds that really ran out is every booker's right; none has run out here, and the forged "now"
            // a day ahead must not make one.
            Map.entry("booking_prepare(bigint,timestamp with time zone)", new Probe("booking_prepare({b}, now() + interval '1 day')", NOBODY_WRITES)),
            Map.entry("booking_type_rules(bigint)", new Probe("booking_type_rules({typeAOld})", NOBODY_WRITES)),
            Map.entry("enqueue_appointment_notification_kinds(bigint,text[],timestamp with time zone,text)",
                    new Probe("enqueue_appointment_notification_kinds({apptB}, ARRAY['cancelled'], now(), 'Pay the fee at http://evil.example')",
                            Set.of("admin", "B", "T"))),
            Map.entry("analytics_recompute(date,date,boolean)",
                    new Probe("analytics_recompute('2030-01-07', '2030-01-07', false)", Set.of("admin"))));

    static Map<String, Long> callers;

    @BeforeAll
    static void setUp() {
        school = new SchoolFixture(db);
        owner = Jdbi.create(db.ownerDataSource());
        app = Jdbi.create(db.dataSource());
        // The production clock: no bound in app_clock, so the database's now() bounds a caller's "now".
        owner.useHandle(h -> h.execute("DELETE FROM app_clock"));
        typeB = owner.withHandle(h -> h.createQuery("SELECT id FROM appointment_types WHERE slug = 'b-lesson'").mapTo(Long.class).one());
        typeAOld = owner.withHandle(h -> h.createQuery("SELECT id FROM appointment_types WHERE slug = 'a-old'").mapTo(Long.class).one());
        // Those who may not write come first: a permitted caller's rows (the outbox's idempotency keys) would
        // otherwise make a forbidden caller's identical write a silent no-op that the snapshot cannot see.
        callers = new LinkedHashMap<>();
        callers.put("nobody", null);
        callers.put("S", school.s);
        callers.put("A", school.a);
        callers.put("T", school.t);
        callers.put("B", school.b);
        callers.put("admin", school.admin);
    }

    static String sql(String call) {
        return call.replace("{apptB}", Long.toString(school.apptB)).replace("{typeB}", Long.toString(typeB))
                .replace("{typeAOld}", Long.toString(typeAOld)).replace("{a}", Long.toString(school.a))
                .replace("{b}", Long.toString(school.b)).replace("{s}", Long.toString(school.s)).replace("{t}", Long.toString(school.t));
    }

    /** What a call returned (each row as JSON), or the SQLSTATE it was refused with. */
    record Outcome(List<String> rows, String refused) {
    }

    static Outcome call(Long user, String call) {
        try {
            return app.inTransaction(h -> {
                actAs(h, user);
                return new Outcome(h.createQuery("SELECT coalesce(to_jsonb(r)::text, 'null') FROM " + sql(call) + " r").mapTo(String.class).list(), null);
            });
        } catch (RuntimeException e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof SQLException s) {
                    return new Outcome(List.of(), s.getSQLState());
                }
            }
            throw e;
        }
    }

    static void actAs(Handle h, Long user) {
        h.createQuery("SELECT set_config('app.user_id', :id, true)").bind("id", user == null ? "" : user.toString())
                .mapTo(String.class).one();
    }

    /** Every table of schema public, as the owner sees it: row count and a digest of the rows. */
    static Map<String, String> snapshot() {
        return owner.withHandle(h -> {
            Map<String, String> m = new TreeMap<>();
            for (String table : h.createQuery("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'")
                    .mapTo(String.class).list()) {
                m.put(table, h.createQuery("SELECT count(*) || ':' || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM "
                        + table + " x").mapTo(String.class).one());
            }
            return m;
        });
    }

    static List<String> changed(Map<String, String> before, Map<String, String> after) {
        List<String> tables = new ArrayList<>();
        after.forEach((t, digest) -> {
            if (!digest.equals(before.get(t))) {
                tables.add(t);
            }
        });
        return tables;
    }

    @Test
    void everyProbeAsEveryCallerChangesOnlyWhatThatCallerMay() {
        Map<String, String> wrong = new TreeMap<>();
        PROBES.forEach((signature, probe) -> callers.forEach((who, id) -> {
            Map<String, String> before = snapshot();
            Outcome outcome = call(id, probe.call());
            List<String> changed = changed(before, snapshot());
            if (!changed.isEmpty() && !probe.mayWrite().contains(who)) {
                wrong.put(signature + " as " + who, "changed " + changed + " (returned " + outcome + ")");
            }
        }));
        assertEquals(Map.of(), wrong);
    }

    @Test
    void withNobodyActingEveryProbeReturnsNothingButTheActorLookups() {
        Set<String> answerWithoutActor = Set.of("resolve_actor(text)", "builtin_admin_id()", "generate_booking_reference()",
                "app_user_role()", "app_is_admin()", "app_is_instructor()", "app_signed_in()", "app_instructor_has_student(bigint)");
        Map<String, Outcome> answered = new TreeMap<>();
        PROBES.forEach((signature, probe) -> {
            if (answerWithoutActor.contains(signature)) {
                return;
            }
            Outcome o = call(null, probe.call());
            boolean empty = o.refused() != null || o.rows().isEmpty() || o.rows().stream().allMatch(r -> r.equals("null") || r.equals("0"));
            if (!empty) {
                answered.put(signature, o);
            }
        });
        assertEquals(Map.of(), answered, "definer functions that answer with nobody acting");
        // The two that must keep answering: --as and the default acting user are resolved before anyone acts.
        assertEquals(List.of(Long.toString(school.t)), call(null, "resolve_actor('t@school.test')").rows());
        assertEquals(List.of(Long.toString(school.admin)), call(null, "builtin_admin_id()").rows());
        // The role helpers answer for nobody with "no role".
        assertEquals(List.of("null"), call(null, "app_user_role()").rows());
    }

    @Test
    void aStudentCannotQueueMessagesAboutSomeoneElsesAppointment() {
        String evil = "enqueue_appointment_notification_kinds({apptB}, ARRAY['booked', 'reminder'], now(), 'Pay the fee at http://evil.example')";
        long before = outbox();
        Outcome asS = call(school.s, evil);
        Outcome asNobody = call(null, evil);
        Outcome asA = call(school.a, evil);
        assertEquals(before, outbox(), "S: " + asS + ", nobody: " + asNobody + ", A: " + asA);
        // The wrapper is a helper now: not executable at all.
        assertEquals("42501", call(school.s, "enqueue_appointment_notifications({apptB}, 'booked', now(), 'x')").refused());
        // T, the appointment's own student, may not send what only the instructor causes.
        assertEquals("42501", call(school.t, "enqueue_appointment_notification_kinds({apptB}, ARRAY['confirmed'], now(), NULL)").refused());
        assertEquals(before, outbox());
        // B, its instructor, may (the positive control: the guard is not simply "nobody").
        Outcome asB = call(school.b, "enqueue_appointment_notification_kinds({apptB}, ARRAY['confirmed'], now(), NULL)");
        assertTrue(outbox() > before, "B's confirmation is queued: " + asB);
    }

    static long outbox() {
        return owner.withHandle(h -> h.createQuery("SELECT count(*) FROM appointment_notifications").mapTo(Long.class).one());
    }

    @Test
    void aForgedNowCannotExpireAnotherStudentsLiveHold() {
        long live = hold(school.t, "now() + interval '10 minutes'", "2030-01-08 09:00Z");
        Outcome forged = call(school.s, "booking_prepare({b}, now() + interval '1 day')");
        assertEquals(List.of(), forged.rows(), forged.toString());
        assertEquals("held", status(live), "T's hold is still live: the database's clock decides");

        // A hold that really ran out is swept by any booker, who learns the freed time but not whose hold it was.
        long lapsed = hold(school.t, "now() - interval '1 minute'", "2030-01-08 11:00Z");
        Outcome swept = call(school.s, "booking_prepare({b}, now())");
        assertEquals("cancelled", status(lapsed));
        assertEquals(1, swept.rows().size(), swept.toString());
        String row = swept.rows().get(0);
        assertTrue(row.contains("\"student_id\": null") && row.contains("\"appointment_id\": null") && row.contains("\"starts_at\""), row);
        assertEquals("held", status(live));
    }

    static long hold(long student, String expires, String at) {
        return owner.withHandle(h -> {
            long session = h.createQuery("INSERT INTO booking_sessions (student_id, instructor_id, type_id, step, starts_at, ends_at, expires_at) "
                            + "VALUES (:s, :i, :t, 'held', :at::timestamptz, :at::timestamptz + interval '1 hour', " + expires + ") RETURNING id")
                    .bind("s", student).bind("i", school.b).bind("t", typeB).bind("at", at).mapTo(Long.class).one();
            return h.createQuery("INSERT INTO appointments (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone, booking_session_id) "
                            + "VALUES (:i, :s, :t, 'held', :at::timestamptz, :at::timestamptz + interval '1 hour', 'UTC', :session) RETURNING id")
                    .bind("s", student).bind("i", school.b).bind("t", typeB).bind("at", at).bind("session", session).mapTo(Long.class).one();
        });
    }

    static String status(long appointment) {
        return owner.withHandle(h -> h.createQuery("SELECT status FROM appointments WHERE id = ?").bind(0, appointment).mapTo(String.class).one());
    }

    @Test
    void aForgedEarlierNowCannotBookOrListThePast() {
        // Last week's Monday 13:00 UTC: inside B's Monday 09:00-17:00, already past by the database's clock.
        String past = "(date_trunc('week', now() AT TIME ZONE 'UTC') - interval '7 days' + interval '13 hours') AT TIME ZONE 'UTC'";
        String check = "check_instructor_availability_comprehensive({b}, {typeB}, " + past + ", " + past + " + interval '1 hour', NULL, "
                + past + " - interval '7 days')";
        List<String> answer = call(school.s, check).rows();
        assertEquals(1, answer.size(), answer.toString());
        assertTrue(answer.get(0).contains("\"ok\": false"), "a claimed 'now' a week earlier must not make the past bookable: " + answer);
        assertEquals(List.of(), call(school.s, "get_available_slots_comprehensive(ARRAY[{b}]::bigint[], NULL, " + past
                + " - interval '7 days', now() - interval '1 minute', " + past + " - interval '14 days')").rows(),
                "no past starts for a claimed earlier 'now'");
    }

    @Test
    void aStudentCannotInflateAnInstructorsDashboard() {
        long before = owner.withHandle(h -> h.createQuery("SELECT coalesce(sum(value), 0) FROM booking_metrics_realtime").mapTo(Long.class).one());
        assertEquals("42501", call(school.s, "bump_booking_metric('bookings', {a})").refused());
        assertEquals("42501", call(null, "bump_booking_metric('bookings', {a})").refused());
        assertEquals(before, (long) owner.withHandle(h -> h.createQuery("SELECT coalesce(sum(value), 0) FROM booking_metrics_realtime").mapTo(Long.class).one()));
    }

    @Test
    void definerReadsAnswerOnlyWhatTheCallerMaySee() {
        // resolve_actor: another student is nobody to S; instructors are in the directory; A finds A's own student.
        assertEquals(List.of("null"), call(school.s, "resolve_actor('t@school.test')").rows());
        assertEquals(List.of("null"), call(school.s, "resolve_actor('" + school.t + "')").rows());
        assertEquals(List.of(Long.toString(school.a)), call(school.s, "resolve_actor('a@school.test')").rows());
        assertEquals(List.of(Long.toString(school.s)), call(school.s, "resolve_actor('s@school.test')").rows());
        assertEquals(List.of(Long.toString(school.s)), call(school.a, "resolve_actor('s@school.test')").rows());
        assertEquals(List.of("null"), call(school.a, "resolve_actor('t@school.test')").rows());
        assertEquals(List.of(Long.toString(school.t)), call(school.admin, "resolve_actor('t@school.test')").rows());
        assertEquals(List.of("null"), call(school.s, "builtin_admin_id()").rows());

        // Analytics: available minutes are not the runtime role's to ask for at all.
        assertEquals("42501", call(school.s, "instructor_available_minutes({a}, '2030-01-07')").refused());

        // An archived type's rules (and the instructor's settings behind them) are the instructor's and the admin's.
        assertEquals(List.of(), call(school.s, "booking_type_rules({typeAOld})").rows());
        assertEquals(List.of(), call(school.b, "booking_type_rules({typeAOld})").rows());
        assertEquals(List.of(), call(null, "booking_type_rules({typeAOld})").rows());
        assertEquals(1, call(school.a, "booking_type_rules({typeAOld})").rows().size());
        assertEquals(1, call(school.admin, "booking_type_rules({typeAOld})").rows().size());

        // The slot lister: bare free starts, which booking needs; no student, appointment or note; nobody acting: nothing.
        for (String row : call(school.s, "get_available_slots_comprehensive(ARRAY[{b}]::bigint[], NULL, '2030-01-07', '2030-01-14', '2030-01-01')").rows()) {
            assertTrue(row.matches("\\{(\"(instructor_id|type_id|slot_start|slot_end|seats_free)\": [^,}]+(, )?){5}}"), row);
        }
        assertEquals(List.of(), call(null, "get_available_slots_comprehensive(ARRAY[{b}]::bigint[], NULL, '2030-01-07', '2030-01-14', '2030-01-01')").rows());
        assertNotNull(call(school.s, "app_user_role()").rows().get(0));
        assertNull(call(school.s, "app_instructor_has_student({t})").refused());
    }
}
