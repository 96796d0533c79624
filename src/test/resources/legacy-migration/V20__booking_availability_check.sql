-- schedctl V20: the booking rules that every writer must obey, in the database: the availability check the
-- booking transaction calls, the legal status transitions, and the group-session capacity guard.

-- The instant of a local date-time in a zone, as java.time resolves it (ZonedDateTime.of): a time in a DST gap
-- moves forward by the length of the gap (02:30 on a spring-forward day becomes 03:30 summer time), and a time
-- that happens twice takes the earlier offset. PostgreSQL's own AT TIME ZONE takes the later offset for the
-- second case, which would make the database and the Java slot calculator disagree by an hour once a year.
CREATE FUNCTION local_to_instant(p_local timestamp, p_zone text) RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
-- A single expression, so the planner inlines it (a SQL function with a FROM clause is planned anew on every
-- call). The repeated term is the same local time read with the offset in force a day before.
AS $$
    SELECT CASE WHEN ((p_local - ((((p_local AT TIME ZONE p_zone) - interval '1 day') AT TIME ZONE p_zone)
                     - (((p_local AT TIME ZONE p_zone) - interval '1 day') AT TIME ZONE 'UTC'))) AT TIME ZONE 'UTC') < (p_local AT TIME ZONE p_zone)
                 AND (((p_local - ((((p_local AT TIME ZONE p_zone) - interval '1 day') AT TIME ZONE p_zone)
                     - (((p_local AT TIME ZONE p_zone) - interval '1 day') AT TIME ZONE 'UTC'))) AT TIME ZONE 'UTC') AT TIME ZONE p_zone) = p_local
                THEN ((p_local - ((((p_local AT TIME ZONE p_zone) - interval '1 day') AT TIME ZONE p_zone)
                     - (((p_local AT TIME ZONE p_zone) - interval '1 day') AT TIME ZONE 'UTC'))) AT TIME ZONE 'UTC')
                ELSE p_local AT TIME ZONE p_zone END
$$;

-- The instructor's free time near [p_from, p_to): weekly patterns expanded per local date in each pattern's zone
-- (honouring effective dates and type), plus one-off 'available' occurrences, minus blackouts and vacations.
-- Returned as three multiranges so the caller can tell why a time is not free.
CREATE FUNCTION instructor_time_near(p_instructor bigint, p_type bigint, p_from timestamptz, p_to timestamptz,
                                     OUT available tstzmultirange, OUT blackout tstzmultirange,
                                     OUT vacation tstzmultirange)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    -- plpgsql rather than sql: its plans are cached across calls, which makes a check several times faster
    SELECT
        coalesce((SELECT range_agg(r) FROM (
            SELECT tstzrange(local_to_instant(d + a.start_time, a.timezone), local_to_instant(d + a.end_time, a.timezone), '[)') AS r
            FROM instructor_availability a
            CROSS JOIN LATERAL generate_series((p_from AT TIME ZONE a.timezone)::date - 1,
                                               (p_to AT TIME ZONE a.timezone)::date + 1, interval '1 day') g(day)
            CROSS JOIN LATERAL (SELECT g.day::date AS d) dd
            WHERE a.instructor_id = p_instructor
              AND (a.type_id IS NULL OR a.type_id = p_type)
              AND extract(isodow FROM d) = a.day_of_week
              AND (a.effective_from IS NULL OR d >= a.effective_from)
              AND (a.effective_until IS NULL OR d <= a.effective_until)
            UNION ALL
            SELECT o.during FROM time_block_occurrences o
            WHERE o.instructor_id = p_instructor AND o.kind = 'available'
              AND o.during && tstzrange(p_from - interval '2 days', p_to + interval '2 days')
        ) pieces WHERE NOT isempty(r)), '{}'::tstzmultirange),
        coalesce((SELECT range_agg(o.during) FROM time_block_occurrences o
                  WHERE o.instructor_id = p_instructor AND o.kind = 'unavailable'
                    AND o.during && tstzrange(p_from - interval '2 days', p_to + interval '2 days')), '{}'::tstzmultirange),
        coalesce((SELECT range_agg(o.during) FROM time_block_occurrences o
                  WHERE o.instructor_id = p_instructor AND o.kind = 'vacation'
                    AND o.during && tstzrange(p_from - interval '2 days', p_to + interval '2 days')), '{}'::tstzmultirange)
    INTO available, blackout, vacation;
END $$;

-- Active appointments that occupy the instructor's time. A hold whose booking session has expired no longer
-- counts, even before the sweep has cancelled it.
CREATE FUNCTION appointment_occupies(p_status text, p_session bigint, p_now timestamptz) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT p_status IN ('pending', 'confirmed')
        OR (p_status = 'held' AND NOT EXISTS (SELECT 1 FROM booking_sessions b
                                              WHERE b.id = p_session AND b.expires_at <= p_now))
$$;

-- The session key a booking gets: seats of one group session (capacity > 1) share 'g:<type>:<epoch of start>',
-- so the exclusion constraint lets them overlap each other and nothing else.
CREATE FUNCTION appointment_session_key(p_type bigint, p_capacity integer, p_start timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN p_capacity > 1 THEN 'g:' || p_type || ':' || extract(epoch FROM p_start)::bigint END
$$;

-- An instant as a person in that zone reads it, for messages.
CREATE FUNCTION local_text(p_at timestamptz, p_zone text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT to_char(p_at AT TIME ZONE p_zone, 'YYYY-MM-DD"T"HH24:MI') || ' ' || p_zone $$;

-- May the instructor be booked for this type over [p_start, p_end)? One row: ok, a lower-case reason code and a
-- one-line message ("what is wrong. How to fix it"). Reason codes: ok, unknown_type, archived, in_past,
-- too_soon, too_far, vacation, blackout, outside_availability, misaligned, taken, day_full,
-- too_many_consecutive. The rules:
--   * free time = weekly patterns (+ 'available' occurrences) - 'unavailable' - 'vacation' occurrences; the
--     buffered interval [start - buffer_before, end + buffer_after) must lie inside it (buffers: the type's,
--     else the instructor's);
--   * the start lies on the grid of the free window that contains it: window start + k * slot_interval
--     (the type's slot_interval, else its duration);
--   * 'taken': the buffered interval overlaps an active appointment's blocked range (other than
--     p_exclude_appointment); seats of the same group session do not count while seats remain;
--   * max_daily counts sessions (a group session once) starting on the same local date in the instructor's
--     zone; joining an existing group session adds none;
--   * max_consecutive: the chain of sessions whose blocked ranges touch or overlap, including the new one, must
--     not exceed it.
CREATE FUNCTION check_instructor_availability_comprehensive(
    p_instructor bigint, p_type bigint, p_start timestamptz, p_end timestamptz,
    p_exclude_appointment bigint DEFAULT NULL, p_now timestamptz DEFAULT now())
    RETURNS TABLE (ok boolean, reason text, message text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    t             appointment_types%ROWTYPE;
    v_zone        text;
    v_bb          interval;
    v_ba          interval;
    v_min_notice  interval;
    v_max_advance interval;
    v_max_daily   integer;
    v_max_consec  integer;
    v_need        tstzrange;
    v_time        record;
    v_free        tstzmultirange;
    v_window      tstzrange;
    v_step        interval;
    v_key         text;
    v_seats       integer;
    v_joins       boolean := false;
    v_count       integer;
    v_local_day   date;
BEGIN
    SELECT * INTO t FROM appointment_types WHERE id = p_type AND instructor_id = p_instructor;
    IF NOT FOUND THEN
        RETURN QUERY SELECT false, 'unknown_type', 'this appointment type is not offered by this instructor. See `schedctl type list --instructor USER`';
        RETURN;
    END IF;
    IF t.archived_at IS NOT NULL THEN
        RETURN QUERY SELECT false, 'archived', format('appointment type %s is archived and takes no new bookings. Pick another type', t.slug);
        RETURN;
    END IF;
    SELECT u.timezone,
           coalesce(t.buffer_before, s.buffer_before, interval '0'), coalesce(t.buffer_after, s.buffer_after, interval '0'),
           coalesce(t.min_notice, s.min_notice, interval '0'), coalesce(t.max_advance, s.max_advance, interval '90 days'),
           s.max_daily, s.max_consecutive
      INTO v_zone, v_bb, v_ba, v_min_notice, v_max_advance, v_max_daily, v_max_consec
      FROM users u LEFT JOIN instructor_settings s ON s.instructor_id = u.id
     WHERE u.id = p_instructor;

    IF p_start <= p_now THEN
        RETURN QUERY SELECT false, 'in_past', format('the time %s is in the past. Pick a future time', local_text(p_start, v_zone));
        RETURN;
    END IF;
    IF p_start < p_now + v_min_notice THEN
        RETURN QUERY SELECT false, 'too_soon', format('the time is inside the minimum notice of %s. Book at %s or later',
                                                      v_min_notice, local_text(p_now + v_min_notice, v_zone));
        RETURN;
    END IF;
    IF p_start > p_now + v_max_advance THEN
        RETURN QUERY SELECT false, 'too_far', format('the time is more than %s ahead, beyond the booking window. Book before %s',
                                                     v_max_advance, local_text(p_now + v_max_advance, v_zone));
        RETURN;
    END IF;

    v_need := tstzrange(p_start - v_bb, p_end + v_ba, '[)');
    SELECT * INTO v_time FROM instructor_time_near(p_instructor, p_type, lower(v_need), upper(v_need));
    IF v_time.vacation && v_need THEN
        RETURN QUERY SELECT false, 'vacation', 'the instructor is on vacation then. Pick a time outside the vacation';
        RETURN;
    END IF;
    IF v_time.blackout && v_need THEN
        RETURN QUERY SELECT false, 'blackout', 'the instructor has blocked that time. Pick another time';
        RETURN;
    END IF;
    v_free := v_time.available - v_time.blackout - v_time.vacation;
    SELECT w INTO v_window FROM unnest(v_free) w WHERE w @> v_need;
    IF v_window IS NULL THEN
        RETURN QUERY SELECT false, 'outside_availability',
            CASE WHEN v_bb > interval '0' OR v_ba > interval '0'
                 THEN format('the time (with buffers of %s before and %s after) is outside the instructor''s availability. See `schedctl availability slots`', v_bb, v_ba)
                 ELSE 'the time is outside the instructor''s availability. See `schedctl availability slots`' END;
        RETURN;
    END IF;
    v_step := coalesce(t.slot_interval, t.duration);
    IF extract(epoch FROM (p_start - lower(v_window)))::numeric % extract(epoch FROM v_step)::numeric <> 0 THEN
        RETURN QUERY SELECT false, 'misaligned', format('the time is not on the slot grid (every %s from %s). See `schedctl availability slots`',
                                                        v_step, local_text(lower(v_window), v_zone));
        RETURN;
    END IF;

    v_key := appointment_session_key(t.id, t.capacity, p_start);
    IF v_key IS NOT NULL THEN
        SELECT count(*) INTO v_seats FROM appointments a
         WHERE a.instructor_id = p_instructor AND a.session_key = v_key
           AND a.id IS DISTINCT FROM p_exclude_appointment
           AND appointment_occupies(a.status, a.booking_session_id, p_now);
        IF v_seats >= t.capacity THEN
            RETURN QUERY SELECT false, 'taken', format('the group session is full (%s of %s seats taken). Pick another time', v_seats, t.capacity);
            RETURN;
        END IF;
        v_joins := v_seats > 0;
    END IF;
    IF EXISTS (SELECT 1 FROM appointments a
                WHERE a.instructor_id = p_instructor AND a.blocked && v_need
                  AND a.status IN ('held', 'pending', 'confirmed')
                  AND a.id IS DISTINCT FROM p_exclude_appointment
                  AND a.session_key IS DISTINCT FROM v_key
                  AND appointment_occupies(a.status, a.booking_session_id, p_now)) THEN
        RETURN QUERY SELECT false, 'taken', 'the slot is taken: it overlaps another booking or hold of this instructor. Pick another time';
        RETURN;
    END IF;

    IF v_max_daily IS NOT NULL AND NOT v_joins THEN
        v_local_day := (p_start AT TIME ZONE v_zone)::date;
        SELECT count(DISTINCT a.session_key) INTO v_count FROM appointments a
         WHERE a.instructor_id = p_instructor
           AND a.starts_at >= local_to_instant(v_local_day::timestamp, v_zone)
           AND a.starts_at < local_to_instant((v_local_day + 1)::timestamp, v_zone)
           AND a.status IN ('held', 'pending', 'confirmed')
           AND a.id IS DISTINCT FROM p_exclude_appointment
           AND appointment_occupies(a.status, a.booking_session_id, p_now);
        IF v_count >= v_max_daily THEN
            RETURN QUERY SELECT false, 'day_full', format('the instructor already has %s sessions on %s, the daily maximum. Pick another day',
                                                          v_count, v_local_day);
            RETURN;
        END IF;
    END IF;

    IF v_max_consec IS NOT NULL AND NOT v_joins THEN
        WITH busy AS (
            SELECT a.blocked, a.session_key FROM appointments a
             WHERE a.instructor_id = p_instructor
               AND a.blocked && tstzrange(lower(v_need) - interval '1 day', upper(v_need) + interval '1 day')
               AND a.status IN ('held', 'pending', 'confirmed')
               AND a.id IS DISTINCT FROM p_exclude_appointment
               AND appointment_occupies(a.status, a.booking_session_id, p_now)
        ), chain AS (
            SELECT c FROM unnest((SELECT range_agg(r) FROM (SELECT blocked AS r FROM busy UNION ALL SELECT v_need) x)) c
             WHERE c @> v_need
        )
        SELECT count(DISTINCT busy.session_key) + 1 INTO v_count FROM busy, chain WHERE busy.blocked <@ chain.c;
        IF v_count > v_max_consec THEN
            RETURN QUERY SELECT false, 'too_many_consecutive',
                format('this would make %s sessions in a row; the instructor allows at most %s. Leave a gap', v_count, v_max_consec);
            RETURN;
        END IF;
    END IF;

    RETURN QUERY SELECT true, 'ok', 'available';
END $$;

-- Defence in depth for the state machine of BookingLifecycle (AppointmentStatus.successors): no writer can move
-- an appointment between states that the domain does not allow.
CREATE FUNCTION appointments_guard_status() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
           (OLD.status = 'held' AND NEW.status IN ('pending', 'confirmed', 'cancelled'))
        OR (OLD.status = 'pending' AND NEW.status IN ('confirmed', 'declined', 'cancelled'))
        OR (OLD.status = 'confirmed' AND NEW.status IN ('pending', 'completed', 'no_show', 'cancelled'))) THEN
        RAISE EXCEPTION 'appointment % is %; it cannot become %', OLD.reference, OLD.status, NEW.status
            USING ERRCODE = 'P0001', HINT = 'see the lifecycle in CLI.md';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER appointments_guard_status BEFORE UPDATE OF status ON appointments
    FOR EACH ROW EXECUTE FUNCTION appointments_guard_status();

-- Never more active seats in a group session than the type's capacity, for every writer: the per-instructor
-- advisory lock (the same one the booking transaction takes) serialises the count.
CREATE FUNCTION appointments_guard_capacity() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    v_capacity integer;
    v_seats    integer;
BEGIN
    IF NEW.session_key NOT LIKE 'g:%' OR NEW.status NOT IN ('held', 'pending', 'confirmed') THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.session_key = NEW.session_key AND OLD.status IN ('held', 'pending', 'confirmed') THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(NEW.instructor_id);
    SELECT capacity INTO v_capacity FROM appointment_types WHERE id = NEW.type_id;
    SELECT count(*) INTO v_seats FROM appointments
     WHERE session_key = NEW.session_key AND instructor_id = NEW.instructor_id AND id <> NEW.id
       AND status IN ('held', 'pending', 'confirmed');
    IF v_seats >= v_capacity THEN
        RAISE EXCEPTION 'the group session is full (% of % seats taken). Pick another time', v_seats, v_capacity
            USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER appointments_guard_capacity BEFORE INSERT OR UPDATE OF status, session_key ON appointments
    FOR EACH ROW EXECUTE FUNCTION appointments_guard_capacity();

CREATE INDEX appointments_session_key_idx ON appointments (session_key) WHERE session_key LIKE 'g:%';
CREATE INDEX booking_sessions_waitlist_idx ON booking_sessions (waitlist_id) WHERE waitlist_id IS NOT NULL;
CREATE INDEX appointment_waitlist_offer_idx ON appointment_waitlist (offer_expires_at) WHERE status = 'offered';
