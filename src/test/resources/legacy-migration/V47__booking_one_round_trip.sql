-- schedctl V47: a booking in one round trip, and cheaper functions on its path.
--
-- `book` used to make about sixteen round trips (name lookups, rules, lock and sweep, idempotency lookup, the
-- availability check, the insert, history and outbox, a re-read of the new row). book_appointment does all of
-- it in one call, with the same rules and the same refusals, and returns the booked row or why it refused.
-- The other functions here keep their signatures and results; they only stop re-planning on every call.

-- ---------------------------------------------------------------------------------------------------------
-- Cheaper helpers on the booking path (same signatures, same results).
-- ---------------------------------------------------------------------------------------------------------

-- The body calls extract(epoch FROM timestamptz), which PostgreSQL marks STABLE; a function declared IMMUTABLE
-- around a STABLE body is never inlined, so every call was planned anew (≈ 30 µs, twice per booking). Declared
-- STABLE it is inlined into the calling statement. The epoch of an instant does not depend on any setting.
CREATE OR REPLACE FUNCTION appointment_session_key(p_type bigint, p_capacity integer, p_start timestamptz) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN p_capacity > 1 THEN 'g:' || p_type::text || ':' || extract(epoch FROM p_start)::bigint::text END
$$;

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

-- Every transaction calls this (Database.actAs). The sql version was planned on every call, and its CASE in the
-- WHERE clause kept the planner from the email index (a scan of all users). Same answers: an active user by id
-- (all digits) or by email, case-insensitively, else NULL.
CREATE OR REPLACE FUNCTION resolve_actor(ident text) RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    found_id bigint;
BEGIN
    IF ident ~ '^[0-9]{1,18}$' THEN
        SELECT u.id INTO found_id FROM users u WHERE u.active AND u.id = ident::bigint;
    ELSE
        SELECT u.id INTO found_id FROM users u WHERE u.active AND lower(u.email) = lower(ident);
    END IF;
    RETURN found_id;
END $$;

-- The same eight characters from the same eight random bytes, built in one expression instead of eight loop
-- iterations.
CREATE OR REPLACE FUNCTION generate_booking_reference() RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    alphabet constant text := 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    b bytea;
    ref text;
BEGIN
    LOOP
        b := uuid_send(gen_random_uuid());
        ref := substr(alphabet, get_byte(b, 0) % 32 + 1, 1) || substr(alphabet, get_byte(b, 1) % 32 + 1, 1)
            || substr(alphabet, get_byte(b, 2) % 32 + 1, 1) || substr(alphabet, get_byte(b, 3) % 32 + 1, 1)
            || substr(alphabet, get_byte(b, 4) % 32 + 1, 1) || substr(alphabet, get_byte(b, 5) % 32 + 1, 1)
            || substr(alphabet, get_byte(b, 6) % 32 + 1, 1) || substr(alphabet, get_byte(b, 7) % 32 + 1, 1);
        EXIT WHEN NOT EXISTS (SELECT 1 FROM appointments WHERE reference = ref);
    END LOOP;
    RETURN ref;
END $$;

-- As in V22, plus a shortcut: an instructor without any held appointment has nothing to sweep, which one probe
-- of appointments_held_idx tells, so the four-statement sweep runs only when there is a hold.
CREATE OR REPLACE FUNCTION booking_prepare(p_instructor bigint, p_now timestamptz)
    RETURNS TABLE (appointment_id bigint, type_id bigint, starts_at timestamptz, ends_at timestamptz,
                   student_id bigint, waitlist_id bigint)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
#variable_conflict use_column
BEGIN
    PERFORM pg_advisory_xact_lock(p_instructor);
    IF NOT EXISTS (SELECT 1 FROM appointments h WHERE h.instructor_id = p_instructor AND h.status = 'held') THEN
        RETURN;
    END IF;
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

-- The outbox rows of several events of one appointment in one statement (V21's rows, to the character): the
-- booking writes 'booked' and the reminders, which were two calls of V21's function, each with its own lookup of
-- the appointment, its people and settings. The local start and end are formatted once, not once per row.
CREATE FUNCTION enqueue_appointment_notification_kinds(p_appointment bigint, p_kinds text[], p_now timestamptz,
                                                       p_note text DEFAULT NULL)
    RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    v_rows integer;
BEGIN
    WITH appt AS (
        SELECT a.id, a.reference, a.student_id, a.instructor_id, a.starts_at, a.timezone, a.reschedule_count,
               t.name AS type_name, i.name AS instructor_name, st.name AS student_name,
               coalesce(s.channels, ARRAY ['email', 'in_app']) AS channels,
               coalesce(s.reminder_offsets, ARRAY [interval '24 hours', interval '1 hour', interval '15 minutes']) AS offsets,
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
        WHERE a.kind = 'reminder' AND a.starts_at - o.off > p_now
        UNION ALL
        SELECT a.*, interval '0', 0, p_now
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

-- V21's function, now one kind through the statement above, so the messages live in one place.
CREATE OR REPLACE FUNCTION enqueue_appointment_notifications(p_appointment bigint, p_kind text, p_now timestamptz,
                                                             p_note text DEFAULT NULL)
    RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN enqueue_appointment_notification_kinds(p_appointment, ARRAY [p_kind], p_now, p_note);
END $$;

-- ---------------------------------------------------------------------------------------------------------
-- The booking itself.
-- ---------------------------------------------------------------------------------------------------------

-- Books one slot, as BookingService.book did statement by statement, in one call:
--   1. names: the instructor, the type and the student by id (all digits) or email/slug, read as the acting user
--      (SECURITY INVOKER: row-level security decides what they may see and write, exactly as for the lookups
--      this replaces); the time is p_start, or p_local read in the instructor's zone;
--   2. the same student as instructor and a time not after p_now are refused before anything is locked;
--   3. booking_prepare: the instructor's advisory lock and the sweep of expired holds (the freed slots are
--      returned, for the waitlist offer after commit);
--   4. an existing appointment with p_idempotency_key is returned as it is (the caller decides whether the
--      request matches it);
--   5. check_instructor_availability_comprehensive; a refusal returns its reason and message;
--   6. the appointment (confirmed, or pending when the type needs confirmation or the instructor does not
--      auto-confirm), its history row and its outbox rows ('booked' and the reminders).
-- One row: outcome is one of unknown_instructor, not_instructor (user_email, user_role), unknown_type,
-- type_not_offered (type_slug, user_email), archived (type_slug), unknown_student, and, once the names are
-- known (request_instructor_id, request_type_id, request_student_id, request_start and the instructor's zone
-- are set): same_user, in_past, unavailable (reason, message), existing or booked (with the appointment's
-- columns as AppointmentDao.SELECT_ROW reads them).
-- Nothing is written unless the outcome is booked (or existing after a sweep); the caller rolls back otherwise.
CREATE FUNCTION book_appointment(p_instructor text, p_type text, p_student text, p_start timestamptz,
                                 p_local timestamp, p_notes text, p_idempotency_key text, p_now timestamptz)
    RETURNS TABLE (outcome text, reason text, message text, user_email text, user_role text, zone text,
                   request_instructor_id bigint, request_type_id bigint, request_student_id bigint,
                   request_start timestamptz,
                   freed_type_ids bigint[], freed_starts timestamptz[], freed_ends timestamptz[],
                   id bigint, reference text, status text, instructor_id bigint, student_id bigint, type_id bigint,
                   instructor_email text, student_email text, type_slug text, starts_at timestamptz,
                   ends_at timestamptz, timezone text, price numeric, currency text, fee numeric, fee_waived boolean,
                   created_at timestamptz, booking_session_id bigint, hold_expires_at timestamptz, hold_step text,
                   waitlist_id bigint, reschedule_count integer, notes text, rating integer, cancel_reason text,
                   idempotency_key text, capacity integer, requires_confirmation boolean, auto_confirm boolean,
                   cancel_policy text, reschedule_policy text)
    LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    v_i        record;
    v_t        record;
    v_s        record;
    v_rules    record;
    v_check    record;
    v_start    timestamptz;
    v_end      timestamptz;
    v_status   text;
    v_id       bigint;
BEGIN
    -- 1. names, in the order of the lookups they replace (the first unknown one is reported)
    IF p_instructor ~ '^[0-9]{1,18}$' THEN
        SELECT u.id, u.email, u.role, u.timezone INTO v_i FROM users u WHERE u.id = p_instructor::bigint;
    ELSE
        SELECT u.id, u.email, u.role, u.timezone INTO v_i FROM users u WHERE lower(u.email) = lower(p_instructor);
    END IF;
    IF v_i.id IS NULL THEN
        outcome := 'unknown_instructor';
        RETURN NEXT;
        RETURN;
    END IF;
    IF v_i.role <> 'instructor' THEN
        outcome := 'not_instructor';
        user_email := v_i.email;
        user_role := v_i.role;
        RETURN NEXT;
        RETURN;
    END IF;
    IF p_type ~ '^[0-9]{1,18}$' THEN
        SELECT t.id, t.instructor_id, t.slug, t.duration, t.price, t.currency, t.capacity, t.archived_at
          INTO v_t FROM appointment_types t WHERE t.id = p_type::bigint;
    ELSE
        SELECT t.id, t.instructor_id, t.slug, t.duration, t.price, t.currency, t.capacity, t.archived_at
          INTO v_t FROM appointment_types t WHERE t.slug = lower(p_type);
    END IF;
    IF v_t.id IS NULL THEN
        outcome := 'unknown_type';
        RETURN NEXT;
        RETURN;
    END IF;
    IF v_t.instructor_id <> v_i.id THEN
        outcome := 'type_not_offered';
        type_slug := v_t.slug;
        user_email := v_i.email;
        RETURN NEXT;
        RETURN;
    END IF;
    IF v_t.archived_at IS NOT NULL THEN
        outcome := 'archived';
        type_slug := v_t.slug;
        RETURN NEXT;
        RETURN;
    END IF;
    IF p_student ~ '^[0-9]{1,18}$' THEN
        SELECT u.id, u.email INTO v_s FROM users u WHERE u.id = p_student::bigint;
    ELSE
        SELECT u.id, u.email INTO v_s FROM users u WHERE lower(u.email) = lower(p_student);
    END IF;
    IF v_s.id IS NULL THEN
        outcome := 'unknown_student';
        RETURN NEXT;
        RETURN;
    END IF;

    v_start := coalesce(p_start, local_to_instant(p_local, v_i.timezone));
    v_end := v_start + v_t.duration;
    request_instructor_id := v_i.id;
    request_type_id := v_t.id;
    request_student_id := v_s.id;
    request_start := v_start;
    zone := v_i.timezone;

    -- 2. refused before anything is locked
    IF v_i.id = v_s.id THEN
        outcome := 'same_user';
        RETURN NEXT;
        RETURN;
    END IF;
    IF v_start <= p_now THEN
        outcome := 'in_past';
        RETURN NEXT;
        RETURN;
    END IF;

    -- 3. the instructor's lock, and the holds that ran out
    SELECT array_agg(f.type_id ORDER BY f.appointment_id), array_agg(f.starts_at ORDER BY f.appointment_id),
           array_agg(f.ends_at ORDER BY f.appointment_id)
      INTO freed_type_ids, freed_starts, freed_ends
      FROM booking_prepare(v_i.id, p_now) f;

    -- 4. a retried request
    IF p_idempotency_key IS NOT NULL THEN
        SELECT a.id, a.reference, a.status, a.instructor_id, a.student_id, a.type_id, i.email, s.email, r.type_slug,
               a.starts_at, a.ends_at, a.timezone, a.price, a.currency, a.fee, a.fee_waived, a.created_at,
               a.booking_session_id, b.expires_at, b.step, b.waitlist_id, a.reschedule_count, a.notes, a.rating,
               a.cancel_reason, a.idempotency_key, r.capacity, r.requires_confirmation, r.auto_confirm,
               r.cancel_policy, r.reschedule_policy
          INTO id, reference, status, instructor_id, student_id, type_id, instructor_email, student_email, type_slug,
               starts_at, ends_at, timezone, price, currency, fee, fee_waived, created_at,
               booking_session_id, hold_expires_at, hold_step, waitlist_id, reschedule_count, notes, rating,
               cancel_reason, idempotency_key, capacity, requires_confirmation, auto_confirm,
               cancel_policy, reschedule_policy
          FROM appointments a
          JOIN users i ON i.id = a.instructor_id
          JOIN users s ON s.id = a.student_id
          CROSS JOIN LATERAL booking_type_rules(a.type_id) r
          LEFT JOIN booking_sessions b ON b.id = a.booking_session_id
         WHERE a.idempotency_key = p_idempotency_key;
        IF FOUND THEN
            outcome := 'existing';
            RETURN NEXT;
            RETURN;
        END IF;
    END IF;

    -- 5. the rules of the instructor's time
    SELECT c.ok, c.reason, c.message INTO v_check
      FROM check_instructor_availability_comprehensive(v_i.id, v_t.id, v_start, v_end, NULL, p_now) c;
    IF NOT v_check.ok THEN
        outcome := 'unavailable';
        reason := v_check.reason;
        message := v_check.message;
        RETURN NEXT;
        RETURN;
    END IF;

    -- 6. the booking, its history and its outbox
    SELECT r.auto_confirm, r.requires_confirmation, r.buffer_before, r.buffer_after, r.cancel_policy,
           r.reschedule_policy
      INTO v_rules FROM booking_type_rules(v_t.id) r;
    v_status := CASE WHEN v_rules.requires_confirmation OR NOT v_rules.auto_confirm THEN 'pending' ELSE 'confirmed' END;
    INSERT INTO appointments AS a (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone,
                                   buffer_before, buffer_after, session_key, price, currency, notes, idempotency_key,
                                   confirmed_at)
    VALUES (v_i.id, v_s.id, v_t.id, v_status, v_start, v_end, v_i.timezone, v_rules.buffer_before,
            v_rules.buffer_after, appointment_session_key(v_t.id, v_t.capacity, v_start), v_t.price, v_t.currency,
            p_notes, p_idempotency_key, CASE WHEN v_status = 'confirmed' THEN p_now END)
    RETURNING a.id, a.reference, a.created_at INTO v_id, reference, created_at;
    INSERT INTO appointment_events (appointment_id, at, actor_id, action, from_status, to_status, starts_at, ends_at,
                                    details)
    VALUES (v_id, p_now, app_current_user_id(), 'book', NULL, v_status, v_start, v_end,
            CASE WHEN p_idempotency_key IS NULL THEN '{}'::jsonb
                 ELSE jsonb_build_object('idempotency_key', p_idempotency_key) END);
    PERFORM enqueue_appointment_notification_kinds(v_id, ARRAY ['booked', 'reminder'], p_now, NULL);

    outcome := 'booked';
    id := v_id;
    status := v_status;
    instructor_id := v_i.id;
    student_id := v_s.id;
    type_id := v_t.id;
    starts_at := v_start;
    instructor_email := v_i.email;
    student_email := v_s.email;
    type_slug := v_t.slug;
    ends_at := v_end;
    timezone := v_i.timezone;
    price := v_t.price;
    currency := v_t.currency;
    fee_waived := false;
    reschedule_count := 0;
    notes := p_notes;
    idempotency_key := p_idempotency_key;
    capacity := v_t.capacity;
    requires_confirmation := v_rules.requires_confirmation;
    auto_confirm := v_rules.auto_confirm;
    cancel_policy := v_rules.cancel_policy;
    reschedule_policy := v_rules.reschedule_policy;
    RETURN NEXT;
END $$;
