-- schedctl R__25: the one slot lister and the one reading of a type's rules.
--
-- A repeatable migration: Flyway runs it after the versioned ones whenever its text changes, so it holds the one
-- live definition of each object and is edited in place. Free time is R__20's, the guard R__30's, names R__10's.
--
-- Where each rule lives (README "Where each rule lives"):
--   * appointment_type_rules(type), here: the effective rules of a type and their defaults (the type's value,
--     else the instructor's setting, else no buffers, no notice, 90 days' advance, auto-confirm). The guard, the
--     lister and booking_type_rules (R__30) read them through it.
--   * get_available_slots_comprehensive, here: THE lister, every start the guard would accept, for one
--     instructor or many, set-based; `availability slots`, the suggestions after a refused booking and any other
--     client (under row-level security) call it.
--   * instructor_free_time and availability_window_start (R__20): free time and the anchor of a window's grid.
--   * check_instructor_availability_comprehensive (R__30): THE guard, called by book_appointment.
--   * resolve_name (R__10): a name is an id or an email / slug.
-- SlotAgreementIT and SlotRulesIT keep the lister and the guard in agreement.
--
-- Every duration is turned into seconds (availability_seconds, R__20) before it touches a timestamptz: '1 day'
-- added to a timestamptz follows the session's time zone, and answers must not depend on it.

-- Removed: the Java-side readers of the old SlotCalculator, the per-instructor lister, the old suggestion function
-- and the earlier window helpers (all replaced below).
DROP FUNCTION IF EXISTS suggest_booking_slots(bigint, bigint, timestamptz, integer, timestamptz);
DROP FUNCTION IF EXISTS get_available_slots_comprehensive(bigint, bigint, timestamptz, timestamptz, timestamptz);
DROP FUNCTION IF EXISTS availability_free_windows(bigint, bigint, timestamptz, timestamptz);
DROP FUNCTION IF EXISTS availability_local_instant(timestamp, text, boolean);
DROP FUNCTION IF EXISTS availability_instructor_policies(bigint[]);
DROP FUNCTION IF EXISTS availability_busy(bigint[], timestamptz, timestamptz);
DROP FUNCTION IF EXISTS availability_busy(bigint[], timestamptz, timestamptz, timestamptz);
DROP FUNCTION IF EXISTS availability_ms(interval);

-- The effective rules of a type, the one place their defaults live: each of buffers, notice and advance is the
-- type's own value, else the instructor's setting, else the default here (0, 0, 0, 90 days); the slot step is
-- the type's slot interval, else its duration; daily and back-to-back limits are the instructor's (NULL: none);
-- cancel and reschedule policies the type's, else the instructor's; auto-confirm the instructor's, else true.
-- Intervals as stored (for messages) and in seconds (`*_s`, for arithmetic on instants). Security invoker and a
-- single SELECT so the planner inlines it into its callers (the guard and the lister are security definers).
CREATE OR REPLACE FUNCTION appointment_type_rules(p_type bigint)
    RETURNS TABLE (type_id bigint, instructor_id bigint, zone text, slug text, capacity integer, archived boolean,
                   duration interval, buffer_before interval, buffer_after interval, slot_step interval,
                   min_notice interval, max_advance interval, max_daily integer, max_consecutive integer,
                   duration_s interval, buffer_before_s interval, buffer_after_s interval, slot_step_s interval,
                   min_notice_s interval, max_advance_s interval, requires_confirmation boolean, auto_confirm boolean,
                   cancel_policy text, reschedule_policy text)
    LANGUAGE sql STABLE
AS $$
    SELECT t.id, t.instructor_id, u.timezone, t.slug, t.capacity, t.archived_at IS NOT NULL,
           r.duration, r.bb, r.ba, r.step, r.notice, r.advance, s.max_daily, s.max_consecutive,
           availability_seconds(r.duration), availability_seconds(r.bb), availability_seconds(r.ba),
           availability_seconds(r.step), availability_seconds(r.notice), availability_seconds(r.advance),
           t.requires_confirmation, coalesce(s.auto_confirm, true),
           coalesce(t.cancel_policy, s.cancel_policy), coalesce(t.reschedule_policy, s.reschedule_policy)
    FROM appointment_types t
    JOIN users u ON u.id = t.instructor_id
    LEFT JOIN instructor_settings s ON s.instructor_id = t.instructor_id
    CROSS JOIN LATERAL (SELECT t.duration AS duration,
                               coalesce(t.buffer_before, s.buffer_before, interval '0') AS bb,
                               coalesce(t.buffer_after, s.buffer_after, interval '0') AS ba,
                               coalesce(t.slot_interval, t.duration) AS step,
                               coalesce(t.min_notice, s.min_notice, interval '0') AS notice,
                               coalesce(t.max_advance, s.max_advance, interval '90 days') AS advance) r
    WHERE t.id = p_type
$$;

-- Clients under row-level security read a type's rules through booking_type_rules (R__30), which answers only
-- for types the caller may see.
DROP FUNCTION IF EXISTS appointment_type_rules_public(bigint);

-- Seats left in the group session of a type starting at p_start whose buffered range p_need meets other bookings:
-- 0 when a booking of another session meets it or the session is full, else capacity minus the seats taken.
CREATE OR REPLACE FUNCTION availability_seats_left(p_instructor bigint, p_type bigint, p_capacity integer,
                                                   p_start timestamptz, p_need tstzrange, p_now timestamptz)
    RETURNS integer
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    v_key   text := appointment_session_key(p_type, p_capacity, p_start);
    v_seats integer;
BEGIN
    IF v_key IS NULL OR EXISTS (SELECT 1 FROM appointments a
                                 WHERE a.instructor_id = p_instructor AND a.blocked && p_need
                                   AND a.session_key IS DISTINCT FROM v_key
                                   AND a.status IN ('held', 'pending', 'confirmed')
                                   AND appointment_occupies(a.status, a.booking_session_id, p_now)) THEN
        RETURN 0;
    END IF;
    SELECT count(*) INTO v_seats FROM appointments a
     WHERE a.instructor_id = p_instructor AND a.session_key = v_key
       AND a.status IN ('held', 'pending', 'confirmed')
       AND appointment_occupies(a.status, a.booking_session_id, p_now);
    RETURN greatest(p_capacity - v_seats, 0);
END $$;

-- THE lister. Every start in [p_from, p_to) that check_instructor_availability_comprehensive accepts at p_now,
-- for each of p_instructors (duplicates and non-instructors are ignored) with one type each: the type p_type
-- names (an id or a slug, resolve_name; only its instructor is listed), or, when p_type is NULL, each
-- instructor's first active type (lowest id). One call, one statement, whatever the number of instructors:
-- candidate starts on each free window's grid, minus those that are too soon, too far, taken, on a full day or
-- in too long a chain. A group session (capacity > 1) with seats left is offered at its start with the seats
-- left; an empty slot offers all seats (1 for a single session). Rows ordered by instructor, then start.
-- Security definer: any signed-in client may call it; it returns free times, nothing about the bookings.
CREATE OR REPLACE FUNCTION get_available_slots_comprehensive(p_instructors bigint[], p_type text,
                                                             p_from timestamptz, p_to timestamptz,
                                                             p_now timestamptz DEFAULT now())
    RETURNS TABLE (instructor_id bigint, type_id bigint, slot_start timestamptz, slot_end timestamptz,
                   seats_free integer)
    -- jit off: the planner's guess for the generated series is far too high, and compiling the plan cost more
    -- than running it (0.6 s of 1 s for 50 instructors on PostgreSQL 15)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp SET jit = off SET work_mem = '64MB'
AS $$
#variable_conflict use_column
DECLARE
    v_type        bigint;
    v_instructors bigint[];
    v_types       bigint[];
    v_before      interval;
    v_after       interval;
    v_lower       timestamptz;
    v_upper       timestamptz;
BEGIN
    p_now := app_trusted_now(p_now);  -- the database's clock, not the caller's (issue 12)
    IF app_current_user_id() IS NULL THEN
        RETURN;  -- nobody acting: nothing (issue 12)
    END IF;
    IF p_to <= p_from THEN
        RAISE EXCEPTION 'the end of the range % is not after its start %. Give an end after the start', p_to, p_from
            USING ERRCODE = '22023';
    END IF;
    IF p_type IS NOT NULL THEN
        v_type := resolve_name('type', p_type);
        IF v_type IS NULL THEN
            RETURN;
        END IF;
    END IF;
    SELECT array_agg(x.i ORDER BY x.i), array_agg(t.id ORDER BY x.i)
      INTO v_instructors, v_types
      FROM (SELECT DISTINCT i FROM unnest(p_instructors) i) x
      CROSS JOIN LATERAL (SELECT t.id FROM appointment_types t
                           WHERE t.instructor_id = x.i AND t.archived_at IS NULL
                             AND (v_type IS NULL OR t.id = v_type)
                           ORDER BY t.id LIMIT 1) t;
    IF v_instructors IS NULL THEN
        RETURN;
    END IF;
    SELECT max(r.buffer_before_s), max(r.duration_s + r.buffer_after_s) INTO v_before, v_after
      FROM unnest(v_types) t(id) CROSS JOIN LATERAL appointment_type_rules(t.id) r;
    v_lower := p_from - v_before - interval '48 hours';
    v_upper := p_to + v_after + interval '48 hours';

    RETURN QUERY
    WITH rules AS (
        SELECT r.* FROM unnest(v_types) t(id) CROSS JOIN LATERAL appointment_type_rules(t.id) r
    ), busy AS MATERIALIZED (
        SELECT a.instructor_id, a.session_key, a.blocked, a.starts_at
        FROM appointments a
        WHERE a.instructor_id = ANY (v_instructors) AND a.status IN ('held', 'pending', 'confirmed')
          AND a.blocked && tstzrange(p_from - interval '192 hours', p_to + interval '192 hours', '[)')
          AND NOT (a.status = 'held' AND EXISTS (SELECT 1 FROM booking_sessions b
                                                 WHERE b.id = a.booking_session_id AND b.expires_at <= p_now))
    ), busy_ranges AS (
        SELECT b.instructor_id, range_agg(b.blocked) AS m FROM busy b GROUP BY b.instructor_id
    ), per_day AS (
        -- sessions (a group session once) per local day of instructors with a daily maximum
        SELECT d.instructor_id, array_agg(d.day) AS days, array_agg(d.n) AS counts
        FROM (SELECT b.instructor_id, (b.starts_at AT TIME ZONE r.zone)::date AS day, count(DISTINCT b.session_key)::integer AS n
              FROM busy b JOIN rules r ON r.instructor_id = b.instructor_id
              WHERE r.max_daily IS NOT NULL
              GROUP BY 1, 2) d
        GROUP BY d.instructor_id
    ), ordered AS (
        SELECT b.instructor_id, b.session_key, lower(b.blocked) AS s, upper(b.blocked) AS e,
               max(upper(b.blocked)) OVER (PARTITION BY b.instructor_id ORDER BY lower(b.blocked), upper(b.blocked)
                                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
        FROM busy b JOIN rules r ON r.instructor_id = b.instructor_id
        WHERE r.max_consecutive IS NOT NULL
    ), grouped AS (
        SELECT o.*, sum(CASE WHEN o.reach IS NULL OR o.s > o.reach THEN 1 ELSE 0 END)
                        OVER (PARTITION BY o.instructor_id ORDER BY o.s, o.e) AS chain
        FROM ordered o
    ), chains AS (
        -- back-to-back chains (blocked ranges touching or overlapping) of instructors with a maximum, by both ends
        SELECT c.instructor_id, array_agg(c.s) AS starts, array_agg(c.e) AS ends, array_agg(c.n) AS counts
        FROM (SELECT g.instructor_id, min(g.s) AS s, max(g.e) AS e, count(DISTINCT g.session_key)::integer AS n
              FROM grouped g GROUP BY g.instructor_id, g.chain) c
        GROUP BY c.instructor_id
    ), plan AS MATERIALIZED (
        -- one row per instructor: its type's rules, its free windows, its busy ranges, days and chains
        SELECT r.*, f.free, coalesce(br.m, '{}'::tstzmultirange) AS busy_m, d.days, d.counts AS day_counts,
               c.starts AS chain_starts, c.ends AS chain_ends, c.counts AS chain_counts
        FROM instructor_free_time(v_instructors, v_types, v_lower, v_upper) f
        JOIN rules r ON r.instructor_id = f.instructor_id
        LEFT JOIN busy_ranges br ON br.instructor_id = f.instructor_id
        LEFT JOIN per_day d ON d.instructor_id = f.instructor_id
        LEFT JOIN chains c ON c.instructor_id = f.instructor_id
    )
    SELECT p.instructor_id, p.type_id, g.s, g.s + p.duration_s, x.seats_free
    FROM plan p
    CROSS JOIN LATERAL unnest(p.free) w
    CROSS JOIN LATERAL (SELECT CASE WHEN lower(w) <= v_lower
                                    THEN availability_window_start(p.instructor_id, p.type_id, lower(w))
                                    ELSE lower(w) END AS anchor,
                               greatest(lower(w) + p.buffer_before_s, p_from, p_now + p.min_notice_s) AS low,
                               least(upper(w) - p.duration_s - p.buffer_after_s, p_now + p.max_advance_s) AS high) b
    CROSS JOIN LATERAL generate_series(
            b.anchor + p.slot_step_s * greatest(0, ceil(extract(epoch FROM (b.low - b.anchor)) / extract(epoch FROM p.slot_step_s))),
            b.high, p.slot_step_s) g(s)
    -- a start that meets a booking is free only as a seat of the group session starting there
    CROSS JOIN LATERAL (SELECT CASE WHEN NOT (p.busy_m && tstzrange(g.s - p.buffer_before_s, g.s + p.duration_s + p.buffer_after_s, '[)'))
                                    THEN p.capacity
                                    WHEN p.capacity = 1 THEN 0
                                    ELSE availability_seats_left(p.instructor_id, p.type_id, p.capacity, g.s,
                                             tstzrange(g.s - p.buffer_before_s, g.s + p.duration_s + p.buffer_after_s, '[)'), p_now)
                               END AS seats_free OFFSET 0) x
    WHERE b.high >= b.low AND g.s < p_to AND g.s > p_now
      AND x.seats_free > 0
      -- joining a group session adds no session to the day or the chain
      AND (x.seats_free < p.capacity
           OR ((p.max_daily IS NULL
                OR coalesce(p.day_counts[array_position(p.days, (g.s AT TIME ZONE p.zone)::date)], 0) < p.max_daily)
               AND (p.max_consecutive IS NULL
                    OR 1 + coalesce(p.chain_counts[array_position(p.chain_ends, g.s - p.buffer_before_s)], 0)
                         + coalesce(p.chain_counts[array_position(p.chain_starts, g.s + p.duration_s + p.buffer_after_s)], 0)
                       <= p.max_consecutive)))
    ORDER BY p.instructor_id, g.s;
END $$;

-- Issue 12, the trust boundary: no EXECUTE for PUBLIC on a SECURITY DEFINER function; the runtime role gets it
-- only where the application, a policy or an invoker function calls it (DefinerCatalogIT checks the catalog).
REVOKE EXECUTE ON FUNCTION get_available_slots_comprehensive(bigint[], text, timestamptz, timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION get_available_slots_comprehensive(bigint[], text, timestamptz, timestamptz, timestamptz) TO schedctl_app;
-- A helper of the lister (a definer function, so it runs as the owner): not the runtime role's.
REVOKE EXECUTE ON FUNCTION availability_seats_left(bigint, bigint, integer, timestamptz, tstzrange, timestamptz) FROM PUBLIC, schedctl_app;
