-- schedctl V21: the booking side of the notification outbox. One call writes every row an appointment event
-- needs (per recipient and per channel of the instructor), in the booking transaction, in one round trip.

-- Writes the outbox rows of one event of an appointment: p_kind is 'booked', 'confirmed', 'declined',
-- 'rescheduled', 'cancelled', 'completed', 'no_show', 'waitlist_offer' (due now), or 'reminder' (one row per
-- reminder offset of the instructor, due that long before the start, skipping those already past). Recipients:
-- the student and the instructor (a waitlist offer only the student); the webhook gets one row per event.
-- Idempotency keys are REF:KIND:CHANNEL:RECIPIENT_ID:OFFSET_SECONDS (events add #RESCHEDULE_COUNT), so a
-- repeated call writes nothing twice. Returns the number of rows written.
CREATE FUNCTION enqueue_appointment_notifications(p_appointment bigint, p_kind text, p_now timestamptz,
                                                  p_note text DEFAULT NULL)
    RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    v_rows integer;
BEGIN
    WITH appt AS (
        SELECT a.id, a.reference, a.student_id, a.instructor_id, a.starts_at, a.ends_at, a.timezone,
               a.reschedule_count, t.name AS type_name, i.name AS instructor_name, st.name AS student_name,
               coalesce(s.channels, ARRAY ['email', 'in_app']) AS channels,
               coalesce(s.reminder_offsets, ARRAY [interval '24 hours', interval '1 hour', interval '15 minutes']) AS offsets
        FROM appointments a
        JOIN appointment_types t ON t.id = a.type_id
        JOIN users i ON i.id = a.instructor_id
        JOIN users st ON st.id = a.student_id
        LEFT JOIN instructor_settings s ON s.instructor_id = a.instructor_id
        WHERE a.id = p_appointment
    ),
    people AS (
        SELECT appt.*, u.id AS recipient_id, u.email, u.phone, (u.id = appt.instructor_id) AS is_instructor
        FROM appt JOIN users u ON u.id IN (appt.student_id, appt.instructor_id)
        WHERE p_kind <> 'waitlist_offer' OR u.id = appt.student_id
    ),
    addressed AS (
        SELECT p.*, c.channel,
               CASE c.channel WHEN 'email' THEN p.email WHEN 'sms' THEN p.phone WHEN 'webhook' THEN 'webhook'
                              ELSE p.recipient_id::text END AS recipient
        FROM people p CROSS JOIN LATERAL unnest(p.channels) c(channel)
        -- one webhook call per event, addressed to the instructor's row
        WHERE c.channel <> 'webhook' OR p.is_instructor OR p_kind = 'waitlist_offer'
    ),
    timed AS (
        SELECT a.*, o.off, a.starts_at - o.off AS due
        FROM addressed a CROSS JOIN LATERAL unnest(a.offsets) o(off)
        WHERE p_kind = 'reminder' AND a.starts_at - o.off > p_now
        UNION ALL
        SELECT a.*, interval '0', p_now
        FROM addressed a
        WHERE p_kind <> 'reminder'
    )
    INSERT INTO appointment_notifications (appointment_id, recipient_id, kind, channel, recipient, subject, body,
                                           due_at, idempotency_key)
    SELECT id, recipient_id, p_kind, channel, recipient,
           left(format('%s: %s with %s, %s', initcap(replace(p_kind, '_', ' ')), type_name, instructor_name,
                       to_char(starts_at AT TIME ZONE timezone, 'YYYY-MM-DD HH24:MI')), 500),
           left(format(E'%s\nAppointment %s: %s with %s for %s\nWhen: %s to %s (%s)%s',
                       CASE p_kind
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
                       reference, type_name, instructor_name, student_name,
                       to_char(starts_at AT TIME ZONE timezone, 'YYYY-MM-DD HH24:MI'),
                       to_char(ends_at AT TIME ZONE timezone, 'HH24:MI'), timezone,
                       CASE WHEN p_note IS NULL THEN '' ELSE E'\n' || p_note END), 20000),
           due,
           reference || ':' || p_kind || ':' || channel || ':' || recipient_id || ':' || extract(epoch FROM off)::bigint
               || CASE WHEN p_kind = 'reminder' THEN '' ELSE '#' || reschedule_count END
    FROM timed
    WHERE recipient IS NOT NULL
    ON CONFLICT (idempotency_key) DO NOTHING;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END $$;
