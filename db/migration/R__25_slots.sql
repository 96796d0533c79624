-- schedctl R__25: the slot lister and its readers (free windows, instructor settings and busy ranges for slots),
-- and the suggestions after a refused booking.
--
-- A repeatable migration: Flyway runs it after the versioned ones whenever its text changes, so it holds the one
-- live definition of each object and is edited in place (CREATE OR REPLACE FUNCTION; DROP ... IF EXISTS then
-- CREATE for triggers and policies). Versioned files hold structure only and never call what is defined here.

-- A local wall-clock time in a zone as an instant, with the window rules of LocalTimes: a time in a DST gap
-- moves forward by the gap length (PostgreSQL reads it with the offset before the jump, which is the same
-- instant); a time in the repeated hour takes the earlier instant for a window start, the later for a window end.
CREATE OR REPLACE FUNCTION availability_local_instant(p_local timestamp, p_zone text, p_later boolean) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(CASE WHEN p_later THEN max(t) ELSE min(t) END, p_local AT TIME ZONE p_zone)
    FROM (SELECT (p_local - ((g.guess + v.d) AT TIME ZONE p_zone - (g.guess + v.d) AT TIME ZONE 'UTC')) AT TIME ZONE 'UTC' AS t
          FROM (SELECT p_local AT TIME ZONE p_zone AS guess) g,
               (VALUES (interval '-26 hours'), (interval '0'), (interval '26 hours')) v(d)) candidates
    WHERE t AT TIME ZONE p_zone = p_local
$$;

CREATE OR REPLACE FUNCTION availability_seconds(p interval) RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT make_interval(secs => extract(epoch FROM p)) $$;

-- Milliseconds of a duration, for readers that turn it into a java.time.Duration.
CREATE OR REPLACE FUNCTION availability_ms(p interval) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (extract(epoch FROM p) * 1000)::bigint $$;

-- Free windows of an instructor for a type, clipped to [p_lower, p_upper):
-- (weekly rules of the type or of every type, per local date in each rule's zone ∪ available occurrences)
-- − unavailable occurrences − vacation.
CREATE OR REPLACE FUNCTION availability_free_windows(p_instructor bigint, p_type bigint, p_lower timestamptz, p_upper timestamptz)
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
-- A helper of get_available_slots_comprehensive (a definer function, so it runs as the owner): not the runtime role's.
REVOKE EXECUTE ON FUNCTION availability_free_windows(bigint, bigint, timestamptz, timestamptz) FROM PUBLIC, schedctl_app;

-- Zone and slot-shaping settings of instructors; missing settings rows read as the column defaults.
CREATE OR REPLACE FUNCTION availability_instructor_policies(p_instructors bigint[])
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
      AND app_current_user_id() IS NOT NULL  -- nobody acting: nothing (issue 12)
$$;
GRANT EXECUTE ON FUNCTION availability_instructor_policies(bigint[]) TO schedctl_app;

-- The next free starts for a type after p_after (at most p_limit, within 14 days): candidates on the slot grid of
-- each free window, each confirmed by check_instructor_availability_comprehensive, so a suggestion is always
-- bookable at the time it is made. A full day is skipped whole; at most 400 candidates are checked.
CREATE OR REPLACE FUNCTION suggest_booking_slots(p_instructor bigint, p_type bigint, p_after timestamptz, p_limit integer,
                                      p_now timestamptz DEFAULT now())
    RETURNS SETOF timestamptz
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    t        appointment_types%ROWTYPE;
    v_zone   text;
    v_from   timestamptz := greatest(p_after, p_now);
    v_until  timestamptz := greatest(p_after, p_now) + interval '14 days';
    v_time   record;
    v_step   interval;
    w        tstzrange;
    c        timestamptz;
    r        record;
    v_found  integer := 0;
    v_checks integer := 0;
    v_skip   timestamptz := '-infinity';
BEGIN
    IF app_current_user_id() IS NULL THEN
        RETURN;  -- nobody acting: nothing (issue 12)
    END IF;
    SELECT * INTO t FROM appointment_types WHERE id = p_type AND instructor_id = p_instructor AND archived_at IS NULL;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT timezone INTO v_zone FROM users WHERE id = p_instructor;
    SELECT * INTO v_time FROM instructor_time_near(p_instructor, p_type, v_from, v_until);
    v_step := coalesce(t.slot_interval, t.duration);
    <<windows>>
    FOR w IN SELECT x FROM unnest(v_time.available - v_time.blackout - v_time.vacation) x
              WHERE upper(x) > v_from AND lower(x) < v_until ORDER BY lower(x) LOOP
        c := lower(w);
        IF c < v_from THEN
            c := c + ceil(extract(epoch FROM v_from - c) / extract(epoch FROM v_step)) * v_step;
        END IF;
        WHILE c + t.duration <= upper(w) AND c < v_until LOOP
            IF c >= v_skip THEN
                v_checks := v_checks + 1;
                EXIT windows WHEN v_checks > 400;
                SELECT * INTO r FROM check_instructor_availability_comprehensive(p_instructor, p_type, c, c + t.duration, NULL, p_now);
                IF r.ok THEN
                    RETURN NEXT c;
                    v_found := v_found + 1;
                    EXIT windows WHEN v_found >= p_limit;
                ELSIF r.reason = 'day_full' THEN
                    v_skip := local_to_instant(((c AT TIME ZONE v_zone)::date + 1)::timestamp, v_zone);
                ELSIF r.reason = 'too_far' THEN
                    EXIT windows;
                END IF;
            END IF;
            c := c + v_step;
        END LOOP;
    END LOOP;
END $$;

-- The busy ranges of instructors for slots. A held appointment whose booking session expired at or before p_now
-- is free time: booking sweeps such holds under the instructor's lock before it checks (booking_prepare), so the
-- slot paths must not count them as busy until the sweep job runs. Same test as booking_prepare: status 'held'
-- and its session's expires_at <= now. The three-argument form reads at the transaction's now().
CREATE OR REPLACE FUNCTION availability_busy(p_instructors bigint[], p_from timestamptz, p_to timestamptz, p_now timestamptz)
    RETURNS TABLE (instructor_id bigint, starts_at timestamptz, ends_at timestamptz, blocked_from timestamptz,
                   blocked_to timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT a.instructor_id, a.starts_at, a.ends_at, lower(a.blocked), upper(a.blocked)
    FROM appointments a
    WHERE app_current_user_id() IS NOT NULL  -- nobody acting: nothing (issue 12)
      AND a.instructor_id = ANY(p_instructors) AND a.status IN ('held', 'pending', 'confirmed')
      AND a.blocked && tstzrange(p_from, p_to, '[)')
      AND NOT (a.status = 'held' AND EXISTS (SELECT 1 FROM booking_sessions b
                                             WHERE b.id = a.booking_session_id AND b.expires_at <= p_now))
$$;
GRANT EXECUTE ON FUNCTION availability_busy(bigint[], timestamptz, timestamptz, timestamptz) TO schedctl_app;

CREATE OR REPLACE FUNCTION availability_busy(p_instructors bigint[], p_from timestamptz, p_to timestamptz)
    RETURNS TABLE (instructor_id bigint, starts_at timestamptz, ends_at timestamptz, blocked_from timestamptz,
                   blocked_to timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT * FROM availability_busy(p_instructors, p_from, p_to, now())
$$;
GRANT EXECUTE ON FUNCTION availability_busy(bigint[], timestamptz, timestamptz) TO schedctl_app;

CREATE OR REPLACE FUNCTION get_available_slots_comprehensive(p_instructor bigint, p_type bigint, p_from timestamptz,
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
    IF app_current_user_id() IS NULL THEN
        RETURN;  -- nobody acting: nothing (issue 12)
    END IF;
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
                AND NOT (a.status = 'held' AND EXISTS (SELECT 1 FROM booking_sessions b
                                             WHERE b.id = a.booking_session_id AND b.expires_at <= p_now))
          AND a.blocked && tstzrange(p_from - interval '192 hours', p_to + interval '192 hours', '[)')
    )
    SELECT coalesce(range_agg(blocked), '{}'::tstzmultirange) INTO v_busy FROM busy;

    IF v_max_daily > 0 THEN
        SELECT array_agg(day), array_agg(n) INTO v_day_dates, v_day_counts
        FROM (SELECT (a.starts_at AT TIME ZONE v_zone)::date AS day, count(*)::integer AS n
              FROM appointments a
              WHERE a.instructor_id = p_instructor AND a.status IN ('held', 'pending', 'confirmed')
                AND NOT (a.status = 'held' AND EXISTS (SELECT 1 FROM booking_sessions b
                                             WHERE b.id = a.booking_session_id AND b.expires_at <= p_now))
                AND a.blocked && tstzrange(p_from - interval '192 hours', p_to + interval '192 hours', '[)')
              GROUP BY 1) per_day;
    END IF;
    IF v_max_consecutive > 0 THEN
        WITH b AS (
            SELECT lower(a.blocked) AS s, upper(a.blocked) AS e
            FROM appointments a
            WHERE a.instructor_id = p_instructor AND a.status IN ('held', 'pending', 'confirmed')
                AND NOT (a.status = 'held' AND EXISTS (SELECT 1 FROM booking_sessions b
                                             WHERE b.id = a.booking_session_id AND b.expires_at <= p_now))
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
GRANT EXECUTE ON FUNCTION get_available_slots_comprehensive(bigint, bigint, timestamptz, timestamptz, timestamptz) TO schedctl_app;

-- Issue 12, the trust boundary: no EXECUTE for PUBLIC on a SECURITY DEFINER function; the runtime role gets it
-- only where the application, a policy or an invoker function calls it (DefinerCatalogIT checks the catalog).
REVOKE EXECUTE ON FUNCTION availability_busy(bigint[], timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION availability_busy(bigint[], timestamptz, timestamptz) TO schedctl_app;
REVOKE EXECUTE ON FUNCTION availability_busy(bigint[], timestamptz, timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION availability_busy(bigint[], timestamptz, timestamptz, timestamptz) TO schedctl_app;
REVOKE EXECUTE ON FUNCTION availability_instructor_policies(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION availability_instructor_policies(bigint[]) TO schedctl_app;
REVOKE EXECUTE ON FUNCTION get_available_slots_comprehensive(bigint, bigint, timestamptz, timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION get_available_slots_comprehensive(bigint, bigint, timestamptz, timestamptz, timestamptz) TO schedctl_app;
REVOKE EXECUTE ON FUNCTION suggest_booking_slots(bigint, bigint, timestamptz, integer, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION suggest_booking_slots(bigint, bigint, timestamptz, integer, timestamptz) TO schedctl_app;
