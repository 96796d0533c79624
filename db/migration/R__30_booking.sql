-- schedctl R__30: booking references, the availability check that guards every booking, the status and capacity
-- guards, the start of every booking transaction (lock and sweep) and the one-round-trip book_appointment.
--
-- A repeatable migration: Flyway runs it after the versioned ones whenever its text changes, so it holds the one
-- live definition of each object and is edited in place (CREATE OR REPLACE FUNCTION; DROP ... IF EXISTS then
-- CREATE for triggers and policies). Versioned files hold structure only and never call what is defined here.

CREATE OR REPLACE FUNCTION appointments_derive() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    -- An inverted range is left empty so that the CHECK on ends_at > starts_at reports it, not tstzrange().
    NEW.blocked := CASE WHEN NEW.ends_at > NEW.starts_at
                        THEN tstzrange(NEW.starts_at - NEW.buffer_before, NEW.ends_at + NEW.buffer_after, '[)')
                        ELSE 'empty' END;
    IF NEW.session_key IS NULL THEN
        NEW.session_key := 'a:' || NEW.id;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END $$;

-- Active appointments that occupy the instructor's time. A hold whose booking session has expired no longer
-- counts, even before the sweep has cancelled it.
CREATE OR REPLACE FUNCTION appointment_occupies(p_status text, p_session bigint, p_now timestamptz) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT p_status IN ('pending', 'confirmed')
        OR (p_status = 'held' AND NOT EXISTS (SELECT 1 FROM booking_sessions b
                                              WHERE b.id = p_session AND b.expires_at <= p_now))
$$;

-- THE guard. May the instructor be booked for this type over [p_start, p_end)? One row: ok, a lower-case reason
-- code and a one-line message ("what is wrong. How to fix it"). Reason codes: ok, unknown_type, archived,
-- in_past, too_soon, too_far, vacation, blackout, outside_availability, misaligned, taken, day_full,
-- too_many_consecutive. The rules:
--   * the start is after now, at least the minimum notice ahead and at most the maximum advance ahead;
--   * the buffered interval [start - buffer_before, end + buffer_after) lies inside one free window
--     (instructor_free_time), not in a vacation or blackout;
--   * the start lies on the window's grid: window start (availability_window_start) + k * slot step;
--   * 'taken': the buffered interval overlaps an active appointment's blocked range (other than
--     p_exclude_appointment); a hold whose booking session has expired does not count; seats of the same group
--     session (capacity > 1) do not count while seats remain;
--   * max_daily counts sessions (a group session once) starting on the same local date in the instructor's
--     zone; joining an existing group session adds none;
--   * max_consecutive: the chain of sessions whose blocked ranges touch or overlap, including the new one, must
--     not exceed it; joining an existing group session adds none.
CREATE OR REPLACE FUNCTION check_instructor_availability_comprehensive(
    p_instructor bigint, p_type bigint, p_start timestamptz, p_end timestamptz,
    p_exclude_appointment bigint DEFAULT NULL, p_now timestamptz DEFAULT now())
    RETURNS TABLE (ok boolean, reason text, message text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    r           record;
    v_need      tstzrange;
    v_time      record;
    v_window    tstzrange;
    v_anchor    timestamptz;
    v_key       text;
    v_seats     integer;
    v_joins     boolean := false;
    v_count     integer;
    v_local_day date;
BEGIN
    p_now := app_trusted_now(p_now);  -- the database's clock, not the caller's (issue 12)
    IF app_current_user_id() IS NULL THEN
        RETURN;  -- nobody acting: nothing (issue 12)
    END IF;
    SELECT * INTO r FROM appointment_type_rules(p_type) x WHERE x.instructor_id = p_instructor;
    IF NOT FOUND THEN
        RETURN QUERY SELECT false, 'unknown_type', 'this appointment type is not offered by this instructor. See `schedctl type list --instructor USER`';
        RETURN;
    END IF;
    IF r.archived THEN
        RETURN QUERY SELECT false, 'archived', format('appointment type %s is archived and takes no new bookings. Pick another type', r.slug);
        RETURN;
    END IF;

    IF p_start <= p_now THEN
        RETURN QUERY SELECT false, 'in_past', format('the time %s is in the past. Pick a future time', local_text(p_start, r.zone));
        RETURN;
    END IF;
    IF p_start < p_now + r.min_notice_s THEN
        RETURN QUERY SELECT false, 'too_soon', format('the time is inside the minimum notice of %s. Book at %s or later',
                                                      r.min_notice, local_text(p_now + r.min_notice_s, r.zone));
        RETURN;
    END IF;
    IF p_start > p_now + r.max_advance_s THEN
        RETURN QUERY SELECT false, 'too_far', format('the time is more than %s ahead, beyond the booking window. Book before %s',
                                                     r.max_advance, local_text(p_now + r.max_advance_s, r.zone));
        RETURN;
    END IF;

    v_need := tstzrange(p_start - r.buffer_before_s, p_end + r.buffer_after_s, '[)');
    SELECT * INTO v_time
    FROM instructor_free_time(ARRAY[p_instructor], ARRAY[p_type], lower(v_need) - interval '24 hours',
                              upper(v_need) + interval '24 hours');
    IF v_time.vacation && v_need THEN
        RETURN QUERY SELECT false, 'vacation', 'the instructor is on vacation then. Pick a time outside the vacation';
        RETURN;
    END IF;
    IF v_time.blackout && v_need THEN
        RETURN QUERY SELECT false, 'blackout', 'the instructor has blocked that time. Pick another time';
        RETURN;
    END IF;
    SELECT w INTO v_window FROM unnest(v_time.free) w WHERE w @> v_need;
    IF v_window IS NULL THEN
        RETURN QUERY SELECT false, 'outside_availability',
            CASE WHEN r.buffer_before_s > interval '0' OR r.buffer_after_s > interval '0'
                 THEN format('the time (with buffers of %s before and %s after) is outside the instructor''s availability. See `schedctl availability slots`', r.buffer_before, r.buffer_after)
                 ELSE 'the time is outside the instructor''s availability. See `schedctl availability slots`' END;
        RETURN;
    END IF;
    v_anchor := CASE WHEN lower(v_window) <= lower(v_need) - interval '24 hours'
                     THEN availability_window_start(p_instructor, p_type, lower(v_window)) ELSE lower(v_window) END;
    IF extract(epoch FROM (p_start - v_anchor)) % extract(epoch FROM r.slot_step_s) <> 0 THEN
        RETURN QUERY SELECT false, 'misaligned', format('the time is not on the slot grid (every %s from %s). See `schedctl availability slots`',
                                                        r.slot_step, local_text(v_anchor, r.zone));
        RETURN;
    END IF;

    v_key := appointment_session_key(r.type_id, r.capacity, p_start);
    IF v_key IS NOT NULL THEN
        SELECT count(*) INTO v_seats FROM appointments a
         WHERE a.instructor_id = p_instructor AND a.session_key = v_key
           AND a.status IN ('held', 'pending', 'confirmed')
           AND a.id IS DISTINCT FROM p_exclude_appointment
           AND appointment_occupies(a.status, a.booking_session_id, p_now);
        IF v_seats >= r.capacity THEN
            RETURN QUERY SELECT false, 'taken', format('the group session is full (%s of %s seats taken). Pick another time', v_seats, r.capacity);
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

    IF r.max_daily IS NOT NULL AND NOT v_joins THEN
        v_local_day := (p_start AT TIME ZONE r.zone)::date;
        SELECT count(DISTINCT a.session_key) INTO v_count FROM appointments a
         WHERE a.instructor_id = p_instructor
           AND a.starts_at >= local_to_instant(v_local_day::timestamp, r.zone)
           AND a.starts_at < local_to_instant((v_local_day + 1)::timestamp, r.zone)
           AND a.status IN ('held', 'pending', 'confirmed')
           AND a.id IS DISTINCT FROM p_exclude_appointment
           AND appointment_occupies(a.status, a.booking_session_id, p_now);
        IF v_count >= r.max_daily THEN
            RETURN QUERY SELECT false, 'day_full', format('the instructor already has %s sessions on %s, the daily maximum. Pick another day',
                                                          v_count, v_local_day);
            RETURN;
        END IF;
    END IF;

    IF r.max_consecutive IS NOT NULL AND NOT v_joins THEN
        WITH busy AS (
            SELECT a.blocked, a.session_key FROM appointments a
             WHERE a.instructor_id = p_instructor
               AND a.blocked && tstzrange(lower(v_need) - interval '192 hours', upper(v_need) + interval '192 hours')
               AND a.status IN ('held', 'pending', 'confirmed')
               AND a.id IS DISTINCT FROM p_exclude_appointment
               AND appointment_occupies(a.status, a.booking_session_id, p_now)
        ), chain AS (
            SELECT c FROM unnest((SELECT range_agg(x.r) FROM (SELECT blocked AS r FROM busy UNION ALL SELECT v_need) x)) c
             WHERE c @> v_need
        )
        SELECT count(DISTINCT busy.session_key) + 1 INTO v_count FROM busy, chain WHERE busy.blocked <@ chain.c;
        IF v_count > r.max_consecutive THEN
            RETURN QUERY SELECT false, 'too_many_consecutive',
                format('this would make %s sessions in a row; the instructor allows at most %s. Leave a gap', v_count, r.max_consecutive);
            RETURN;
        END IF;
    END IF;

    RETURN QUERY SELECT true, 'ok', 'available';
END $$;

-- Defence in depth for the state machine of BookingLifecycle (AppointmentStatus.successors): no writer can move
-- an appointment between states that the domain does not allow.
CREATE OR REPLACE FUNCTION appointments_guard_status() RETURNS trigger
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

-- Never more active seats in a group session than the type's capacity, for every writer: the per-instructor
-- advisory lock (the same one the booking transaction takes) serialises the count.
CREATE OR REPLACE FUNCTION appointments_guard_capacity() RETURNS trigger
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

CREATE OR REPLACE FUNCTION booking_type_rules(p_type bigint)
    RETURNS TABLE (type_slug text, capacity integer, requires_confirmation boolean, auto_confirm boolean,
                   cancel_policy text, reschedule_policy text, instructor_zone text, buffer_before interval,
                   buffer_after interval)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    -- plpgsql so the plan is cached: appointment lists call this once per row
    RETURN QUERY
    -- the effective rules and their defaults come from appointment_type_rules (R__25), the one place they live
    SELECT r.slug, r.capacity, r.requires_confirmation, r.auto_confirm, r.cancel_policy, r.reschedule_policy,
           r.zone, r.buffer_before, r.buffer_after
      FROM appointment_type_rules(p_type) r
      JOIN appointment_types t ON t.id = r.type_id
     -- what the caller may see of the type (the appointment_types_read policy), or a type of their own
     -- appointment; nobody acting sees nothing
     WHERE app_current_user_id() IS NOT NULL
       AND (app_is_admin() OR t.instructor_id = app_current_user_id() OR t.archived_at IS NULL
            OR EXISTS (SELECT 1 FROM appointments a WHERE a.type_id = t.id AND a.student_id = app_current_user_id()));
END $$;

-- The body calls extract(epoch FROM timestamptz), which PostgreSQL marks STABLE; a function declared IMMUTABLE
-- around a STABLE body is never inlined, so every call was planned anew (≈ 30 µs, twice per booking). Declared
-- STABLE it is inlined into the calling statement. The epoch of an instant does not depend on any setting.
CREATE OR REPLACE FUNCTION appointment_session_key(p_type bigint, p_capacity integer, p_start timestamptz) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN p_capacity > 1 THEN 'g:' || p_type::text || ':' || extract(epoch FROM p_start)::bigint::text END
$$;

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
ALTER TABLE appointments ALTER COLUMN reference SET DEFAULT generate_booking_reference();

-- Takes the per-instructor transaction lock that serialises every booking decision of that instructor (so
-- max-daily, max-consecutive and group capacity cannot be raced), then cancels that instructor's holds whose
-- booking session has expired (history action 'expire'; an offered waitlist entry becomes 'expired'). Returns
-- the slots it freed, so the caller can offer them to the waitlist. One round trip. An instructor without any
-- held appointment has nothing to sweep, which one probe of appointments_held_idx tells, so the four-statement
-- sweep runs only when there is a hold.
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
CREATE OR REPLACE FUNCTION book_appointment(p_instructor text, p_type text, p_student text, p_start timestamptz,
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
    SELECT u.id, u.email, u.role, u.timezone INTO v_i FROM users u WHERE u.id = resolve_name('user', p_instructor);
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
    SELECT t.id, t.instructor_id, t.slug, t.duration, t.price, t.currency, t.capacity, t.archived_at
      INTO v_t FROM appointment_types t WHERE t.id = resolve_name('type', p_type);
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
    SELECT u.id, u.email INTO v_s FROM users u WHERE u.id = resolve_name('user', p_student);
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

-- Triggers
DROP TRIGGER IF EXISTS appointments_derive ON appointments;
CREATE TRIGGER appointments_derive BEFORE INSERT OR UPDATE ON appointments
    FOR EACH ROW EXECUTE FUNCTION appointments_derive();

DROP TRIGGER IF EXISTS appointments_guard_status ON appointments;
CREATE TRIGGER appointments_guard_status BEFORE UPDATE OF status ON appointments
    FOR EACH ROW EXECUTE FUNCTION appointments_guard_status();

DROP TRIGGER IF EXISTS appointments_guard_capacity ON appointments;
CREATE TRIGGER appointments_guard_capacity BEFORE INSERT OR UPDATE OF status, session_key ON appointments
    FOR EACH ROW EXECUTE FUNCTION appointments_guard_capacity();

-- Issue 12, the trust boundary: no EXECUTE for PUBLIC on a SECURITY DEFINER function; the runtime role gets it
-- only where the application, a policy or an invoker function calls it (DefinerCatalogIT checks the catalog).
REVOKE EXECUTE ON FUNCTION appointment_occupies(text, bigint, timestamptz) FROM PUBLIC, schedctl_app;
REVOKE EXECUTE ON FUNCTION appointments_guard_capacity() FROM PUBLIC, schedctl_app;
REVOKE EXECUTE ON FUNCTION generate_booking_reference() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION generate_booking_reference() TO schedctl_app;
REVOKE EXECUTE ON FUNCTION booking_prepare(bigint, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION booking_prepare(bigint, timestamptz) TO schedctl_app;
REVOKE EXECUTE ON FUNCTION booking_type_rules(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION booking_type_rules(bigint) TO schedctl_app;
REVOKE EXECUTE ON FUNCTION check_instructor_availability_comprehensive(bigint, bigint, timestamptz, timestamptz, bigint, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION check_instructor_availability_comprehensive(bigint, bigint, timestamptz, timestamptz, bigint, timestamptz) TO schedctl_app;
