-- Availability (issue 3), part 2: free slots in SQL, by exactly the rules of the Java SlotCalculator
-- (org.schedctl.domain.availability), so the booking path can decide inside its own transaction.
-- Every duration is turned into seconds before it touches a timestamptz: '1 day' added to a timestamptz
-- follows the session's time zone, and results must not depend on that.

-- A local wall-clock time in a zone as an instant, with the window rules of LocalTimes: a time in a DST gap
-- moves forward by the gap length (PostgreSQL reads it with the offset before the jump, which is the same
-- instant); a time in the repeated hour takes the earlier instant for a window start, the later for a window end.
CREATE FUNCTION availability_local_instant(p_local timestamp, p_zone text, p_later boolean) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(CASE WHEN p_later THEN max(t) ELSE min(t) END, p_local AT TIME ZONE p_zone)
    FROM (SELECT (p_local - ((g.guess + v.d) AT TIME ZONE p_zone - (g.guess + v.d) AT TIME ZONE 'UTC')) AT TIME ZONE 'UTC' AS t
          FROM (SELECT p_local AT TIME ZONE p_zone AS guess) g,
               (VALUES (interval '-26 hours'), (interval '0'), (interval '26 hours')) v(d)) candidates
    WHERE t AT TIME ZONE p_zone = p_local
$$;

CREATE FUNCTION availability_seconds(p interval) RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT make_interval(secs => extract(epoch FROM p)) $$;

-- Milliseconds of a duration, for readers that turn it into a java.time.Duration.
CREATE FUNCTION availability_ms(p interval) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (extract(epoch FROM p) * 1000)::bigint $$;

-- Free windows of an instructor for a type, clipped to [p_lower, p_upper):
-- (weekly rules of the type or of every type, per local date in each rule's zone ∪ available occurrences)
-- − unavailable occurrences − vacation.
CREATE FUNCTION availability_free_windows(p_instructor bigint, p_type bigint, p_lower timestamptz, p_upper timestamptz)
    RETURNS tstzmultirange
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    WITH weekly AS (
        SELECT tstzrange(w.s, w.e, '[)') AS r
        FROM instructor_availability a
        CROSS JOIN LATERAL generate_series(
                greatest((p_lower AT TIME ZONE a.timezone)::date - 1, coalesce(a.effective_from, '-infinity'::date))::timestamp,
                least((p_upper AT TIME ZONE a.timezone)::date + 1, coalesce(a.effective_until, 'infinity'::date))::timestamp,
                interval '1 day') AS d(day)
        CROSS JOIN LATERAL (SELECT availability_local_instant(d.day + a.start_time, a.timezone, false) AS s,
                                   availability_local_instant(d.day + a.end_time, a.timezone, true) AS e) w
        WHERE a.instructor_id = p_instructor
          AND (a.type_id IS NULL OR a.type_id = p_type)
          AND extract(isodow FROM d.day) = a.day_of_week
          AND w.e > w.s
    ),
    base AS (
        SELECT coalesce(range_agg(x.r), '{}'::tstzmultirange) AS m
        FROM (SELECT r FROM weekly
              UNION ALL
              SELECT o.during FROM time_block_occurrences o
              WHERE o.instructor_id = p_instructor AND o.kind = 'available'
                AND o.during && tstzrange(p_lower, p_upper, '[)')) x
    ),
    taken_away AS (
        SELECT coalesce(range_agg(o.during), '{}'::tstzmultirange) AS m
        FROM time_block_occurrences o
        WHERE o.instructor_id = p_instructor AND o.kind IN ('unavailable', 'vacation')
          AND o.during && tstzrange(p_lower, p_upper, '[)')
    )
    SELECT (base.m * tstzmultirange(tstzrange(p_lower, p_upper, '[)'))) - taken_away.m FROM base, taken_away
$$;

-- Free slots [slot_start, slot_end) of p_instructor for type p_type starting in [p_from, p_to). Rules, as in
-- SlotCalculator: the session widened by the type's buffers (else the instructor's) must fit in a free window
-- without touching an active booking's stored `blocked` range; starts lie on a grid stepping by the slot
-- interval from the free window's true start (followed back past p_from while the window runs into it);
-- start >= now + min notice, start <= now + max advance; the local day (instructor's zone) is not at its
-- maximum; the slot would not make a back-to-back chain longer than the maximum.
CREATE FUNCTION get_available_slots_comprehensive(p_instructor bigint, p_type bigint, p_from timestamptz,
                                                  p_to timestamptz, p_now timestamptz DEFAULT now())
    RETURNS TABLE (slot_start timestamptz, slot_end timestamptz)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    v_zone text;
    v_duration interval;
    v_before interval;
    v_after interval;
    v_step interval;
    v_step_us bigint;
    v_notice interval;
    v_advance interval;
    v_max_daily integer;
    v_max_consecutive integer;
    v_earliest timestamptz;
    v_latest timestamptz;
    v_window_from timestamptz;
    v_lower timestamptz;
    v_upper timestamptz;
    v_limit timestamptz;
    v_free tstzmultirange;
    v_busy tstzmultirange;
    v_first tstzrange;
    v_component tstzrange;
    v_window tstzrange;
    v_low timestamptz;
    v_high timestamptz;
    v_start timestamptz;
    v_offset_us bigint;
    v_day_dates date[];
    v_day_counts integer[];
    v_chain_starts timestamptz[];
    v_chain_ends timestamptz[];
    v_chain_counts integer[];
    v_index integer;
    v_count integer;
    v_chain integer;
BEGIN
    IF p_to <= p_from THEN
        RAISE EXCEPTION 'the end of the range % is not after its start %. Give an end after the start', p_to, p_from
            USING ERRCODE = '22023';
    END IF;
    SELECT u.timezone, availability_seconds(t.duration),
           availability_seconds(coalesce(t.buffer_before, s.buffer_before, interval '0')),
           availability_seconds(coalesce(t.buffer_after, s.buffer_after, interval '0')),
           availability_seconds(coalesce(t.slot_interval, t.duration)),
           availability_seconds(coalesce(t.min_notice, s.min_notice, interval '0')),
           availability_seconds(coalesce(t.max_advance, s.max_advance, interval '90 days')),
           coalesce(s.max_daily, 0), coalesce(s.max_consecutive, 0)
    INTO v_zone, v_duration, v_before, v_after, v_step, v_notice, v_advance, v_max_daily, v_max_consecutive
    FROM appointment_types t
    JOIN users u ON u.id = t.instructor_id
    LEFT JOIN instructor_settings s ON s.instructor_id = t.instructor_id
    WHERE t.id = p_type AND t.instructor_id = p_instructor AND t.archived_at IS NULL;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    v_step_us := (extract(epoch FROM v_step) * 1000000)::bigint;
    v_earliest := greatest(p_from, p_now + v_notice);
    v_latest := p_now + v_advance;

    -- The lower bound moves back while a free window runs into it, so the grid anchor never depends on p_from.
    v_window_from := p_from - v_before;
    v_lower := v_window_from - interval '48 hours';
    v_upper := p_to + v_duration + v_after + interval '48 hours';
    v_limit := v_window_from - interval '19200 hours';
    LOOP
        v_free := availability_free_windows(p_instructor, p_type, v_lower, v_upper);
        EXIT WHEN isempty(v_free);
        SELECT r INTO v_first FROM unnest(v_free) r ORDER BY lower(r) LIMIT 1;
        EXIT WHEN NOT (lower(v_first) <= v_lower AND upper(v_first) > v_window_from) OR v_lower <= v_limit;
        v_lower := greatest(v_lower - availability_seconds(v_upper - v_lower), v_limit);
    END LOOP;

    -- Active bookings near the range: their blocked ranges, bookings per local day, and back-to-back chains.
    WITH busy AS (
        SELECT a.starts_at, a.blocked
        FROM appointments a
        WHERE a.instructor_id = p_instructor AND a.status IN ('held', 'pending', 'confirmed')
          AND a.blocked && tstzrange(p_from - interval '192 hours', p_to + interval '192 hours', '[)')
    )
    SELECT coalesce(range_agg(blocked), '{}'::tstzmultirange) INTO v_busy FROM busy;

    IF v_max_daily > 0 THEN
        SELECT array_agg(day), array_agg(n) INTO v_day_dates, v_day_counts
        FROM (SELECT (a.starts_at AT TIME ZONE v_zone)::date AS day, count(*)::integer AS n
              FROM appointments a
              WHERE a.instructor_id = p_instructor AND a.status IN ('held', 'pending', 'confirmed')
                AND a.blocked && tstzrange(p_from - interval '192 hours', p_to + interval '192 hours', '[)')
              GROUP BY 1) per_day;
    END IF;
    IF v_max_consecutive > 0 THEN
        WITH b AS (
            SELECT lower(a.blocked) AS s, upper(a.blocked) AS e
            FROM appointments a
            WHERE a.instructor_id = p_instructor AND a.status IN ('held', 'pending', 'confirmed')
              AND a.blocked && tstzrange(p_from - interval '192 hours', p_to + interval '192 hours', '[)')
        ), ordered AS (
            SELECT s, e, max(e) OVER (ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach FROM b
        ), grouped AS (
            SELECT s, e, sum(CASE WHEN reach IS NULL OR s > reach THEN 1 ELSE 0 END) OVER (ORDER BY s, e) AS chain FROM ordered
        )
        SELECT array_agg(cs), array_agg(ce), array_agg(n) INTO v_chain_starts, v_chain_ends, v_chain_counts
        FROM (SELECT min(s) AS cs, max(e) AS ce, count(*)::integer AS n FROM grouped GROUP BY chain) chains;
    END IF;

    FOR v_component IN SELECT r FROM unnest(v_free - v_busy) r ORDER BY lower(r) LOOP
        SELECT r INTO v_window FROM unnest(v_free) r WHERE r @> v_component;
        v_low := greatest(lower(v_component) + v_before, v_earliest);
        v_high := least(upper(v_component) - v_duration - v_after, v_latest);
        CONTINUE WHEN v_high < v_low;
        v_offset_us := (extract(epoch FROM (v_low - lower(v_window))) * 1000000)::bigint;
        v_start := lower(v_window) + interval '1 microsecond' * (((v_offset_us + v_step_us - 1) / v_step_us) * v_step_us);
        WHILE v_start <= v_high AND v_start < p_to LOOP
            v_count := 0;
            IF v_max_daily > 0 THEN
                v_index := array_position(v_day_dates, (v_start AT TIME ZONE v_zone)::date);
                v_count := CASE WHEN v_index IS NULL THEN 0 ELSE v_day_counts[v_index] END;
            END IF;
            v_chain := 1;
            IF v_max_consecutive > 0 THEN
                v_index := array_position(v_chain_ends, v_start - v_before);
                v_chain := v_chain + CASE WHEN v_index IS NULL THEN 0 ELSE v_chain_counts[v_index] END;
                v_index := array_position(v_chain_starts, v_start + v_duration + v_after);
                v_chain := v_chain + CASE WHEN v_index IS NULL THEN 0 ELSE v_chain_counts[v_index] END;
            END IF;
            IF (v_max_daily = 0 OR v_count < v_max_daily) AND (v_max_consecutive = 0 OR v_chain <= v_max_consecutive) THEN
                slot_start := v_start;
                slot_end := v_start + v_duration;
                RETURN NEXT;
            END IF;
            v_start := v_start + v_step;
        END LOOP;
    END LOOP;
END $$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'schedctl_app') THEN
        GRANT EXECUTE ON FUNCTION get_available_slots_comprehensive(bigint, bigint, timestamptz, timestamptz, timestamptz) TO schedctl_app;
        GRANT EXECUTE ON FUNCTION availability_free_windows(bigint, bigint, timestamptz, timestamptz) TO schedctl_app;
    END IF;
END $$;
