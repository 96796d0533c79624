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

-- The outbox rows of several events of one appointment in one statement, e.g. 'booked' and 'rescheduled'.
-- Recipients: the student and the instructor (a waitlist offer only the student), per channel of the
-- instructor; the webhook gets one row per event. Reminders are not written here: they are owed by the
-- appointment and written when due (enqueue_due_reminders below). Idempotency keys are
-- REF:KIND:CHANNEL:RECIPIENT_ID:0#REVISION (the revision is the appointment's reschedule count), so a repeated
-- call writes nothing twice. Rows carry no subject or body: MessageRenderer renders them when sent, from the
-- appointment as it is then, in the recipient's locale and zone (a cancel's reason and fee included); p_note is
-- free text a caller adds. Returns the number of rows written.
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
                                                'completed', 'no_show', 'waitlist_offer']
                WHEN v_me = a.instructor_id THEN ARRAY ['booked', 'confirmed', 'declined', 'rescheduled', 'cancelled',
                                                        'completed', 'no_show']
                WHEN app_acts_for(a.student_id) THEN ARRAY ['booked', 'rescheduled', 'cancelled']
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
        SELECT a.id, a.reference, a.student_id, a.instructor_id, a.reschedule_count,
               coalesce(s.channels, ARRAY ['email', 'in_app']) AS channels
        FROM appointments a
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
    )
    INSERT INTO appointment_notifications (appointment_id, recipient_id, kind, channel, recipient, note, due_at,
                                           idempotency_key)
    SELECT id, recipient_id, kind, channel, recipient, left(p_note, 2000), v_now,
           reference || ':' || kind || ':' || channel || ':' || recipient_id || ':0#' || reschedule_count
    FROM addressed
    WHERE recipient IS NOT NULL
    -- kinds in the order given, the student before the instructor, channels in their settings' order
    ORDER BY kind_no, recipient_id <> student_id, channel_no
    ON CONFLICT (idempotency_key) DO NOTHING;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END $$;

-- Writes the outbox rows of one event of an appointment: p_kind is 'booked', 'confirmed', 'declined',
-- 'rescheduled', 'cancelled', 'completed', 'no_show' or 'waitlist_offer' (due now). One kind through the
-- function above, so the rows are made in one place.
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

-- What is still owed (issue 11): a message about an appointment that was cancelled, declined or completed (or
-- marked a no-show) is owed only if it says so; a reminder, booking, confirmation or move of it is not, whatever
-- its row's status. Rows without an appointment (p_status NULL) are owed. The dispatcher claims only owed rows
-- and re-checks its claimed rows right before sending (NotificationDao.stillOwed). Without a SET clause, so the
-- planner inlines it into those queries.
CREATE OR REPLACE FUNCTION appointment_notification_owed(p_kind text, p_status text)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE
AS $$
    SELECT p_status IS NULL
        OR p_kind IN ('cancelled', 'declined', 'completed', 'no_show')
        OR (p_kind = 'waitlist_offer' AND p_status IN ('held', 'pending', 'confirmed'))
        OR (p_kind <> 'waitlist_offer' AND p_status IN ('pending', 'confirmed'))
$$;

-- Cancels what an appointment no longer owes: its rows of the given kinds (all when p_kinds is NULL) that are
-- pending, failed (waiting to retry) or leased by a sender right now (status 'sending'; the sender's re-check
-- and its result update, which needs 'sending', then drop it). SECURITY DEFINER because row security shows a
-- student only their own rows, and a student's cancel must also cancel what the instructor was owed. Only the
-- appointment's people or an administrator cancel anything; anyone else, or nobody, cancels nothing. Returns the
-- number of rows cancelled.
CREATE OR REPLACE FUNCTION cancel_appointment_notifications(p_appointment bigint, p_kinds text[])
    RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    v_rows integer;
    v_me   bigint := app_current_user_id();
BEGIN
    IF v_me IS NULL OR NOT (app_is_admin() OR EXISTS (
            SELECT 1 FROM appointments a
             WHERE a.id = p_appointment AND v_me IN (a.student_id, a.instructor_id))) THEN
        RETURN 0;
    END IF;
    UPDATE appointment_notifications
       SET status = 'cancelled', lease_until = NULL
     WHERE appointment_id = p_appointment AND status IN ('pending', 'failed', 'sending')
       AND (p_kinds IS NULL OR kind = ANY (p_kinds));
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END $$;
REVOKE EXECUTE ON FUNCTION cancel_appointment_notifications(bigint, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cancel_appointment_notifications(bigint, text[]) TO schedctl_app;

-- The reminders appointments owe that fall due in (p_from, p_to]: per offset (the instructor's, else the school's
-- default), recipient (student and instructor) and channel (the instructor's; the webhook once, on the
-- instructor's row) of every pending or confirmed appointment, skipping those already due when its current time
-- was set (reminders_from: booked or last moved). The key holds the revision (reschedule count), so a move owes
-- every offset again for the new time, those sent for the old time included. The one definition of the reminder
-- schedule: enqueue_due_reminders writes from it, tests and fsck read it. Contact columns through user_contacts
-- (an administrator, the dispatcher, sees all; the view is R__50's, so this is plpgsql, resolved when called).
CREATE OR REPLACE FUNCTION appointment_reminder_schedule(p_from timestamptz, p_to timestamptz)
    RETURNS TABLE (appointment_id bigint, recipient_id bigint, channel text, recipient text, starts_at timestamptz,
                   remind_before interval, due_at timestamptz, idempotency_key text)
    LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN QUERY
    SELECT a.id, u.id, c.channel,
           CASE c.channel WHEN 'email' THEN u.email
                          WHEN 'sms' THEN coalesce(u.phone, CASE WHEN u.phone_sealed IS NOT NULL THEN '(encrypted phone)' END)
                          WHEN 'webhook' THEN 'webhook' ELSE u.id::text END,
           a.starts_at, d.off, a.starts_at - d.off,
           a.reference || ':reminder:' || c.channel || ':' || u.id || ':' || extract(epoch FROM d.off)::bigint
               || '#' || a.reschedule_count
      -- every offset in use, then per offset an index range of appointments_status_start_idx: those starting
      -- within (p_from, p_to] plus the offset
      FROM (SELECT DISTINCT x.off
              FROM (SELECT unnest(st.reminder_offsets) FROM instructor_settings st
                    UNION ALL SELECT unnest(app_default_reminder_offsets())) x(off)) d
      JOIN appointments a ON a.status IN ('pending', 'confirmed')
                         AND a.starts_at > p_from + d.off AND a.starts_at <= p_to + d.off
      LEFT JOIN instructor_settings s ON s.instructor_id = a.instructor_id
      CROSS JOIN LATERAL unnest(coalesce(s.channels, ARRAY ['email', 'in_app'])) c(channel)
      JOIN user_contacts u ON u.id IN (a.student_id, a.instructor_id)
     WHERE d.off = ANY (coalesce(s.reminder_offsets, app_default_reminder_offsets()))
       -- NULL: written before V64 (its reminders were written at booking) or not through booking
       AND a.starts_at - d.off > a.reminders_from
       AND (c.channel <> 'webhook' OR u.id = a.instructor_id);
END $$;

-- The dispatcher's sweep, once per pass before it claims: writes the reminder rows that fell due since the last
-- sweep (reminder_sweep.swept_to, under its row lock, so concurrent daemons take turns), for appointments that
-- have not started. It looks 5 minutes further back than the last sweep, for bookings and moves that were still
-- committing then (ON CONFLICT makes that harmless), and from the beginning when the clock went back. Of the
-- reminders of one appointment, recipient and channel that fell due since, only the latest is written: after an
-- outage nobody gets "starts in 24 hours" an hour before the start, then "in 1 hour". Returns the number of rows
-- written. Runs as its caller: the dispatcher acts as an administrator.
CREATE OR REPLACE FUNCTION enqueue_due_reminders(p_now timestamptz)
    RETURNS integer
    LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    v_from timestamptz;
    v_rows integer;
BEGIN
    SELECT swept_to INTO v_from FROM reminder_sweep FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO reminder_sweep (swept_to) VALUES (p_now) ON CONFLICT (id) DO NOTHING;
        v_from := '-infinity';
    ELSIF v_from > p_now THEN
        v_from := '-infinity';
    ELSE
        v_from := v_from - interval '5 minutes';
    END IF;
    INSERT INTO appointment_notifications (appointment_id, recipient_id, kind, channel, recipient, remind_before,
                                           due_at, idempotency_key)
    SELECT DISTINCT ON (r.appointment_id, r.recipient_id, r.channel)
           r.appointment_id, r.recipient_id, 'reminder', r.channel, r.recipient, r.remind_before, r.due_at,
           r.idempotency_key
      FROM appointment_reminder_schedule(v_from, p_now) r
     WHERE r.recipient IS NOT NULL AND r.starts_at > p_now
     ORDER BY r.appointment_id, r.recipient_id, r.channel, r.due_at DESC
    ON CONFLICT (idempotency_key) DO NOTHING;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    UPDATE reminder_sweep SET swept_to = p_now;
    RETURN v_rows;
END $$;
