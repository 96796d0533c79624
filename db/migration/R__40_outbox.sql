-- schedctl R__40: the booking side of the notification outbox.
--
-- A repeatable migration: Flyway runs it after the versioned ones whenever its text changes, so it holds the one
-- live definition of each object and is edited in place (CREATE OR REPLACE FUNCTION; DROP ... IF EXISTS then
-- CREATE for triggers and policies). Versioned files hold structure only and never call what is defined here.

-- Without a SET clause, so the planner inlines it into the query that calls it (a SET clause would make every
-- call a separate planned function call, about a millisecond per booking); it names only pg_catalog objects.
CREATE OR REPLACE FUNCTION app_default_reminder_offsets()
    RETURNS interval[]
    LANGUAGE sql STABLE
AS $$
    SELECT coalesce(nullif(pg_catalog.current_setting('app.reminder_offsets', true), '')::interval[],
                    ARRAY [interval '24 hours', interval '1 hour', interval '15 minutes'])
$$;

-- The outbox rows of several events of one appointment in one statement, e.g. 'booked' and the reminders of a
-- booking. Recipients: the student and the instructor (a waitlist offer only the student), per channel of the
-- instructor; the webhook gets one row per event. Reminders use the instructor's offsets, or for an instructor
-- without offsets of their own (or without a settings row) the school's default (app_default_reminder_offsets).
-- Idempotency keys are REF:KIND:CHANNEL:RECIPIENT_ID:OFFSET_SECONDS (events add #RESCHEDULE_COUNT), so a repeated
-- call writes nothing twice. Returns the number of rows written. Booking (book_appointment) and rescheduling
-- (kinds 'rescheduled' and 'reminder') write their reminders through it.
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
                WHEN app_acts_for(a.student_id) THEN ARRAY ['booked', 'rescheduled', 'cancelled', 'reminder']
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
               CASE c.channel WHEN 'email' THEN u.email WHEN 'sms' THEN coalesce(u.phone, CASE WHEN u.phone_sealed IS NOT NULL THEN '(encrypted phone)' END) WHEN 'webhook' THEN 'webhook'
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

-- Writes the outbox rows of one event of an appointment: p_kind is 'booked', 'confirmed', 'declined',
-- 'rescheduled', 'cancelled', 'completed', 'no_show', 'waitlist_offer' (due now), or 'reminder' (one row per
-- reminder offset, due that long before the start, skipping those already past). One kind through the function
-- above, so the messages live in one place.
CREATE OR REPLACE FUNCTION enqueue_appointment_notifications(p_appointment bigint, p_kind text, p_now timestamptz,
                                                             p_note text DEFAULT NULL)
    RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN enqueue_appointment_notification_kinds(p_appointment, ARRAY [p_kind], p_now, p_note);
END $$;

-- Issue 12, the trust boundary: no EXECUTE for PUBLIC on a SECURITY DEFINER function; the runtime role gets it
-- only where the application, a policy or an invoker function calls it (DefinerCatalogIT checks the catalog).
REVOKE EXECUTE ON FUNCTION enqueue_appointment_notifications(bigint, text, timestamptz, text) FROM PUBLIC, schedctl_app;
REVOKE EXECUTE ON FUNCTION enqueue_appointment_notification_kinds(bigint, text[], timestamptz, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enqueue_appointment_notification_kinds(bigint, text[], timestamptz, text) TO schedctl_app;
