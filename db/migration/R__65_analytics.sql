-- schedctl R__65 (repeatable): batch analytics. The dirty set's triggers, set-based available minutes, and the
-- one recompute function behind `analytics aggregate` (full range or the dirty pairs). Idempotent: every
-- object is created with CREATE OR REPLACE, triggers are dropped and created again.
--
-- Definitions used everywhere (README "Analytics", docs/CLI.md):
--   a local day is the instructor's own day in their IANA zone (23 or 25 hours across DST changes);
--   booked counts appointments starting that day in any state but 'held';
--   booked_minutes are the minutes of pending, confirmed or completed appointments, a group session's time
--   counted once however many seats it has (seats share a session_key 'g:...');
--   available_minutes are the weekly patterns (each read in its own zone) plus extra 'available' blocks, minus
--   'unavailable' and 'vacation' blocks, clipped to the day; utilization = booked_minutes / available_minutes.

-- ---------------------------------------------------------------------------------------------------------
-- The dirty set: (instructor, local day) pairs whose rows may be stale. Statement-level triggers with
-- transition tables, so a bulk write costs one INSERT per statement. ON CONFLICT DO UPDATE (not DO NOTHING):
-- a mark written while `analytics aggregate` drains the set waits for the drain and survives it.
-- ---------------------------------------------------------------------------------------------------------
-- Administrators may look at the marks (what the next `analytics aggregate` will recompute); only the
-- triggers (as the owner) write them.
DROP POLICY IF EXISTS analytics_dirty_read ON analytics_dirty;
CREATE POLICY analytics_dirty_read ON analytics_dirty FOR SELECT USING ((SELECT app_is_admin()));

CREATE OR REPLACE FUNCTION analytics_mark_appointments() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO analytics_dirty AS d (instructor_id, day)
        SELECT DISTINCT n.instructor_id, (n.starts_at AT TIME ZONE u.timezone)::date
        FROM new_rows n JOIN users u ON u.id = n.instructor_id
        WHERE n.status <> 'held'
        ON CONFLICT (instructor_id, day) DO UPDATE SET marked_at = EXCLUDED.marked_at;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO analytics_dirty AS d (instructor_id, day)
        SELECT DISTINCT o.instructor_id, (o.starts_at AT TIME ZONE u.timezone)::date
        FROM old_rows o JOIN users u ON u.id = o.instructor_id
        WHERE o.status <> 'held'
        ON CONFLICT (instructor_id, day) DO UPDATE SET marked_at = EXCLUDED.marked_at;
    ELSE
        -- Only changes that move a figure: both the old and the new day become dirty.
        INSERT INTO analytics_dirty AS d (instructor_id, day)
        SELECT DISTINCT x.instructor_id, (x.starts_at AT TIME ZONE u.timezone)::date
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.instructor_id, o.starts_at, o.status), (n.instructor_id, n.starts_at, n.status))
            AS x (instructor_id, starts_at, status)
        JOIN users u ON u.id = x.instructor_id
        WHERE x.status <> 'held'
          AND (o.instructor_id, o.status, o.starts_at, o.ends_at, o.price, o.currency, o.fee, o.fee_waived, o.session_key)
              IS DISTINCT FROM
              (n.instructor_id, n.status, n.starts_at, n.ends_at, n.price, n.currency, n.fee, n.fee_waived, n.session_key)
        ON CONFLICT (instructor_id, day) DO UPDATE SET marked_at = EXCLUDED.marked_at;
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS analytics_dirty_insert ON appointments;
CREATE TRIGGER analytics_dirty_insert AFTER INSERT ON appointments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_appointments();
DROP TRIGGER IF EXISTS analytics_dirty_update ON appointments;
CREATE TRIGGER analytics_dirty_update AFTER UPDATE ON appointments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_appointments();
DROP TRIGGER IF EXISTS analytics_dirty_delete ON appointments;
CREATE TRIGGER analytics_dirty_delete AFTER DELETE ON appointments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_appointments();

-- Time blocks change the available minutes of the local days their occurrences cover.
CREATE OR REPLACE FUNCTION analytics_mark_occurrences() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO analytics_dirty AS d (instructor_id, day)
        SELECT DISTINCT c.instructor_id, g.day::date
        FROM new_rows c JOIN users u ON u.id = c.instructor_id
        CROSS JOIN LATERAL generate_series((lower(c.during) AT TIME ZONE u.timezone)::date,
                                           ((upper(c.during) - interval '1 microsecond') AT TIME ZONE u.timezone)::date,
                                           interval '1 day') AS g(day)
        ON CONFLICT (instructor_id, day) DO UPDATE SET marked_at = EXCLUDED.marked_at;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO analytics_dirty AS d (instructor_id, day)
        SELECT DISTINCT c.instructor_id, g.day::date
        FROM old_rows c JOIN users u ON u.id = c.instructor_id
        CROSS JOIN LATERAL generate_series((lower(c.during) AT TIME ZONE u.timezone)::date,
                                           ((upper(c.during) - interval '1 microsecond') AT TIME ZONE u.timezone)::date,
                                           interval '1 day') AS g(day)
        ON CONFLICT (instructor_id, day) DO UPDATE SET marked_at = EXCLUDED.marked_at;
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS analytics_dirty_insert ON time_block_occurrences;
CREATE TRIGGER analytics_dirty_insert AFTER INSERT ON time_block_occurrences
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_occurrences();
DROP TRIGGER IF EXISTS analytics_dirty_update ON time_block_occurrences;
CREATE TRIGGER analytics_dirty_update AFTER UPDATE ON time_block_occurrences
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_occurrences();
DROP TRIGGER IF EXISTS analytics_dirty_delete ON time_block_occurrences;
CREATE TRIGGER analytics_dirty_delete AFTER DELETE ON time_block_occurrences
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_occurrences();

-- A weekly pattern has no end, so a changed pattern marks the days already aggregated for its instructor
-- (the rows that would now be stale); later days are computed fresh when first aggregated.
CREATE OR REPLACE FUNCTION analytics_mark_patterns() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    INSERT INTO analytics_dirty AS d (instructor_id, day)
    SELECT DISTINCT t.instructor_id, t.day
    FROM appointment_analytics t
    WHERE t.instructor_id IN (SELECT instructor_id FROM changed_patterns)
    ON CONFLICT (instructor_id, day) DO UPDATE SET marked_at = EXCLUDED.marked_at;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS analytics_dirty_insert ON instructor_availability;
CREATE TRIGGER analytics_dirty_insert AFTER INSERT ON instructor_availability
    REFERENCING NEW TABLE AS changed_patterns FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_patterns();
DROP TRIGGER IF EXISTS analytics_dirty_delete ON instructor_availability;
CREATE TRIGGER analytics_dirty_delete AFTER DELETE ON instructor_availability
    REFERENCING OLD TABLE AS changed_patterns FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_patterns();
DROP TRIGGER IF EXISTS analytics_dirty_update ON instructor_availability;
CREATE TRIGGER analytics_dirty_update AFTER UPDATE ON instructor_availability
    REFERENCING NEW TABLE AS changed_patterns FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_patterns();

-- ---------------------------------------------------------------------------------------------------------
-- Recomputation. One statement writes every (day, instructor, currency) row whose figures differ from what is
-- stored: facts from one pass over the appointments (GROUP BY), group sessions' minutes from the few group
-- seats (partial index), available minutes set-wise, and a FULL JOIN against the stored rows so unchanged
-- rows are not written and rows whose facts went away drop to zeros. Available minutes sit on the currency
-- '' row of each instructor-day, so summing over currencies counts them once.
--
-- Available minutes, set-wise: each weekly pattern is expanded with one generate_series stepping 7 days
-- (patterns x weeks rows, not days x patterns). An instructor whose patterns are all in their own zone and do
-- not overlap each other has, on a day without time blocks, the plain sum of the pattern lengths (a pattern in
-- the instructor's zone lies inside that local day; AT TIME ZONE gives DST days their real length). Every
-- other (instructor, day) - a pattern in another zone, overlapping patterns, a time block touching the day -
-- takes the exact path: union of patterns and 'available' blocks minus busy blocks, clipped to the day, with
-- range_agg and multirange arithmetic.
--
-- p_dirty = false: the local days p_from..p_to of every instructor. p_dirty = true: the pairs in
-- analytics_dirty (drained in this transaction) plus every instructor's days p_from..p_to (the recent days a
-- cron run keeps fresh even without appointments).
-- ---------------------------------------------------------------------------------------------------------
DROP FUNCTION IF EXISTS analytics_recompute(date, date, boolean);
CREATE FUNCTION analytics_recompute(p_from date, p_to date, p_dirty boolean)
    RETURNS TABLE (rows_written integer, pairs integer, first_day date, last_day date)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
    -- A year of a large school groups ~400k rows: hash them in memory instead of sorting on disk. No JIT: the
    -- statement is large, and compiling its expressions took 15 s of a 16 s incremental run (EXPLAIN ANALYZE).
    SET work_mem = '128MB' SET jit = off
AS $fn$
DECLARE
    v_sql text;
    v_written integer;
    v_pairs integer;
    v_first date := p_from;
    v_last date := p_to;
    v_scope text;
    v_facts_from text;
    v_complex_days text;
    v_pair_filter text;
    v_old text;
    v_weekly text;
BEGIN
    IF NOT app_is_admin() THEN
        RAISE EXCEPTION 'only an administrator can aggregate analytics' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_to < p_from OR p_to - p_from > 3660 THEN
        RAISE EXCEPTION 'bad analytics range % to %', p_from, p_to USING ERRCODE = 'invalid_parameter_value';
    END IF;

    IF p_dirty THEN
        CREATE TEMP TABLE IF NOT EXISTS analytics_pairs (
            instructor_id bigint NOT NULL, day date NOT NULL, tz text NOT NULL, lo timestamptz NOT NULL,
            hi timestamptz NOT NULL, PRIMARY KEY (instructor_id, day)) ON COMMIT DROP;
        TRUNCATE analytics_pairs;
        WITH drained AS (
            DELETE FROM analytics_dirty RETURNING instructor_id, day
        ), wanted AS (
            SELECT instructor_id, day FROM drained
            UNION
            SELECT u.id, g.day::date FROM users u
            CROSS JOIN generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') AS g(day)
            WHERE u.role = 'instructor'
        )
        INSERT INTO analytics_pairs (instructor_id, day, tz, lo, hi)
        SELECT w.instructor_id, w.day, u.timezone, w.day::timestamp AT TIME ZONE u.timezone,
               (w.day + 1)::timestamp AT TIME ZONE u.timezone
        FROM wanted w JOIN users u ON u.id = w.instructor_id;
        ANALYZE analytics_pairs;
        SELECT count(*), min(day), max(day) INTO v_pairs, v_first, v_last FROM analytics_pairs;
        IF v_pairs = 0 THEN
            RETURN QUERY SELECT 0, 0, p_from, p_to;
            RETURN;
        END IF;
        v_scope := 'SELECT DISTINCT p.instructor_id, p.tz FROM analytics_pairs p';
        v_facts_from := 'FROM analytics_pairs p
            JOIN appointments a ON a.instructor_id = p.instructor_id AND a.starts_at >= p.lo AND a.starts_at < p.hi
            JOIN scope s ON s.instructor_id = a.instructor_id
            WHERE a.status <> ''held''';
        v_complex_days := 'SELECT p.instructor_id, p.day FROM analytics_pairs p
            WHERE p.instructor_id IN (SELECT instructor_id FROM complex_instructors)';
        v_pair_filter := 'AND EXISTS (SELECT 1 FROM analytics_pairs p WHERE p.instructor_id = x.instructor_id AND p.day = x.day)';
        v_old := 'SELECT t.* FROM appointment_analytics t JOIN analytics_pairs p USING (instructor_id, day)';
        -- pattern-local dates one day either side of each pair (a pattern in another zone may reach in)
        v_weekly := '
        SELECT p.instructor_id, d.d,
               (d.d + p.start_time) AT TIME ZONE p.ptz AS lo, (d.d + p.end_time) AT TIME ZONE p.ptz AS hi
        FROM patterns p
        JOIN (SELECT DISTINCT q.instructor_id, q.day + k.k AS d FROM analytics_pairs q CROSS JOIN generate_series(-1, 1) AS k(k)) d
          ON d.instructor_id = p.instructor_id AND extract(isodow FROM d.d) = p.day_of_week
         AND d.d BETWEEN p.first_day AND p.last_day';
    ELSE
        v_pairs := NULL;
        -- these days are recomputed now: their marks are done with
        DELETE FROM analytics_dirty WHERE day BETWEEN p_from AND p_to;
        v_scope := 'SELECT u.id AS instructor_id, u.timezone AS tz FROM users u';
        -- a coarse instant window first (index on starts_at), then the exact local day
        v_facts_from := 'FROM appointments a JOIN scope s ON s.instructor_id = a.instructor_id
            WHERE a.status <> ''held''
              AND a.starts_at >= ($1 - 1)::timestamp AT TIME ZONE ''UTC'' AND a.starts_at < ($2 + 2)::timestamp AT TIME ZONE ''UTC''
              AND (a.starts_at AT TIME ZONE s.tz)::date BETWEEN $1 AND $2';
        v_complex_days := 'SELECT c.instructor_id, g.day::date AS day FROM complex_instructors c
            CROSS JOIN generate_series($1::timestamp, $2::timestamp, interval ''1 day'') AS g(day)';
        v_pair_filter := '';
        v_old := 'SELECT t.* FROM appointment_analytics t WHERE t.day BETWEEN $1 AND $2';
        -- patterns x weeks: one generate_series per pattern stepping 7 days from its first weekday in range
        v_weekly := '
        SELECT p.instructor_id, g.d::date AS d,
               (g.d + p.start_time) AT TIME ZONE p.ptz AS lo, (g.d + p.end_time) AT TIME ZONE p.ptz AS hi
        FROM patterns p
        CROSS JOIN LATERAL generate_series(
            (p.first_day + (p.day_of_week - extract(isodow FROM p.first_day)::int + 7) % 7)::timestamp,
            p.last_day::timestamp, interval ''7 days'') AS g(d)
        WHERE p.first_day <= p.last_day';
    END IF;

    v_sql := format($q$
    WITH scope AS NOT MATERIALIZED (%1$s),
    facts AS (
        SELECT (a.starts_at AT TIME ZONE s.tz)::date AS day, a.instructor_id, coalesce(a.currency, '') AS currency,
               count(*) AS booked,
               count(*) FILTER (WHERE a.status = 'completed') AS completed,
               count(*) FILTER (WHERE a.status = 'cancelled') AS cancelled,
               count(*) FILTER (WHERE a.status = 'no_show') AS no_show,
               count(*) FILTER (WHERE a.status = 'declined') AS declined,
               sum(a.ends_at - a.starts_at) FILTER (WHERE a.status IN ('pending', 'confirmed', 'completed')
                                                  AND a.session_key NOT LIKE 'g:%%') AS single_span,
               count(*) FILTER (WHERE a.status IN ('pending', 'confirmed', 'completed') AND a.session_key LIKE 'g:%%') AS seats,
               coalesce(sum(a.price) FILTER (WHERE a.status = 'completed'), 0) AS revenue,
               coalesce(sum(a.fee) FILTER (WHERE a.status = 'cancelled' AND NOT a.fee_waived), 0) AS fees
        %2$s
        GROUP BY 1, 2, 3
    ), sessions AS (
        -- one row per group session: its seats' longest span, counted once
        SELECT x.day, x.instructor_id, x.currency, sum(x.span) AS span
        FROM (SELECT (a.starts_at AT TIME ZONE s.tz)::date AS day, a.instructor_id, coalesce(a.currency, '') AS currency,
                     max(a.ends_at - a.starts_at) AS span
              %2$s AND a.session_key LIKE 'g:%%' AND a.status IN ('pending', 'confirmed', 'completed')
              GROUP BY 1, 2, 3, a.session_key) x
        GROUP BY 1, 2, 3
    ), patterns AS (
        SELECT a.id, a.instructor_id, s.tz, a.timezone AS ptz, a.day_of_week, a.start_time, a.end_time,
               a.effective_from, a.effective_until,
               greatest($1 - 1, a.effective_from) AS first_day, least($2 + 1, a.effective_until) AS last_day
        FROM instructor_availability a JOIN scope s ON s.instructor_id = a.instructor_id
    ), complex_instructors AS (
        SELECT p.instructor_id FROM patterns p WHERE p.ptz <> p.tz
        UNION
        SELECT p.instructor_id FROM patterns p JOIN patterns q
            ON q.instructor_id = p.instructor_id AND q.day_of_week = p.day_of_week AND q.id > p.id
           AND q.start_time < p.end_time AND p.start_time < q.end_time
           AND coalesce(q.effective_from, '-infinity') <= coalesce(p.effective_until, 'infinity')
           AND coalesce(p.effective_from, '-infinity') <= coalesce(q.effective_until, 'infinity')
    ), weekly AS (%6$s
    ), occ AS (
        SELECT o.instructor_id, o.kind, o.during, s.tz
        FROM time_block_occurrences o JOIN scope s ON s.instructor_id = o.instructor_id
        WHERE o.during && tstzrange(($1 - 1)::timestamp AT TIME ZONE 'UTC', ($2 + 2)::timestamp AT TIME ZONE 'UTC')
    ), occ_days AS (
        SELECT DISTINCT x.instructor_id, x.day
        FROM (SELECT o.instructor_id, g.day::date AS day
              FROM occ o CROSS JOIN LATERAL generate_series(
                  greatest((lower(o.during) AT TIME ZONE o.tz)::date, $1)::timestamp,
                  least(((upper(o.during) - interval '1 microsecond') AT TIME ZONE o.tz)::date, $2)::timestamp,
                  interval '1 day') AS g(day)) x
        WHERE true %4$s
    ), simple AS (
        SELECT x.instructor_id, x.day, x.span
        FROM (SELECT w.instructor_id, w.d AS day, sum(w.hi - w.lo) AS span
              FROM weekly w
              WHERE w.d BETWEEN $1 AND $2 AND w.instructor_id NOT IN (SELECT instructor_id FROM complex_instructors)
              GROUP BY 1, 2) x
        WHERE NOT EXISTS (SELECT 1 FROM occ_days od WHERE od.instructor_id = x.instructor_id AND od.day = x.day) %4$s
    ), complex_pairs AS (
        SELECT y.instructor_id, y.day,
               tstzrange(y.day::timestamp AT TIME ZONE s.tz, (y.day + 1)::timestamp AT TIME ZONE s.tz) AS dr
        FROM (%3$s UNION SELECT instructor_id, day FROM occ_days) y JOIN scope s ON s.instructor_id = y.instructor_id
    ), ups AS (
        -- pattern-local dates one day either side: a pattern in another zone may reach into this local day
        SELECT c.instructor_id, c.day, range_agg(tstzrange(w.lo, w.hi)) AS m
        FROM complex_pairs c CROSS JOIN (VALUES (-1), (0), (1)) AS k(k)
        JOIN weekly w ON w.instructor_id = c.instructor_id AND w.d = c.day + k.k
        WHERE w.hi > w.lo AND tstzrange(w.lo, w.hi) && c.dr
        GROUP BY 1, 2
    ), extra AS (
        SELECT c.instructor_id, c.day, range_agg(o.during) AS m
        FROM complex_pairs c JOIN occ o ON o.instructor_id = c.instructor_id AND o.kind = 'available' AND o.during && c.dr
        GROUP BY 1, 2
    ), busy AS (
        SELECT c.instructor_id, c.day, range_agg(o.during) AS m
        FROM complex_pairs c JOIN occ o ON o.instructor_id = c.instructor_id AND o.kind IN ('unavailable', 'vacation')
                                         AND o.during && c.dr
        GROUP BY 1, 2
    ), avail AS (
        SELECT instructor_id, day, ''::text AS currency, floor(extract(epoch FROM span) / 60)::integer AS minutes
        FROM simple
        UNION ALL
        SELECT c.instructor_id, c.day, '',
               coalesce((SELECT floor(extract(epoch FROM sum(upper(piece) - lower(piece))) / 60)::integer
                         FROM unnest(((coalesce(u.m, '{}') + coalesce(e.m, '{}')) - coalesce(b.m, '{}'))
                                     * c.dr::tstzmultirange) AS piece), 0)
        FROM complex_pairs c
        LEFT JOIN ups u ON u.instructor_id = c.instructor_id AND u.day = c.day
        LEFT JOIN extra e ON e.instructor_id = c.instructor_id AND e.day = c.day
        LEFT JOIN busy b ON b.instructor_id = c.instructor_id AND b.day = c.day
    ), computed AS (
        SELECT coalesce(f.day, av.day) AS day, coalesce(f.instructor_id, av.instructor_id) AS instructor_id,
               coalesce(f.currency, av.currency) AS currency,
               coalesce(f.booked, 0) AS booked, coalesce(f.completed, 0) AS completed,
               coalesce(f.cancelled, 0) AS cancelled, coalesce(f.no_show, 0) AS no_show,
               coalesce(f.declined, 0) AS declined,
               floor(extract(epoch FROM coalesce(f.single_span, interval '0')
                                        + CASE WHEN f.seats > 0 THEN coalesce(gs.span, interval '0') ELSE interval '0' END)
                     / 60)::integer AS booked_minutes,
               coalesce(av.minutes, 0) AS available_minutes,
               coalesce(f.revenue, 0) AS revenue, coalesce(f.fees, 0) AS fees
        FROM facts f
        LEFT JOIN sessions gs ON f.seats > 0 AND gs.day = f.day AND gs.instructor_id = f.instructor_id
                             AND gs.currency = f.currency
        FULL JOIN (SELECT * FROM avail WHERE minutes > 0) av
               ON av.day = f.day AND av.instructor_id = f.instructor_id AND av.currency = f.currency
    ), stored AS (%5$s),
    changed AS (
        SELECT coalesce(n.day, o.day) AS day, coalesce(n.instructor_id, o.instructor_id) AS instructor_id,
               coalesce(n.currency, o.currency) AS currency,
               coalesce(n.booked, 0) AS booked, coalesce(n.completed, 0) AS completed,
               coalesce(n.cancelled, 0) AS cancelled, coalesce(n.no_show, 0) AS no_show,
               coalesce(n.declined, 0) AS declined, coalesce(n.booked_minutes, 0) AS booked_minutes,
               coalesce(n.available_minutes, 0) AS available_minutes,
               coalesce(n.revenue, 0) AS revenue, coalesce(n.fees, 0) AS fees
        FROM computed n
        FULL JOIN stored o ON o.day = n.day AND o.instructor_id = n.instructor_id AND o.currency = n.currency
        WHERE o.day IS NULL
           OR (o.booked, o.completed, o.cancelled, o.no_show, o.declined, o.booked_minutes, o.available_minutes,
               o.revenue, o.fees)
              IS DISTINCT FROM
              (coalesce(n.booked, 0), coalesce(n.completed, 0), coalesce(n.cancelled, 0), coalesce(n.no_show, 0),
               coalesce(n.declined, 0), coalesce(n.booked_minutes, 0), coalesce(n.available_minutes, 0),
               coalesce(n.revenue, 0), coalesce(n.fees, 0))
    )
    SELECT * FROM changed
    $q$, v_scope, v_facts_from, v_complex_days, v_pair_filter, v_old, v_weekly);

    -- The dates as literals: CREATE TABLE AS takes no parameters, and the planner sees the real range. Computing
    -- into a temporary table first lets the read side run in parallel (an INSERT ... SELECT never does).
    v_sql := replace(replace(v_sql, '$1', quote_literal(v_first) || '::date'), '$2', quote_literal(v_last) || '::date');
    IF to_regclass('pg_temp.analytics_changed') IS NOT NULL THEN
        DROP TABLE analytics_changed;
    END IF;
    EXECUTE 'CREATE TEMP TABLE analytics_changed ON COMMIT DROP AS ' || v_sql;
    INSERT INTO appointment_analytics AS t (day, instructor_id, currency, booked, completed, cancelled, no_show,
                                            declined, booked_minutes, available_minutes, revenue, fees, computed_at)
    SELECT c.day, c.instructor_id, c.currency, c.booked, c.completed, c.cancelled, c.no_show, c.declined,
           c.booked_minutes, c.available_minutes, c.revenue, c.fees, now()
    FROM analytics_changed c
    ON CONFLICT (day, instructor_id, currency) DO UPDATE
        SET booked = EXCLUDED.booked, completed = EXCLUDED.completed, cancelled = EXCLUDED.cancelled,
            no_show = EXCLUDED.no_show, declined = EXCLUDED.declined, booked_minutes = EXCLUDED.booked_minutes,
            available_minutes = EXCLUDED.available_minutes, revenue = EXCLUDED.revenue, fees = EXCLUDED.fees,
            computed_at = EXCLUDED.computed_at;
    GET DIAGNOSTICS v_written = ROW_COUNT;
    DROP TABLE analytics_changed;
    -- After a bulk write the planner's row estimate of appointment_analytics is off by orders of magnitude
    -- (2,013 estimated, 627,560 read): reports then spill their hash aggregation to disk. Refresh it now.
    IF v_written > 10000 THEN
        ANALYZE appointment_analytics;
    END IF;
    RETURN QUERY SELECT v_written, v_pairs, v_first, v_last;
END $fn$;
REVOKE ALL ON FUNCTION analytics_recompute(date, date, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analytics_recompute(date, date, boolean) TO schedctl_app;

-- The full-range entry point of earlier versions (R__45's recompute_appointment_analytics): analytics_recompute
-- with p_dirty = false is the one aggregation now.
DROP FUNCTION IF EXISTS recompute_appointment_analytics(date, date);

-- Issue 12, the trust boundary: the trigger functions are the owner's alone.
REVOKE EXECUTE ON FUNCTION analytics_mark_appointments() FROM PUBLIC, schedctl_app;
REVOKE EXECUTE ON FUNCTION analytics_mark_occurrences() FROM PUBLIC, schedctl_app;
REVOKE EXECUTE ON FUNCTION analytics_mark_patterns() FROM PUBLIC, schedctl_app;
