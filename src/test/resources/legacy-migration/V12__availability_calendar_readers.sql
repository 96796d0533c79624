-- Availability (issue 3), part 3: what the Java slot path reads about other users, through SECURITY DEFINER
-- functions. Under row-level security a student (or another instructor) cannot read an instructor's settings or
-- appointments, yet free slots depend on both; these return exactly the fields slots need, and nothing about
-- the students: the same information get_available_slots_comprehensive uses inside the database.

-- Zone and slot-shaping settings of instructors; missing settings rows read as the column defaults.
CREATE FUNCTION availability_instructor_policies(p_instructors bigint[])
    RETURNS TABLE (instructor_id bigint, email text, timezone text, buffer_before_ms bigint, buffer_after_ms bigint,
                   min_notice_ms bigint, max_advance_ms bigint, max_daily integer, max_consecutive integer)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT u.id, u.email, u.timezone,
           availability_ms(coalesce(s.buffer_before, interval '0')), availability_ms(coalesce(s.buffer_after, interval '0')),
           availability_ms(coalesce(s.min_notice, interval '0')), availability_ms(coalesce(s.max_advance, interval '90 days')),
           coalesce(s.max_daily, 0), coalesce(s.max_consecutive, 0)
    FROM users u LEFT JOIN instructor_settings s ON s.instructor_id = u.id
    WHERE u.id = ANY(p_instructors) AND u.role = 'instructor'
$$;

-- Active appointments (held, pending, confirmed) of instructors whose blocked range meets [p_from, p_to).
CREATE FUNCTION availability_busy(p_instructors bigint[], p_from timestamptz, p_to timestamptz)
    RETURNS TABLE (instructor_id bigint, starts_at timestamptz, ends_at timestamptz, blocked_from timestamptz,
                   blocked_to timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT a.instructor_id, a.starts_at, a.ends_at, lower(a.blocked), upper(a.blocked)
    FROM appointments a
    WHERE a.instructor_id = ANY(p_instructors) AND a.status IN ('held', 'pending', 'confirmed')
      AND a.blocked && tstzrange(p_from, p_to, '[)')
$$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'schedctl_app') THEN
        GRANT EXECUTE ON FUNCTION availability_instructor_policies(bigint[]) TO schedctl_app;
        GRANT EXECUTE ON FUNCTION availability_busy(bigint[], timestamptz, timestamptz) TO schedctl_app;
    END IF;
END $$;
