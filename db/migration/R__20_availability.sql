-- schedctl R__20: an instructor's free time, as the booking guard and the slot lister read it.
--
-- A repeatable migration: Flyway runs it after the versioned ones whenever its text changes, so it holds the one
-- live definition of each object and is edited in place (CREATE OR REPLACE FUNCTION; DROP ... IF EXISTS then
-- CREATE for triggers and policies). Versioned files hold structure only and never call what is defined here.

-- instructor_time_near was the guard's reading of free time; the guard and the lister now share
-- instructor_free_time.
DROP FUNCTION IF EXISTS instructor_time_near(bigint, bigint, timestamptz, timestamptz);

-- A duration in seconds: '1 day' added to a timestamptz follows the session's time zone; seconds do not.
CREATE OR REPLACE FUNCTION availability_seconds(p interval) RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT make_interval(secs => extract(epoch FROM p)) $$;

-- Free time of instructors, each for one type (p_instructors[i] with p_types[i]), clipped to [p_lower, p_upper):
-- available = weekly patterns of that type or of every type, expanded per local date in each pattern's zone
-- within its effective dates (local_to_instant: a time in a DST gap moves forward, a repeated time takes the
-- earlier offset), plus 'available' occurrences; blackout = 'unavailable' occurrences (one-off and recurring
-- blocks, busy time imported from calendars); vacation = 'vacation' occurrences; free = available - blackout -
-- vacation. A single SELECT, security invoker, so callers (security definers) get it inlined.
CREATE OR REPLACE FUNCTION instructor_free_time(p_instructors bigint[], p_types bigint[], p_lower timestamptz,
                                                p_upper timestamptz)
    RETURNS TABLE (instructor_id bigint, type_id bigint, available tstzmultirange, blackout tstzmultirange,
                   vacation tstzmultirange, closed tstzmultirange, free tstzmultirange)
    LANGUAGE sql STABLE
AS $$
    WITH pairs AS (
        SELECT p.i, p.t FROM unnest(p_instructors, p_types) AS p(i, t)
    ), occurrences AS (
        SELECT o.instructor_id, o.kind, o.during
        FROM time_block_occurrences o
        WHERE o.instructor_id = ANY (p_instructors) AND o.during && tstzrange(p_lower, p_upper, '[)')
    ), pieces AS (
        SELECT p.i, p.t, w.r
        FROM pairs p
        JOIN instructor_availability a ON a.instructor_id = p.i AND (a.type_id IS NULL OR a.type_id = p.t)
        -- the local dates of the pattern's weekday from a day before p_lower to a day after p_upper (in its zone),
        -- within its effective dates: the first such date, then every 7 days
        CROSS JOIN LATERAL (SELECT greatest((p_lower AT TIME ZONE a.timezone)::date - 1, a.effective_from) AS d0,
                                   least((p_upper AT TIME ZONE a.timezone)::date + 1, a.effective_until) AS d1) lim
        CROSS JOIN LATERAL generate_series((lim.d0 + (a.day_of_week - extract(isodow FROM lim.d0)::integer + 7) % 7)::timestamp,
                                           lim.d1::timestamp, interval '7 days') g(day)
        CROSS JOIN LATERAL (SELECT local_to_instant(g.day + a.start_time, a.timezone) AS s,
                                   local_to_instant(g.day + a.end_time, a.timezone) AS e) x
        CROSS JOIN LATERAL (SELECT tstzrange(x.s, x.e, '[)') AS r WHERE x.e > x.s) w
        UNION ALL
        SELECT p.i, p.t, o.during FROM pairs p JOIN occurrences o ON o.instructor_id = p.i AND o.kind = 'available'
    ), available AS (
        SELECT i, t, range_agg(r) AS m FROM pieces GROUP BY i, t
    ), taken_away AS (
        SELECT o.instructor_id AS i,
               coalesce(range_agg(o.during) FILTER (WHERE o.kind = 'unavailable'), '{}'::tstzmultirange) AS blackout,
               coalesce(range_agg(o.during) FILTER (WHERE o.kind = 'vacation'), '{}'::tstzmultirange) AS vacation
        FROM occurrences o WHERE o.kind IN ('unavailable', 'vacation') GROUP BY o.instructor_id
    ), closed AS (
        SELECT p.i, range_agg(c.during) AS m
        FROM (SELECT DISTINCT i FROM pairs) p
        JOIN closures c ON (c.instructor_id IS NULL OR c.instructor_id = p.i) AND c.during && tstzrange(p_lower, p_upper, '[)')
        GROUP BY p.i
    )
    SELECT p.i, p.t, z.available, coalesce(ta.blackout, '{}'), coalesce(ta.vacation, '{}'), coalesce(cl.m, '{}'),
           z.available - coalesce(ta.blackout, '{}') - coalesce(ta.vacation, '{}') - coalesce(cl.m, '{}')
    FROM pairs p
    LEFT JOIN available av ON av.i = p.i AND av.t = p.t
    LEFT JOIN taken_away ta ON ta.i = p.i
    LEFT JOIN closed cl ON cl.i = p.i
    CROSS JOIN LATERAL (SELECT coalesce(av.m, '{}'::tstzmultirange)
                                   * tstzmultirange(tstzrange(p_lower, p_upper, '[)')) AS available) z
$$;

-- The true start of the free window that runs into p_at from before (p_at is the lower end of a window clipped
-- at a query's lower bound): the computation moves back, doubling, while the window still runs into its lower
-- bound, at most 800 days. The slot grid is anchored there, so the grid never depends on the query range.
CREATE OR REPLACE FUNCTION availability_window_start(p_instructor bigint, p_type bigint, p_at timestamptz)
    RETURNS timestamptz
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    v_span  interval := interval '96 hours';
    v_limit timestamptz := p_at - interval '19200 hours';
    v_lower timestamptz;
    v_start timestamptz;
BEGIN
    LOOP
        v_lower := greatest(p_at - v_span, v_limit);
        SELECT min(lower(w)) INTO v_start
        FROM instructor_free_time(ARRAY[p_instructor], ARRAY[p_type], v_lower, p_at + interval '1 microsecond') f,
             unnest(f.free) w
        WHERE w @> p_at;
        IF v_start IS NULL OR v_start > v_lower OR v_lower <= v_limit THEN
            RETURN coalesce(v_start, p_at);
        END IF;
        v_span := v_span * 2;
    END LOOP;
END $$;

-- Issue 12, the trust boundary: no EXECUTE for PUBLIC on a SECURITY DEFINER function; the runtime role gets it
-- only where the application, a policy or an invoker function calls it (DefinerCatalogIT checks the catalog).
REVOKE EXECUTE ON FUNCTION availability_window_start(bigint, bigint, timestamptz) FROM PUBLIC, schedctl_app;
