-- The school's default reminder offsets (config key reminders.offsets) apply to every instructor who has not
-- chosen their own.
--
-- instructor_settings.reminder_offsets becomes nullable without a default: NULL means "the school's default",
-- an empty array means "no reminders", anything else is the instructor's own choice. Existing rows keep what they
-- store, since nothing tells a chosen 24h,1h,15m from the old column default.
--
-- The default itself is configuration, not data: the application names it per transaction with
-- set_config('app.reminder_offsets', '{"7200 seconds","600 seconds"}', true), in the same query that names the
-- acting user (Database.actAs). Unset (or empty) means 24h,1h,15m, the offsets the outbox always fell back on.

ALTER TABLE instructor_settings ALTER COLUMN reminder_offsets DROP NOT NULL;
ALTER TABLE instructor_settings ALTER COLUMN reminder_offsets DROP DEFAULT;

-- Without a SET clause, so the planner inlines it into the query that calls it (a SET clause would make every
-- call a separate planned function call, about a millisecond per booking); it names only pg_catalog objects.
CREATE FUNCTION app_default_reminder_offsets()
    RETURNS interval[]
    LANGUAGE sql STABLE
AS $$
    SELECT coalesce(nullif(pg_catalog.current_setting('app.reminder_offsets', true), '')::interval[],
                    ARRAY [interval '24 hours', interval '1 hour', interval '15 minutes'])
$$;

-- V47's function, to the character, but for the fallback of an instructor without offsets of their own (or without
-- a settings row): the school's default instead of a fixed 24h,1h,15m. Booking (book_appointment) and rescheduling
-- (BookingService.reschedule, kinds 'rescheduled' and 'reminder') write their reminders through it; V21's
-- enqueue_appointment_notifications calls it since V47.
CREATE OR REPLACE FUNCTION enqueue_appointment_notification_kinds(p_appointment bigint, p_kinds text[], p_now timestamptz,
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
