-- schedctl V22: the start of every booking transaction (serialise per instructor, sweep expired holds) and the
-- next free slots suggested when a booking is refused.

CREATE INDEX appointments_held_idx ON appointments (instructor_id) WHERE status = 'held';

-- Takes the per-instructor transaction lock that serialises every booking decision of that instructor (so
-- max-daily, max-consecutive and group capacity cannot be raced), then cancels that instructor's holds whose
-- booking session has expired (history action 'expire'; an offered waitlist entry becomes 'expired'). Returns
-- the slots it freed, so the caller can offer them to the waitlist. One round trip.
CREATE FUNCTION booking_prepare(p_instructor bigint, p_now timestamptz)
    RETURNS TABLE (appointment_id bigint, type_id bigint, starts_at timestamptz, ends_at timestamptz,
                   student_id bigint, waitlist_id bigint)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
#variable_conflict use_column
BEGIN
    PERFORM pg_advisory_xact_lock(p_instructor);
    RETURN QUERY
    WITH expired AS (
        UPDATE appointments a
           SET status = 'cancelled', cancelled_at = p_now, cancel_reason = 'hold expired'
          FROM booking_sessions b
         WHERE a.booking_session_id = b.id AND a.status = 'held' AND a.instructor_id = p_instructor
           AND b.expires_at <= p_now
        RETURNING a.id, a.type_id, a.starts_at, a.ends_at, a.student_id, b.id AS session_id, b.waitlist_id
    ), sessions AS (
        UPDATE booking_sessions b SET step = 'expired' FROM expired e WHERE b.id = e.session_id
    ), waiting AS (
        UPDATE appointment_waitlist w SET status = 'expired'
          FROM expired e WHERE w.id = e.waitlist_id AND w.status = 'offered'
    ), events AS (
        INSERT INTO appointment_events (appointment_id, at, actor_id, action, from_status, to_status, starts_at,
                                        ends_at, details)
        SELECT e.id, p_now, app_current_user_id(), 'expire', 'held', 'cancelled', e.starts_at, e.ends_at,
               jsonb_build_object('hold_id', e.session_id)
        FROM expired e
    )
    SELECT e.id, e.type_id, e.starts_at, e.ends_at, e.student_id, e.waitlist_id FROM expired e;
END $$;

-- The next free starts for a type after p_after (at most p_limit, within 14 days): candidates on the slot grid of
-- each free window, each confirmed by check_instructor_availability_comprehensive, so a suggestion is always
-- bookable at the time it is made. A full day is skipped whole; at most 400 candidates are checked.
CREATE FUNCTION suggest_booking_slots(p_instructor bigint, p_type bigint, p_after timestamptz, p_limit integer,
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
