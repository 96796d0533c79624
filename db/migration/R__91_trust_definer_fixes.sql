-- TEMPORARY: issue 12 fixes of definer functions, to move into the R files of issue 10 (branch mig) when it lands.

CREATE OR REPLACE FUNCTION booking_prepare(p_instructor bigint, p_now timestamptz)
    RETURNS TABLE (appointment_id bigint, type_id bigint, starts_at timestamptz, ends_at timestamptz,
                   student_id bigint, waitlist_id bigint)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    -- The caller's "now" only up to the database's clock (V61 app_clock, R app_trusted_now): nobody can move
    -- time forward to expire another student's live hold or a waitlist offer.
    v_now timestamptz := app_trusted_now(p_now);
    v_me bigint := app_current_user_id();
    v_full boolean := app_is_admin() OR v_me = p_instructor;
BEGIN
    IF v_me IS NULL THEN
        RETURN;  -- nobody acting: nothing swept, nothing reported
    END IF;
    PERFORM pg_advisory_xact_lock(p_instructor);
    IF NOT EXISTS (SELECT 1 FROM appointments h WHERE h.instructor_id = p_instructor AND h.status = 'held') THEN
        RETURN;
    END IF;
    RETURN QUERY
    WITH expired AS (
        UPDATE appointments a
           SET status = 'cancelled', cancelled_at = v_now, cancel_reason = 'hold expired'
          FROM booking_sessions b
         WHERE a.booking_session_id = b.id AND a.status = 'held' AND a.instructor_id = p_instructor
           AND b.expires_at <= v_now
        RETURNING a.id, a.type_id, a.starts_at, a.ends_at, a.student_id, b.id AS session_id, b.waitlist_id
    ), sessions AS (
        UPDATE booking_sessions b SET step = 'expired' FROM expired e WHERE b.id = e.session_id
    ), waiting AS (
        UPDATE appointment_waitlist w SET status = 'expired'
          FROM expired e WHERE w.id = e.waitlist_id AND w.status = 'offered'
    ), events AS (
        INSERT INTO appointment_events (appointment_id, at, actor_id, action, from_status, to_status, starts_at,
                                        ends_at, details)
        SELECT e.id, v_now, v_me, 'expire', 'held', 'cancelled', e.starts_at, e.ends_at,
               jsonb_build_object('hold_id', e.session_id)
        FROM expired e
    )
    -- The freed slot (type and times, as bare as availability_busy) goes to every caller, so the time can be
    -- offered to the waitlist; whose hold it was only to an administrator, the instructor or that student.
    SELECT CASE WHEN v_full OR e.student_id = v_me THEN e.id END, e.type_id, e.starts_at, e.ends_at,
           CASE WHEN v_full OR e.student_id = v_me THEN e.student_id END,
           CASE WHEN v_full OR e.student_id = v_me THEN e.waitlist_id END
      FROM expired e;
END $$;

CREATE OR REPLACE FUNCTION enqueue_appointment_notification_kinds(p_appointment bigint, p_kinds text[], p_now timestamptz,
                                                       p_note text DEFAULT NULL)
    RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    v_rows integer;
    v_now  timestamptz := app_trusted_now(p_now);
    v_me   bigint := app_current_user_id();
    v_kinds text[];
BEGIN
    -- Only the people of the appointment, or an administrator (the daemon, waitlist offers), write its
    -- outbox, and each only the kinds the CLI lets them cause: a student books, cancels and reschedules;
    -- the instructor also confirms, declines, completes and marks no-shows. Anyone else, or nobody,
    -- writes nothing (issue 12: a student queued "Pay the fee at ..." to other people).
    SELECT CASE WHEN app_is_admin() THEN ARRAY ['booked', 'confirmed', 'declined', 'rescheduled', 'cancelled',
                                                'completed', 'no_show', 'reminder', 'waitlist_offer']
                WHEN v_me = a.instructor_id THEN ARRAY ['booked', 'confirmed', 'declined', 'rescheduled', 'cancelled',
                                                        'completed', 'no_show', 'reminder']
                WHEN v_me = a.student_id THEN ARRAY ['booked', 'rescheduled', 'cancelled', 'reminder']
           END
      INTO v_kinds
      FROM appointments a WHERE a.id = p_appointment;
    IF v_me IS NULL OR v_kinds IS NULL THEN
        RETURN 0;
    END IF;
    IF NOT (p_kinds <@ v_kinds) THEN
        RAISE EXCEPTION 'you may not send % notifications about this appointment', array_to_string(p_kinds, ', ')
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    WITH appt AS (
        SELECT a.id, a.reference, a.student_id, a.instructor_id, a.starts_at, a.timezone, a.reschedule_count,
               t.name AS type_name, i.name AS instructor_name, st.name AS student_name,
               coalesce(s.channels, ARRAY ['email', 'in_app']) AS channels,
               coalesce(s.reminder_offsets, app_default_reminder_offsets()) AS offsets,
               to_char(a.starts_at AT TIME ZONE a.timezone, 'YYYY-MM-DD HH24:MI') AS local_start,
               to_char(a.ends_at AT TIME ZONE a.timezone, 'HH24:MI') AS local_end
        FROM appointments a
        JOIN appointment_types t ON t.id = a.type_id
        JOIN users i ON i.id = a.instructor_id
        JOIN users st ON st.id = a.student_id
        LEFT JOIN instructor_settings s ON s.instructor_id = a.instructor_id
        WHERE a.id = p_appointment
    ),
    addressed AS (
        SELECT appt.*, k.kind, k.kind_no, u.id AS recipient_id, c.channel, c.channel_no,
               CASE c.channel WHEN 'email' THEN u.email WHEN 'sms' THEN u.phone WHEN 'webhook' THEN 'webhook'
                              ELSE u.id::text END AS recipient
        FROM appt
        CROSS JOIN LATERAL unnest(p_kinds) WITH ORDINALITY k(kind, kind_no)
        JOIN users u ON u.id IN (appt.student_id, appt.instructor_id)
        CROSS JOIN LATERAL unnest(appt.channels) WITH ORDINALITY c(channel, channel_no)
        WHERE (k.kind <> 'waitlist_offer' OR u.id = appt.student_id)
          -- one webhook call per event, addressed to the instructor's row
          AND (c.channel <> 'webhook' OR u.id = appt.instructor_id OR k.kind = 'waitlist_offer')
    ),
    timed AS (
        SELECT a.*, o.off, o.off_no, a.starts_at - o.off AS due
        FROM addressed a CROSS JOIN LATERAL unnest(a.offsets) WITH ORDINALITY o(off, off_no)
        WHERE a.kind = 'reminder' AND a.starts_at - o.off > v_now
        UNION ALL
        SELECT a.*, interval '0', 0, v_now
        FROM addressed a
        WHERE a.kind <> 'reminder'
    )
    INSERT INTO appointment_notifications (appointment_id, recipient_id, kind, channel, recipient, subject, body,
                                           due_at, idempotency_key)
    SELECT id, recipient_id, kind, channel, recipient,
           left(format('%s: %s with %s, %s', initcap(replace(kind, '_', ' ')), type_name, instructor_name, local_start), 500),
           left(format(E'%s\nAppointment %s: %s with %s for %s\nWhen: %s to %s (%s)%s',
                       CASE kind
                           WHEN 'booked' THEN 'Your appointment is booked.'
                           WHEN 'confirmed' THEN 'Your appointment is confirmed.'
                           WHEN 'declined' THEN 'Your appointment request was declined.'
                           WHEN 'rescheduled' THEN 'Your appointment has moved to a new time.'
                           WHEN 'cancelled' THEN 'Your appointment is cancelled.'
                           WHEN 'completed' THEN 'Your appointment is completed.'
                           WHEN 'no_show' THEN 'The appointment was marked as missed.'
                           WHEN 'reminder' THEN format('Reminder: your appointment starts in %s.', off)
                           WHEN 'waitlist_offer' THEN 'A time you waited for is free and held for you.'
                       END,
                       reference, type_name, instructor_name, student_name, local_start, local_end, timezone,
                       CASE WHEN p_note IS NULL THEN '' ELSE E'\n' || p_note END), 20000),
           due,
           reference || ':' || kind || ':' || channel || ':' || recipient_id || ':' || extract(epoch FROM off)::bigint
               || CASE WHEN kind = 'reminder' THEN '' ELSE '#' || reschedule_count END
    FROM timed
    WHERE recipient IS NOT NULL
    -- kinds in the order given, the student before the instructor, channels and offsets in their settings' order
    ORDER BY kind_no, recipient_id <> student_id, channel_no, off_no
    ON CONFLICT (idempotency_key) DO NOTHING;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END $$;

CREATE OR REPLACE FUNCTION instructor_available_minutes(p_instructor bigint, p_day date) RETURNS integer
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    WITH zone AS (
        SELECT timezone AS tz FROM users WHERE id = p_instructor
          -- analytics: an administrator's (recompute) or the instructor's own, nobody else's
          AND (app_is_admin() OR p_instructor = app_current_user_id())
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

CREATE OR REPLACE FUNCTION booking_type_rules(p_type bigint)
    RETURNS TABLE (type_slug text, capacity integer, requires_confirmation boolean, auto_confirm boolean,
                   cancel_policy text, reschedule_policy text, instructor_zone text, buffer_before interval,
                   buffer_after interval)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    -- plpgsql so the plan is cached: appointment lists call this once per row
    RETURN QUERY
    SELECT t.slug, t.capacity, t.requires_confirmation, coalesce(s.auto_confirm, true),
           coalesce(t.cancel_policy, s.cancel_policy), coalesce(t.reschedule_policy, s.reschedule_policy),
           u.timezone, coalesce(t.buffer_before, s.buffer_before, interval '0')::interval,
           coalesce(t.buffer_after, s.buffer_after, interval '0')::interval
      FROM appointment_types t
      JOIN users u ON u.id = t.instructor_id
      LEFT JOIN instructor_settings s ON s.instructor_id = t.instructor_id
     WHERE t.id = p_type
       -- what the caller may see of the type (the appointment_types_read policy), or a type of their own
       -- appointment; nobody acting sees nothing
       AND app_current_user_id() IS NOT NULL
       AND (app_is_admin() OR t.instructor_id = app_current_user_id() OR t.archived_at IS NULL
            OR EXISTS (SELECT 1 FROM appointments a WHERE a.type_id = t.id AND a.student_id = app_current_user_id()));
END $$;

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

CREATE OR REPLACE FUNCTION check_instructor_availability_comprehensive(
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
    IF app_current_user_id() IS NULL THEN
        RETURN;  -- nobody acting: nothing (issue 12)
    END IF;
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

CREATE OR REPLACE FUNCTION resolve_actor(ident text) RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    found_id bigint;
    me bigint := app_current_user_id();
BEGIN
    IF ident ~ '^[0-9]{1,18}$' THEN
        SELECT u.id INTO found_id FROM users u WHERE u.active AND u.id = ident::bigint;
    ELSE
        SELECT u.id INTO found_id FROM users u WHERE u.active AND lower(u.email) = lower(ident);
    END IF;
    -- With no acting user this is how --as and SCHEDCTL_USER are resolved (Database.actAs), so it answers. With
    -- one, it answers only for a user the caller may see (the users_read policy): themselves, any instructor,
    -- their own students for an instructor, anyone for an administrator.
    IF me IS NOT NULL AND found_id IS NOT NULL AND found_id <> me AND NOT app_is_admin()
       AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = found_id AND u.role = 'instructor')
       AND NOT (app_is_instructor() AND app_instructor_has_student(found_id)) THEN
        RETURN NULL;
    END IF;
    RETURN found_id;
END $$;

CREATE OR REPLACE FUNCTION builtin_admin_id() RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    -- The default acting user, resolved before anyone acts (no acting user); an administrator may ask too.
    SELECT id FROM users WHERE is_builtin AND (app_current_user_id() IS NULL OR app_is_admin()) ORDER BY id LIMIT 1
$$;

