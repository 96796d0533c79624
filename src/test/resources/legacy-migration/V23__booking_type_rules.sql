-- schedctl V23: the booking rules of a type as every party of a booking may read them. Under row-level security
-- a student cannot read the instructor's settings (V30), yet the status of a new booking (auto-confirm), its
-- buffers and the cancellation and reschedule policies that price a student's own cancellation come from
-- there. This returns exactly those terms, nothing private.
CREATE FUNCTION booking_type_rules(p_type bigint)
    RETURNS TABLE (type_slug text, capacity integer, requires_confirmation boolean, auto_confirm boolean,
                   cancel_policy text, reschedule_policy text, instructor_zone text, buffer_before interval,
                   buffer_after interval)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    -- plpgsql so the plan is cached: appointment lists call this once per row
    RETURN QUERY
    SELECT t.slug, t.capacity, t.requires_confirmation, coalesce(s.auto_confirm, true),
           coalesce(t.cancel_policy, s.cancel_policy), coalesce(t.reschedule_policy, s.reschedule_policy),
           u.timezone, coalesce(t.buffer_before, s.buffer_before, interval '0')::interval,
           coalesce(t.buffer_after, s.buffer_after, interval '0')::interval
      FROM appointment_types t
      JOIN users u ON u.id = t.instructor_id
      LEFT JOIN instructor_settings s ON s.instructor_id = t.instructor_id
     WHERE t.id = p_type;
END $$;
