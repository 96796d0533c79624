-- schedctl R__45: batch analytics (available minutes, the recompute) and the real-time booking counters.
--
-- A repeatable migration: Flyway runs it after the versioned ones whenever its text changes, so it holds the one
-- live definition of each object and is edited in place (CREATE OR REPLACE FUNCTION; DROP ... IF EXISTS then
-- CREATE for triggers and policies). Versioned files hold structure only and never call what is defined here.

-- Minutes an instructor is available on one local day of their own zone: the union of the weekly patterns
-- (each read in its own zone, so a pattern crosses DST at local wall-clock time) and the extra 'available'
-- occurrences, minus 'unavailable' and 'vacation' occurrences, clipped to the day. Days are 23 or 25 hours
-- long across DST changes because they are bounded by local midnights.
CREATE OR REPLACE FUNCTION instructor_available_minutes(p_instructor bigint, p_day date) RETURNS integer
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    WITH zone AS (
        SELECT timezone AS tz FROM users WHERE id = p_instructor
          -- analytics: an administrator's (recompute) or the instructor's own, nobody else's
          -- (app_is_admin() written out: a sql function's body is checked when created, before R__50 defines it)
          AND (p_instructor = app_current_user_id()
               OR EXISTS (SELECT 1 FROM users a WHERE a.id = app_current_user_id() AND a.active AND a.role = 'admin'))
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
CREATE OR REPLACE FUNCTION recompute_appointment_analytics(p_from date, p_to date) RETURNS integer
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

CREATE OR REPLACE FUNCTION appointments_metrics() RETURNS trigger
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

-- plpgsql instead of sql: a SECURITY DEFINER sql function is planned on every call (the metrics trigger calls
-- this on every booking); plpgsql keeps the plan. Same statement.
CREATE OR REPLACE FUNCTION bump_booking_metric(p_metric text, p_instructor bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    INSERT INTO booking_metrics_realtime AS m (metric, instructor_id, day, value, updated_at)
    SELECT p_metric, p_instructor, (now() AT TIME ZONE u.timezone)::date, 1, now()
    FROM users u WHERE u.id = p_instructor
    ON CONFLICT (metric, instructor_id, day) DO UPDATE SET value = m.value + 1, updated_at = now();
END $$;

-- Triggers
DROP TRIGGER IF EXISTS appointments_metrics ON appointments;
CREATE TRIGGER appointments_metrics AFTER INSERT OR UPDATE OF status, starts_at ON appointments
    FOR EACH ROW EXECUTE FUNCTION appointments_metrics();

-- Issue 12, the trust boundary: no EXECUTE for PUBLIC on a SECURITY DEFINER function; the runtime role gets it
-- only where the application, a policy or an invoker function calls it (DefinerCatalogIT checks the catalog).
REVOKE EXECUTE ON FUNCTION appointments_metrics() FROM PUBLIC, schedctl_app;
REVOKE EXECUTE ON FUNCTION bump_booking_metric(text, bigint) FROM PUBLIC, schedctl_app;
REVOKE EXECUTE ON FUNCTION instructor_available_minutes(bigint, date) FROM PUBLIC, schedctl_app;
REVOKE EXECUTE ON FUNCTION recompute_appointment_analytics(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION recompute_appointment_analytics(date, date) TO schedctl_app;
