-- The database trust boundary (issue 12): who may execute the SECURITY DEFINER functions, and the one clock they
-- trust. Repeatable, so it runs after every other repeatable migration (their names sort before R__90) and after
-- any change to one of them: CREATE OR REPLACE keeps a function's privileges, this file restates them anyway.
--
-- The rule, checked by DefinerCatalogIT against the catalog: every SECURITY DEFINER function has SET search_path,
-- no EXECUTE for PUBLIC, and is executable by the runtime role only where the application, a policy or an invoker
-- function calls it; then it answers only for app_current_user_id() (DefinerProbesIT). Trigger functions and
-- helpers that only other definer functions call are executable by the owner alone (triggers fire regardless).

-- The bound on a caller's "now" (V61): the instant in app_clock, else the database's now(). A caller may claim an
-- earlier time (its own view only gets more cautious: holds live longer), never a later one. Not executable by
-- the runtime role: only definer functions, running as the owner, call it.
CREATE OR REPLACE FUNCTION app_trusted_now(p_claimed timestamptz) RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT least(coalesce(p_claimed, now()), coalesce((SELECT c.latest FROM app_clock c), now()))
$$;

-- Nothing is executable by PUBLIC: the runtime role gets EXECUTE by name below.
REVOKE EXECUTE ON FUNCTION
    app_trusted_now(timestamptz),
    -- trigger functions
    audit_row(), audit_statement(), appointments_guard_capacity(), appointments_metrics(),
    -- helpers of other definer functions
    availability_free_windows(bigint, bigint, timestamptz, timestamptz),
    instructor_time_near(bigint, bigint, timestamptz, timestamptz),
    appointment_occupies(text, bigint, timestamptz),
    bump_booking_metric(text, bigint),
    instructor_available_minutes(bigint, date),
    enqueue_appointment_notifications(bigint, text, timestamptz, text),
    -- called by the application, a policy or an invoker function: granted to the runtime role below
    resolve_actor(text), builtin_admin_id(), generate_booking_reference(),
    app_user_role(), app_is_admin(), app_is_instructor(), app_signed_in(), app_instructor_has_student(bigint),
    availability_busy(bigint[], timestamptz, timestamptz),
    availability_busy(bigint[], timestamptz, timestamptz, timestamptz),
    availability_instructor_policies(bigint[]),
    get_available_slots_comprehensive(bigint, bigint, timestamptz, timestamptz, timestamptz),
    check_instructor_availability_comprehensive(bigint, bigint, timestamptz, timestamptz, bigint, timestamptz),
    suggest_booking_slots(bigint, bigint, timestamptz, integer, timestamptz),
    booking_prepare(bigint, timestamptz),
    booking_type_rules(bigint),
    enqueue_appointment_notification_kinds(bigint, text[], timestamptz, text),
    recompute_appointment_analytics(date, date)
FROM PUBLIC;

REVOKE EXECUTE ON FUNCTION
    app_trusted_now(timestamptz),
    audit_row(), audit_statement(), appointments_guard_capacity(), appointments_metrics(),
    availability_free_windows(bigint, bigint, timestamptz, timestamptz),
    instructor_time_near(bigint, bigint, timestamptz, timestamptz),
    appointment_occupies(text, bigint, timestamptz),
    bump_booking_metric(text, bigint),
    instructor_available_minutes(bigint, date),
    enqueue_appointment_notifications(bigint, text, timestamptz, text)
FROM schedctl_app;

GRANT EXECUTE ON FUNCTION
    resolve_actor(text), builtin_admin_id(), generate_booking_reference(),
    app_user_role(), app_is_admin(), app_is_instructor(), app_signed_in(), app_instructor_has_student(bigint),
    availability_busy(bigint[], timestamptz, timestamptz),
    availability_busy(bigint[], timestamptz, timestamptz, timestamptz),
    availability_instructor_policies(bigint[]),
    get_available_slots_comprehensive(bigint, bigint, timestamptz, timestamptz, timestamptz),
    check_instructor_availability_comprehensive(bigint, bigint, timestamptz, timestamptz, bigint, timestamptz),
    suggest_booking_slots(bigint, bigint, timestamptz, integer, timestamptz),
    booking_prepare(bigint, timestamptz),
    booking_type_rules(bigint),
    enqueue_appointment_notification_kinds(bigint, text[], timestamptz, text),
    recompute_appointment_analytics(date, date)
TO schedctl_app;
