-- schedctl R__20: an instructor's free time as the booking check reads it.
--
-- A repeatable migration: Flyway runs it after the versioned ones whenever its text changes, so it holds the one
-- live definition of each object and is edited in place (CREATE OR REPLACE FUNCTION; DROP ... IF EXISTS then
-- CREATE for triggers and policies). Versioned files hold structure only and never call what is defined here.

-- The instructor's free time near [p_from, p_to): weekly patterns expanded per local date in each pattern's zone
-- (honouring effective dates and type), plus one-off 'available' occurrences, minus blackouts and vacations.
-- Returned as three multiranges so the caller can tell why a time is not free.
CREATE OR REPLACE FUNCTION instructor_time_near(p_instructor bigint, p_type bigint, p_from timestamptz, p_to timestamptz,
                                     OUT available tstzmultirange, OUT blackout tstzmultirange,
                                     OUT vacation tstzmultirange)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    -- plpgsql rather than sql: its plans are cached across calls, which makes a check several times faster
    SELECT
        coalesce((SELECT range_agg(r) FROM (
            SELECT tstzrange(local_to_instant(d + a.start_time, a.timezone), local_to_instant(d + a.end_time, a.timezone), '[)') AS r
            FROM instructor_availability a
            CROSS JOIN LATERAL generate_series((p_from AT TIME ZONE a.timezone)::date - 1,
                                               (p_to AT TIME ZONE a.timezone)::date + 1, interval '1 day') g(day)
            CROSS JOIN LATERAL (SELECT g.day::date AS d) dd
            WHERE a.instructor_id = p_instructor
              AND (a.type_id IS NULL OR a.type_id = p_type)
              AND extract(isodow FROM d) = a.day_of_week
              AND (a.effective_from IS NULL OR d >= a.effective_from)
              AND (a.effective_until IS NULL OR d <= a.effective_until)
            UNION ALL
            SELECT o.during FROM time_block_occurrences o
            WHERE o.instructor_id = p_instructor AND o.kind = 'available'
              AND o.during && tstzrange(p_from - interval '2 days', p_to + interval '2 days')
        ) pieces WHERE NOT isempty(r)), '{}'::tstzmultirange),
        coalesce((SELECT range_agg(o.during) FROM time_block_occurrences o
                  WHERE o.instructor_id = p_instructor AND o.kind = 'unavailable'
                    AND o.during && tstzrange(p_from - interval '2 days', p_to + interval '2 days')), '{}'::tstzmultirange),
        coalesce((SELECT range_agg(o.during) FROM time_block_occurrences o
                  WHERE o.instructor_id = p_instructor AND o.kind = 'vacation'
                    AND o.during && tstzrange(p_from - interval '2 days', p_to + interval '2 days')), '{}'::tstzmultirange)
    INTO available, blackout, vacation;
END $$;

-- Issue 12, the trust boundary: no EXECUTE for PUBLIC on a SECURITY DEFINER function; the runtime role gets it
-- only where the application, a policy or an invoker function calls it (DefinerCatalogIT checks the catalog).
REVOKE EXECUTE ON FUNCTION instructor_time_near(bigint, bigint, timestamptz, timestamptz) FROM PUBLIC, schedctl_app;
