package org.schedctl.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.schedctl.test.TestDatabase;

/**
 * The inventory of SECURITY DEFINER functions (issue 12), read from the catalog so a new one cannot slip in: every
 * definer function of schema public has a row in {@link #DEFINERS}; each pins its search_path and gives PUBLIC no
 * EXECUTE; trigger functions and helpers are executable by the owner alone; every one the runtime role may execute
 * has a probe in {@link DefinerProbesIT#PROBES}, which calls it as every kind of user against other people's rows.
 */
class DefinerCatalogIT {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    enum Kind {
        /** fires as a trigger only; no EXECUTE for the runtime role */
        TRIGGER,
        /** called only by other definer functions (which run as the owner); no EXECUTE for the runtime role */
        HELPER,
        /** called by the application, a policy or an invoker function: executable, answers only for the caller */
        CALLER_SCOPED
    }

    /** Every SECURITY DEFINER function, by regprocedure, and its kind. A new one fails the build until it is listed. */
    static final Map<String, Kind> DEFINERS = Map.ofEntries(
            Map.entry("audit_row()", Kind.TRIGGER),
            Map.entry("audit_statement()", Kind.TRIGGER),
            Map.entry("appointments_guard_capacity()", Kind.TRIGGER),
            Map.entry("appointments_metrics()", Kind.TRIGGER),
            Map.entry("analytics_mark_appointments()", Kind.TRIGGER),
            Map.entry("analytics_mark_occurrences()", Kind.TRIGGER),
            Map.entry("analytics_mark_patterns()", Kind.TRIGGER),
            Map.entry("app_trusted_now(timestamp with time zone)", Kind.HELPER),
            Map.entry("availability_window_start(bigint,bigint,timestamp with time zone)", Kind.HELPER),
            Map.entry("availability_seats_left(bigint,bigint,integer,timestamp with time zone,tstzrange,timestamp with time zone)", Kind.HELPER),
            Map.entry("appointment_occupies(text,bigint,timestamp with time zone)", Kind.HELPER),
            Map.entry("bump_booking_metric(text,bigint)", Kind.HELPER),
            Map.entry("instructor_available_minutes(bigint,date)", Kind.HELPER),
            Map.entry("enqueue_appointment_notifications(bigint,text,timestamp with time zone,text)", Kind.HELPER),
            Map.entry("resolve_actor(text)", Kind.CALLER_SCOPED),
            Map.entry("builtin_admin_id()", Kind.CALLER_SCOPED),
            Map.entry("generate_booking_reference()", Kind.CALLER_SCOPED),
            Map.entry("generate_series_reference()", Kind.CALLER_SCOPED),
            Map.entry("app_user_role()", Kind.CALLER_SCOPED),
            Map.entry("app_is_admin()", Kind.CALLER_SCOPED),
            Map.entry("app_is_instructor()", Kind.CALLER_SCOPED),
            Map.entry("app_signed_in()", Kind.CALLER_SCOPED),
            Map.entry("app_instructor_has_student(bigint)", Kind.CALLER_SCOPED),
            Map.entry("app_acted_for()", Kind.CALLER_SCOPED),
            Map.entry("get_available_slots_comprehensive(bigint[],text,timestamp with time zone,timestamp with time zone,timestamp with time zone)", Kind.CALLER_SCOPED),
            Map.entry("check_instructor_availability_comprehensive(bigint,bigint,timestamp with time zone,timestamp with time zone,bigint,timestamp with time zone)", Kind.CALLER_SCOPED),
            Map.entry("booking_prepare(bigint,timestamp with time zone)", Kind.CALLER_SCOPED),
            Map.entry("booking_type_rules(bigint)", Kind.CALLER_SCOPED),
            Map.entry("enqueue_appointment_notification_kinds(bigint,text[],timestamp with time zone,text)", Kind.CALLER_SCOPED),
            Map.entry("cancel_appointment_notifications(bigint,text[])", Kind.CALLER_SCOPED),
            Map.entry("analytics_recompute(date,date,boolean)", Kind.CALLER_SCOPED));

    record Definer(String signature, boolean trigger, boolean pinnedPath, boolean publicExecute, boolean appExecute) {
    }

    static List<Definer> definers() {
        return Jdbi.create(db.ownerDataSource()).withHandle(h -> h.createQuery("""
                SELECT p.oid::regprocedure::text AS signature,
                       p.prorettype = 'trigger'::regtype AS trigger,
                       coalesce(EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%'), false) AS pinned_path,
                       (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) x
                                                    WHERE x.grantee = 0 AND x.privilege_type = 'EXECUTE')) AS public_execute,
                       has_function_privilege('schedctl_app', p.oid, 'EXECUTE') AS app_execute
                FROM pg_proc p
                WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
                ORDER BY 1""")
                .map((rs, ctx) -> new Definer(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4), rs.getBoolean(5)))
                .list());
    }

    @Test
    void everyDefinerFunctionIsListedAndNoListedOneIsGone() {
        Set<String> actual = new TreeSet<>(definers().stream().map(Definer::signature).toList());
        Set<String> unlisted = new TreeSet<>(actual);
        unlisted.removeAll(DEFINERS.keySet());
        assertEquals(Set.of(), unlisted, "SECURITY DEFINER functions without a row in DefinerCatalogIT.DEFINERS: decide whether the"
                + " runtime role may execute them, and give the executable ones a probe in DefinerProbesIT.PROBES");
        Set<String> gone = new TreeSet<>(DEFINERS.keySet());
        gone.removeAll(actual);
        assertEquals(Set.of(), gone, "rows in DEFINERS for functions that are no longer SECURITY DEFINER (or no longer exist)");
    }

    @Test
    void everyDefinerPinsItsSearchPathAndIsClosedToPublic() {
        Map<String, String> wrong = new TreeMap<>();
        for (Definer d : definers()) {
            Kind kind = DEFINERS.get(d.signature());
            if (!d.pinnedPath()) {
                wrong.put(d.signature(), "no SET search_path");
            } else if (d.publicExecute()) {
                wrong.put(d.signature(), "EXECUTE granted to PUBLIC");
            } else if (kind != null && (kind == Kind.CALLER_SCOPED) != d.appExecute()) {
                wrong.put(d.signature(), kind + " but the runtime role " + (d.appExecute() ? "may" : "may not") + " execute it");
            } else if (d.trigger() && kind != Kind.TRIGGER) {
                wrong.put(d.signature(), "a trigger function listed as " + kind);
            }
        }
        assertEquals(Map.of(), wrong);
    }

    @Test
    void everyFunctionTheRuntimeRoleMayExecuteAsDefinerHasAProbe() {
        Set<String> executable = new TreeSet<>(definers().stream().filter(Definer::appExecute).map(Definer::signature).toList());
        Set<String> unprobed = new TreeSet<>(executable);
        unprobed.removeAll(DefinerProbesIT.PROBES.keySet());
        assertEquals(Set.of(), unprobed, "executable definer functions without a probe in DefinerProbesIT.PROBES");
        assertTrue(executable.size() >= 12, "the inventory found the definer functions: " + executable);
    }
}
