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
