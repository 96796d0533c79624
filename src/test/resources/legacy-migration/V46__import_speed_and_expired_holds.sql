-- schedctl V46 (issue 3): a cheaper bulk import, and expired holds that no longer hide free slots.

-- 1. Statement audit in one pass. V10's audit_statement() sorted each transition table once per column (13
--    sorts of 56,000 rows for a weekly import on PostgreSQL 15) plus a DISTINCT count. The rows audited and the
--    shape of the entries are unchanged: one entry per statement with actor, command, action, entity, and
--    before/after images ({count, ids, instructor_id, columns: {column: [values in id order]}}), or, for a
--    statement touching one row, the row itself as audit_row() writes it. audit_log stays append-only.
CREATE OR REPLACE FUNCTION audit_statement() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    rows_table text := CASE WHEN TG_OP = 'DELETE' THEN 'audit_old' ELSE 'audit_new' END;
    affected bigint;
    entity_id text;
    ids jsonb;
    instructor bigint;
    columns text;
    old_columns jsonb;
    new_columns jsonb;
    image jsonb;
BEGIN
    EXECUTE format('SELECT count(*), min(id)::text FROM %I', rows_table) INTO affected, entity_id;
    IF affected = 0 THEN
        RETURN NULL;
    END IF;
    IF affected = 1 THEN
        IF TG_OP <> 'INSERT' THEN
            EXECUTE 'SELECT to_jsonb(o) FROM audit_old o' INTO image;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            EXECUTE 'SELECT to_jsonb(n) FROM audit_new n' INTO new_columns;
        END IF;
        INSERT INTO audit_log (actor_id, command, action, entity, entity_id, before, after)
        VALUES (app_current_user_id(), app_current_command(), lower(TG_OP), TG_TABLE_NAME, entity_id, image, new_columns);
        RETURN NULL;
    END IF;
    SELECT string_agg(format(CASE WHEN t.typcategory = 'A' THEN '%L, jsonb_agg(%I)' ELSE '%L, array_agg(%I)' END,
                             a.attname, a.attname), ', ' ORDER BY a.attnum)
    INTO columns
    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
    WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped;
    -- One sort and one pass per transition table. All aggregates of a query read the same rows in the same order,
    -- so the column arrays stay aligned with each other and with ids; the sorted subquery makes that order the id order.
    EXECUTE format('SELECT jsonb_agg(id), CASE WHEN min(instructor_id) = max(instructor_id) THEN min(instructor_id) END,
                           jsonb_build_object(%s) FROM (SELECT * FROM %I ORDER BY id) r', columns, rows_table)
        INTO ids, instructor, new_columns;
    IF TG_OP = 'UPDATE' THEN
        EXECUTE format('SELECT jsonb_build_object(%s) FROM (SELECT * FROM audit_old ORDER BY id) r', columns) INTO old_columns;
    ELSIF TG_OP = 'DELETE' THEN
        old_columns := new_columns;
        new_columns := NULL;
    END IF;
    INSERT INTO audit_log (actor_id, command, action, entity, entity_id, before, after)
    VALUES (app_current_user_id(), app_current_command(), lower(TG_OP), TG_TABLE_NAME, NULL,
            CASE WHEN old_columns IS NOT NULL
                 THEN jsonb_build_object('count', affected, 'ids', ids, 'instructor_id', instructor, 'columns', old_columns) END,
            CASE WHEN new_columns IS NOT NULL
                 THEN jsonb_build_object('count', affected, 'ids', ids, 'instructor_id', instructor, 'columns', new_columns) END);
    RETURN NULL;
END $$;


-- 2. An occurrence belongs to a block of the same instructor: one composite foreign key instead of two (to
--    time_blocks and to users), so a bulk import pays one check per occurrence instead of two, and an
--    occurrence can no longer name another instructor than its block. Deleting a user still removes the
--    occurrences (users -> time_blocks -> occurrences, both ON DELETE CASCADE). The unique index the key needs
--    replaces time_blocks_instructor_idx (instructor_id, kind): it serves the same per-instructor lookups.
ALTER TABLE time_block_occurrences
    DROP CONSTRAINT time_block_occurrences_block_id_fkey,
    DROP CONSTRAINT time_block_occurrences_instructor_id_fkey;
DROP INDEX time_blocks_instructor_idx;
CREATE UNIQUE INDEX time_blocks_instructor_block_key ON time_blocks (instructor_id, id);
ALTER TABLE time_block_occurrences
    ADD CONSTRAINT time_block_occurrences_block_fkey FOREIGN KEY (instructor_id, block_id)
        REFERENCES time_blocks (instructor_id, id) ON DELETE CASCADE;

-- 3. A held appointment whose booking session expired at or before p_now is free time: booking sweeps such holds
--    under the instructor's lock before it checks (booking_prepare), so the slot paths must not count them as busy
--    until the sweep job runs. Same test as booking_prepare: status 'held' and its session's expires_at <= now.
--    The Java slot path's reader is now told the time; the three-argument form reads at the transaction's now().
CREATE FUNCTION availability_busy(p_instructors bigint[], p_from timestamptz, p_to timestamptz, p_now timestamptz)
    RETURNS TABLE (instructor_id bigint, starts_at timestamptz, ends_at timestamptz, blocked_from timestamptz,
                   blocked_to timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT a.instructor_id, a.starts_at, a.ends_at, lower(a.blocked), upper(a.blocked)
    FROM appointments a
    WHERE a.instructor_id = ANY(p_instructors) AND a.status IN ('held', 'pending', 'confirmed')
      AND a.blocked && tstzrange(p_from, p_to, '[)')
      AND NOT (a.status = 'held' AND EXISTS (SELECT 1 FROM booking_sessions b
                                             WHERE b.id = a.booking_session_id AND b.expires_at <= p_now))
$$;

CREATE OR REPLACE FUNCTION availability_busy(p_instructors bigint[], p_from timestamptz, p_to timestamptz)
    RETURNS TABLE (instructor_id bigint, starts_at timestamptz, ends_at timestamptz, blocked_from timestamptz,
                   blocked_to timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT * FROM availability_busy(p_instructors, p_from, p_to, now())
$$;

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

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'schedctl_app') THEN
        GRANT EXECUTE ON FUNCTION availability_busy(bigint[], timestamptz, timestamptz, timestamptz) TO schedctl_app;
    END IF;
END $$;
