-- schedctl V45: calendar import bookkeeping, batch analytics and the real-time counters.

-- ---------------------------------------------------------------------------------------------------------
-- `import ics`: which external event (UID + RECURRENCE-ID) became which unavailable block, so a re-import
-- of the same file changes nothing and a changed or cancelled event replaces or removes its block.
-- ---------------------------------------------------------------------------------------------------------
CREATE TABLE calendar_import_events (
    instructor_id  bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    uid            text        NOT NULL CHECK (length(uid) BETWEEN 1 AND 1000),
    recurrence_id  text        NOT NULL DEFAULT '' CHECK (length(recurrence_id) <= 100),
    -- SHA-256 over the expanded busy ranges: same fingerprint (and all blocks still there), nothing to do.
    fingerprint    text        NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
    summary        text CHECK (length(summary) <= 500),
    imported_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (instructor_id, uid, recurrence_id)
);
CREATE TRIGGER calendar_import_events_audit AFTER INSERT OR UPDATE OR DELETE ON calendar_import_events
    FOR EACH ROW EXECUTE FUNCTION audit_row('uid');

-- One one-off unavailable block per busy occurrence: blocks carry no RRULE of their own, so nothing else ever
-- re-expands them; a re-import replaces them.
CREATE TABLE calendar_import_blocks (
    block_id       bigint PRIMARY KEY REFERENCES time_blocks (id) ON DELETE CASCADE,
    instructor_id  bigint NOT NULL,
    uid            text   NOT NULL,
    recurrence_id  text   NOT NULL,
    FOREIGN KEY (instructor_id, uid, recurrence_id)
        REFERENCES calendar_import_events (instructor_id, uid, recurrence_id) ON DELETE CASCADE
);
CREATE INDEX calendar_import_blocks_event_idx ON calendar_import_blocks (instructor_id, uid, recurrence_id);

-- Forced RLS plus the owner's maintenance policy (V30); administrators see all, instructors their own.
SELECT app_secure_table('calendar_import_events');
SELECT app_secure_table('calendar_import_blocks');
CREATE POLICY calendar_import_events_access ON calendar_import_events
    USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()))
    WITH CHECK ((SELECT app_is_admin()) OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())));
CREATE POLICY calendar_import_blocks_access ON calendar_import_blocks
    USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()))
    WITH CHECK ((SELECT app_is_admin()) OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())));

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'schedctl_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON calendar_import_events, calendar_import_blocks TO schedctl_app;
    END IF;
END $$;

-- ---------------------------------------------------------------------------------------------------------
-- Analytics: local days, available minutes, and the one recompute statement.
-- ---------------------------------------------------------------------------------------------------------

-- Minutes an instructor is available on one local day of their own zone: the union of the weekly patterns
-- (each read in its own zone, so a pattern crosses DST at local wall-clock time) and the extra 'available'
-- occurrences, minus 'unavailable' and 'vacation' occurrences, clipped to the day. Days are 23 or 25 hours
-- long across DST changes because they are bounded by local midnights.
CREATE FUNCTION instructor_available_minutes(p_instructor bigint, p_day date) RETURNS integer
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    WITH zone AS (
        SELECT timezone AS tz FROM users WHERE id = p_instructor
    ), day_range AS (
        SELECT tstzrange(p_day::timestamp AT TIME ZONE zone.tz, (p_day + 1)::timestamp AT TIME ZONE zone.tz, '[)') AS r
        FROM zone
    ), weekly AS (
        -- Pattern-local dates one day either side: a pattern in another zone may reach into this local day.
        SELECT tstzrange((d + a.start_time) AT TIME ZONE a.timezone, (d + a.end_time) AT TIME ZONE a.timezone, '[)') AS r
        FROM instructor_availability a
        CROSS JOIN LATERAL generate_series(p_day - 1, p_day + 1, interval '1 day') AS g(ts)
        CROSS JOIN LATERAL (SELECT g.ts::date AS d) AS dd
        WHERE a.instructor_id = p_instructor
          AND extract(isodow FROM d) = a.day_of_week
          AND (a.effective_from IS NULL OR d >= a.effective_from)
          AND (a.effective_until IS NULL OR d <= a.effective_until)
    ), extra AS (
        SELECT o.during AS r FROM time_block_occurrences o, day_range
        WHERE o.instructor_id = p_instructor AND o.kind = 'available' AND o.during && day_range.r
    ), busy AS (
        SELECT o.during AS r FROM time_block_occurrences o, day_range
        WHERE o.instructor_id = p_instructor AND o.kind IN ('unavailable', 'vacation') AND o.during && day_range.r
    ), free AS (
        SELECT (coalesce((SELECT range_agg(r) FROM (SELECT r FROM weekly WHERE NOT isempty(r) UNION ALL SELECT r FROM extra) u),
                         '{}'::tstzmultirange)
                - coalesce((SELECT range_agg(r) FROM busy), '{}'::tstzmultirange))
               * (SELECT r::tstzmultirange FROM day_range) AS m
    )
    SELECT coalesce((SELECT sum(extract(epoch FROM upper(piece) - lower(piece)))::bigint / 60
                     FROM free, unnest(free.m) AS piece), 0)::integer
$$;

-- Recomputes appointment_analytics for the instructors' local days p_from..p_to in one statement, so it can
-- run any time, as often as wanted, and give the same rows. A day belongs to the instructor's zone. Every
-- (day, instructor, currency) key that has facts now, or had a row before, is written: a row whose facts
-- went away (an appointment moved out of the day) drops to zeros instead of keeping stale counts.
-- Available minutes sit on the currency '' row of each instructor-day so summing over currencies counts
-- them once. Holds are not bookings and are left out. Rows whose values did not change are not touched.
-- SECURITY DEFINER because aggregation must see every instructor's rows under row-level security; only an
-- administrator may call it.
CREATE FUNCTION recompute_appointment_analytics(p_from date, p_to date) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    written integer;
BEGIN
    IF NOT app_is_admin() THEN
        RAISE EXCEPTION 'only an administrator can aggregate analytics' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_to < p_from OR p_to - p_from > 3660 THEN
        RAISE EXCEPTION 'bad analytics range % to %', p_from, p_to USING ERRCODE = 'invalid_parameter_value';
    END IF;

    WITH instructors AS (
        SELECT id, timezone AS tz FROM users WHERE role = 'instructor'
    ), facts AS (
        SELECT (a.starts_at AT TIME ZONE i.tz)::date AS day, a.instructor_id, coalesce(a.currency, '') AS currency,
               count(*) AS booked,
               count(*) FILTER (WHERE a.status = 'completed') AS completed,
               count(*) FILTER (WHERE a.status = 'cancelled') AS cancelled,
               count(*) FILTER (WHERE a.status = 'no_show') AS no_show,
               count(*) FILTER (WHERE a.status = 'declined') AS declined,
               coalesce(sum(extract(epoch FROM a.ends_at - a.starts_at)::bigint / 60)
                        FILTER (WHERE a.status IN ('pending', 'confirmed', 'completed')), 0) AS booked_minutes,
               coalesce(sum(a.price) FILTER (WHERE a.status = 'completed'), 0) AS revenue,
               coalesce(sum(a.fee) FILTER (WHERE a.status = 'cancelled' AND NOT a.fee_waived), 0) AS fees
        FROM appointments a JOIN instructors i ON i.id = a.instructor_id
        WHERE a.status <> 'held'
          -- a coarse instant window first (index on starts_at), then the exact local day
          AND a.starts_at >= (p_from - 1)::timestamp AT TIME ZONE 'UTC'
          AND a.starts_at < (p_to + 2)::timestamp AT TIME ZONE 'UTC'
          AND (a.starts_at AT TIME ZONE i.tz)::date BETWEEN p_from AND p_to
        GROUP BY 1, 2, 3
    ), availability AS (
        SELECT g.ts::date AS day, i.id AS instructor_id, ''::text AS currency,
               instructor_available_minutes(i.id, g.ts::date) AS available_minutes
        FROM instructors i CROSS JOIN generate_series(p_from, p_to, interval '1 day') AS g(ts)
    ), keys AS (
        SELECT day, instructor_id, currency FROM facts
        UNION SELECT day, instructor_id, currency FROM availability WHERE available_minutes > 0
        UNION SELECT day, instructor_id, currency FROM appointment_analytics WHERE day BETWEEN p_from AND p_to
    )
    INSERT INTO appointment_analytics AS t (day, instructor_id, currency, booked, completed, cancelled, no_show, declined,
                                            booked_minutes, available_minutes, revenue, fees, computed_at)
    SELECT k.day, k.instructor_id, k.currency,
           coalesce(f.booked, 0), coalesce(f.completed, 0), coalesce(f.cancelled, 0), coalesce(f.no_show, 0),
           coalesce(f.declined, 0), coalesce(f.booked_minutes, 0), coalesce(av.available_minutes, 0),
           coalesce(f.revenue, 0), coalesce(f.fees, 0), now()
    FROM keys k
    LEFT JOIN facts f USING (day, instructor_id, currency)
    LEFT JOIN availability av USING (day, instructor_id, currency)
    ON CONFLICT (day, instructor_id, currency) DO UPDATE
        SET booked = EXCLUDED.booked, completed = EXCLUDED.completed, cancelled = EXCLUDED.cancelled,
            no_show = EXCLUDED.no_show, declined = EXCLUDED.declined, booked_minutes = EXCLUDED.booked_minutes,
            available_minutes = EXCLUDED.available_minutes, revenue = EXCLUDED.revenue, fees = EXCLUDED.fees,
            computed_at = EXCLUDED.computed_at
        WHERE (t.booked, t.completed, t.cancelled, t.no_show, t.declined, t.booked_minutes, t.available_minutes,
               t.revenue, t.fees)
              IS DISTINCT FROM
              (EXCLUDED.booked, EXCLUDED.completed, EXCLUDED.cancelled, EXCLUDED.no_show, EXCLUDED.declined,
               EXCLUDED.booked_minutes, EXCLUDED.available_minutes, EXCLUDED.revenue, EXCLUDED.fees);
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END $$;

-- ---------------------------------------------------------------------------------------------------------
-- Real-time counters: every lifecycle step of an appointment bumps one counter for the instructor's local
-- day of the change. Gauges (pending confirmations, upcoming sessions) are read live by the dashboard.
-- ---------------------------------------------------------------------------------------------------------
CREATE FUNCTION bump_booking_metric(p_metric text, p_instructor bigint) RETURNS void
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    INSERT INTO booking_metrics_realtime AS m (metric, instructor_id, day, value, updated_at)
    SELECT p_metric, p_instructor, (now() AT TIME ZONE u.timezone)::date, 1, now()
    FROM users u WHERE u.id = p_instructor
    ON CONFLICT (metric, instructor_id, day) DO UPDATE SET value = m.value + 1, updated_at = now()
$$;

CREATE FUNCTION appointments_metrics() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    before_status text := CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END;
BEGIN
    IF before_status IS NOT DISTINCT FROM NEW.status THEN
        IF TG_OP = 'UPDATE' AND NEW.status IN ('pending', 'confirmed') AND OLD.starts_at <> NEW.starts_at THEN
            PERFORM bump_booking_metric('reschedules', NEW.instructor_id);
        END IF;
        RETURN NULL;
    END IF;
    -- A hold that becomes pending or confirmed is the moment of booking; so is a direct insert.
    IF NEW.status IN ('pending', 'confirmed') AND (before_status IS NULL OR before_status = 'held') THEN
        PERFORM bump_booking_metric('bookings', NEW.instructor_id);
    END IF;
    IF NEW.status = 'confirmed' AND before_status = 'pending' THEN
        PERFORM bump_booking_metric('confirmations', NEW.instructor_id);
    END IF;
    IF NEW.status = 'cancelled' AND before_status IS DISTINCT FROM 'held' THEN
        PERFORM bump_booking_metric('cancellations', NEW.instructor_id);
    ELSIF NEW.status = 'declined' THEN
        PERFORM bump_booking_metric('declines', NEW.instructor_id);
    ELSIF NEW.status = 'completed' THEN
        PERFORM bump_booking_metric('completions', NEW.instructor_id);
    ELSIF NEW.status = 'no_show' THEN
        PERFORM bump_booking_metric('no_shows', NEW.instructor_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER appointments_metrics AFTER INSERT OR UPDATE OF status, starts_at ON appointments
    FOR EACH ROW EXECUTE FUNCTION appointments_metrics();

CREATE INDEX appointments_status_start_idx ON appointments (status, starts_at) WHERE status IN ('pending', 'confirmed');
