-- schedctl R__50: who acts (role helpers), the guard triggers, the row-level security policies that call
-- functions, and the contact-details view. Forced RLS and the owner_maintenance policies are structure (V30, V45).
--
-- A repeatable migration: Flyway runs it after the versioned ones whenever its text changes, so it holds the one
-- live definition of each object and is edited in place (CREATE OR REPLACE FUNCTION; DROP ... IF EXISTS then
-- CREATE for triggers and policies). Versioned files hold structure only and never call what is defined here.

CREATE OR REPLACE FUNCTION app_user_role() RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT role FROM users WHERE id = app_current_user_id() AND active $$;

CREATE OR REPLACE FUNCTION app_is_admin() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT coalesce(app_user_role() = 'admin', false) $$;

CREATE OR REPLACE FUNCTION app_is_instructor() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT coalesce(app_user_role() = 'instructor', false) $$;

CREATE OR REPLACE FUNCTION app_signed_in() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT app_user_role() IS NOT NULL $$;

-- Whether the acting instructor teaches (or has on the waitlist) this student: instructors see their
-- students' contact details. Bound to the acting user, so it answers nothing about anyone else.
CREATE OR REPLACE FUNCTION app_instructor_has_student(student bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT app_current_user_id() IS NOT NULL AND (
        EXISTS (SELECT 1 FROM appointments WHERE instructor_id = app_current_user_id() AND student_id = student)
        OR EXISTS (SELECT 1 FROM appointment_waitlist WHERE instructor_id = app_current_user_id() AND student_id = student))
$$;

-- Only administrators change roles, the active flag or the built-in flag; everyone else may edit their own
-- profile (name, zone, phone, locale). A WITH CHECK cannot compare with the old row, so a trigger does it.
-- Without an acting user (the owner running a migration) there is nobody to refuse.
CREATE OR REPLACE FUNCTION users_guard_privileged_columns() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF app_current_user_id() IS NOT NULL AND NOT app_is_admin()
       AND (NEW.role IS DISTINCT FROM OLD.role OR NEW.active IS DISTINCT FROM OLD.active
            OR NEW.is_builtin IS DISTINCT FROM OLD.is_builtin OR NEW.id IS DISTINCT FROM OLD.id) THEN
        RAISE EXCEPTION 'only an administrator can change a user''s role or status. Ask an administrator'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

-- Secures one table as V30 and V45 do: RLS enabled and forced, and the owner's explicit all-access policy. Versioned
-- migrations write those statements out (they may not call functions defined here); this remains for an owner
-- securing a table by hand.
CREATE OR REPLACE FUNCTION app_secure_table(t regclass) RETURNS void
    LANGUAGE plpgsql
AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);
    IF NOT EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = t AND polname = 'owner_maintenance') THEN
        EXECUTE format('CREATE POLICY owner_maintenance ON %s TO %I USING (true) WITH CHECK (true)', t,
                       (SELECT rolname FROM pg_roles r JOIN pg_class c ON c.relowner = r.oid WHERE c.oid = t));
    END IF;
END $$;
REVOKE ALL ON FUNCTION app_secure_table(regclass) FROM PUBLIC;

-- Whether an audit row is about a user: their user row or settings, or a row naming them as instructor, student or
-- recipient (the audit_log_read policy).
CREATE OR REPLACE FUNCTION audit_is_about(entity text, entity_id text, before jsonb, after jsonb, who bigint) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT who IS NOT NULL AND (
        (entity IN ('users', 'instructor_settings') AND entity_id = who::text)
        OR who::text IN (coalesce(after, before) ->> 'instructor_id', coalesce(after, before) ->> 'student_id',
                         coalesce(after, before) ->> 'recipient_id'))
$$;

CREATE OR REPLACE FUNCTION appointments_guard_student_changes() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    me constant bigint := app_current_user_id();
BEGIN
    IF me IS NULL OR NOT app_acts_for(OLD.student_id) OR me = OLD.instructor_id OR app_is_admin() THEN
        RETURN NEW;
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
           NEW.status = 'cancelled'
        OR (OLD.status = 'held' AND NEW.status IN ('pending', 'confirmed'))
        -- a rescheduled appointment of a type that needs confirmation waits for the instructor again
        OR (OLD.status = 'confirmed' AND NEW.status = 'pending' AND NEW.starts_at IS DISTINCT FROM OLD.starts_at)) THEN
        RAISE EXCEPTION 'only the instructor or an administrator can move appointment % from % to %. Ask the instructor',
            OLD.reference, OLD.status, NEW.status USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.fee_waived IS DISTINCT FROM OLD.fee_waived OR NEW.price IS DISTINCT FROM OLD.price
       OR NEW.currency IS DISTINCT FROM OLD.currency OR NEW.instructor_notes IS DISTINCT FROM OLD.instructor_notes
       OR NEW.instructor_id IS DISTINCT FROM OLD.instructor_id OR NEW.type_id IS DISTINCT FROM OLD.type_id THEN
        RAISE EXCEPTION 'a student cannot change the fee waiver, price, instructor notes, instructor or type of appointment %. Ask the instructor',
            OLD.reference USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- From when reminders are owed (issue 11, R__40's schedule) is set when the time is booked (a hold becoming a
    -- booking) or moved; moving it alone would silence the appointment's reminders, the instructor's included.
    IF NEW.reminders_from IS DISTINCT FROM OLD.reminders_from AND NEW.starts_at IS NOT DISTINCT FROM OLD.starts_at
       AND NOT (OLD.status = 'held' AND NEW.status IS DISTINCT FROM OLD.status) THEN
        RAISE EXCEPTION 'a student cannot change when the reminders of appointment % are owed. Reschedule it instead',
            OLD.reference USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

-- Who the guard triggers below let through: no acting user (the owner's migrations and maintenance), an
-- administrator, or the table's owner (the owner's SECURITY DEFINER functions run as the owner).
CREATE OR REPLACE FUNCTION app_guard_exempt(p_table oid) RETURNS boolean
    LANGUAGE sql STABLE
AS $$
    SELECT app_current_user_id() IS NULL OR app_is_admin()
        OR pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = p_table), 'MEMBER')
$$;

-- The parties of an appointment, hold or waitlist entry are fixed once written, except by an administrator
-- (or the owner's SECURITY DEFINER functions, which run as the owner).
CREATE OR REPLACE FUNCTION guard_party_columns() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF app_guard_exempt(TG_RELID) THEN
        RETURN NEW;
    END IF;
    IF NEW.student_id IS DISTINCT FROM OLD.student_id OR NEW.instructor_id IS DISTINCT FROM OLD.instructor_id THEN
        RAISE EXCEPTION 'only an administrator can move % % to another student or instructor. Cancel it and book anew',
            TG_TABLE_NAME, OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION appointment_notifications_guard_changes() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF app_guard_exempt(TG_RELID) THEN
        RETURN NEW;
    END IF;
    IF NOT (OLD.status IN ('pending', 'failed') AND NEW.status = 'cancelled')
       OR to_jsonb(NEW) - 'status' - 'updated_at' IS DISTINCT FROM to_jsonb(OLD) - 'status' - 'updated_at' THEN
        RAISE EXCEPTION 'only the dispatcher or an administrator can change notification % (others may only cancel a pending one). Ask an administrator',
            OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

-- Triggers
DROP TRIGGER IF EXISTS users_guard_privileged_columns ON users;
CREATE TRIGGER users_guard_privileged_columns BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION users_guard_privileged_columns();

DROP TRIGGER IF EXISTS appointments_guard_student_changes ON appointments;
CREATE TRIGGER appointments_guard_student_changes BEFORE UPDATE ON appointments
    FOR EACH ROW EXECUTE FUNCTION appointments_guard_student_changes();

DROP TRIGGER IF EXISTS appointments_guard_parties ON appointments;
CREATE TRIGGER appointments_guard_parties BEFORE UPDATE ON appointments
    FOR EACH ROW EXECUTE FUNCTION guard_party_columns();

DROP TRIGGER IF EXISTS booking_sessions_guard_parties ON booking_sessions;
CREATE TRIGGER booking_sessions_guard_parties BEFORE UPDATE ON booking_sessions
    FOR EACH ROW EXECUTE FUNCTION guard_party_columns();

DROP TRIGGER IF EXISTS appointment_waitlist_guard_parties ON appointment_waitlist;
CREATE TRIGGER appointment_waitlist_guard_parties BEFORE UPDATE ON appointment_waitlist
    FOR EACH ROW EXECUTE FUNCTION guard_party_columns();

DROP TRIGGER IF EXISTS appointment_notifications_guard_changes ON appointment_notifications;
CREATE TRIGGER appointment_notifications_guard_changes BEFORE UPDATE ON appointment_notifications
    FOR EACH ROW EXECUTE FUNCTION appointment_notifications_guard_changes();

-- ---------------------------------------------------------------------------------------------------------
-- Policies. (SELECT f()) makes the planner evaluate the acting user's role once per statement, not per row.
-- ---------------------------------------------------------------------------------------------------------

-- users: admins all; everyone their own row; instructors are the school's public directory (every signed-in
-- user sees them, students need them to book); instructors see the students they teach or who wait for them.
-- "Their students" is a set computed once per statement rather than a SECURITY DEFINER call per row
-- (app_instructor_has_student): a lookup by an instructor among 20,000 users took 250 ms, now 5 ms. The subqueries
-- run under the instructor's own policies on appointments and appointment_waitlist, which show them exactly their
-- own rows. The runtime role reads only the directory columns of users (V48); contact details come from the view
-- user_contacts below.
DROP POLICY IF EXISTS users_read ON users;
CREATE POLICY users_read ON users FOR SELECT USING (
    (SELECT app_is_admin())
    OR id = ANY ((SELECT app_acted_for())::bigint[])
    OR (role = 'instructor' AND (SELECT app_signed_in()))
    OR ((SELECT app_is_instructor()) AND id IN (
        SELECT a.student_id FROM appointments a WHERE a.instructor_id = (SELECT app_current_user_id())
        UNION ALL
        SELECT w.student_id FROM appointment_waitlist w WHERE w.instructor_id = (SELECT app_current_user_id())
        UNION ALL
        -- issue 17: the guardians who asked to meet them at a parents' evening
        SELECT r.guardian_id FROM conference_requests r WHERE r.teacher_id = (SELECT app_current_user_id()))));
DROP POLICY IF EXISTS users_insert ON users;
CREATE POLICY users_insert ON users FOR INSERT WITH CHECK ((SELECT app_is_admin()));
DROP POLICY IF EXISTS users_update ON users;
CREATE POLICY users_update ON users FOR UPDATE
    USING ((SELECT app_is_admin()) OR id = (SELECT app_current_user_id()))
    WITH CHECK ((SELECT app_is_admin()) OR id = (SELECT app_current_user_id()));
DROP POLICY IF EXISTS users_delete ON users;
CREATE POLICY users_delete ON users FOR DELETE USING ((SELECT app_is_admin()));

-- instructor_settings: the instructor's own; students read settings only through SECURITY DEFINER functions.
DROP POLICY IF EXISTS instructor_settings_read ON instructor_settings;
CREATE POLICY instructor_settings_read ON instructor_settings FOR SELECT
    USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()));
DROP POLICY IF EXISTS instructor_settings_insert ON instructor_settings;
CREATE POLICY instructor_settings_insert ON instructor_settings FOR INSERT
    WITH CHECK ((SELECT app_is_admin()) OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())));
DROP POLICY IF EXISTS instructor_settings_update ON instructor_settings;
CREATE POLICY instructor_settings_update ON instructor_settings FOR UPDATE
    USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()))
    WITH CHECK ((SELECT app_is_admin()) OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())));
DROP POLICY IF EXISTS instructor_settings_delete ON instructor_settings;
CREATE POLICY instructor_settings_delete ON instructor_settings FOR DELETE USING ((SELECT app_is_admin()));

-- appointment_types: every signed-in user sees the offerings that are not archived; instructors manage theirs.
DROP POLICY IF EXISTS appointment_types_read ON appointment_types;
CREATE POLICY appointment_types_read ON appointment_types FOR SELECT USING (
    (SELECT app_is_admin())
    OR instructor_id = (SELECT app_current_user_id())
    OR (archived_at IS NULL AND (SELECT app_signed_in())));
DROP POLICY IF EXISTS appointment_types_insert ON appointment_types;
CREATE POLICY appointment_types_insert ON appointment_types FOR INSERT
    WITH CHECK ((SELECT app_is_admin()) OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())));
DROP POLICY IF EXISTS appointment_types_update ON appointment_types;
CREATE POLICY appointment_types_update ON appointment_types FOR UPDATE
    USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()))
    WITH CHECK ((SELECT app_is_admin()) OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())));
DROP POLICY IF EXISTS appointment_types_delete ON appointment_types;
CREATE POLICY appointment_types_delete ON appointment_types FOR DELETE
    USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()));

-- Weekly patterns are the published schedule: every signed-in user reads them (slot search runs as the
-- student). Blocks carry a private reason, so only their owner reads them; their expanded occurrences (times
-- and kind, no reason) are readable by every signed-in user, which is what slot search needs.
DROP POLICY IF EXISTS instructor_availability_read ON instructor_availability;
CREATE POLICY instructor_availability_read ON instructor_availability FOR SELECT USING (
    (SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()) OR (SELECT app_signed_in()));
DROP POLICY IF EXISTS time_blocks_read ON time_blocks;
CREATE POLICY time_blocks_read ON time_blocks FOR SELECT
    USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()));
DROP POLICY IF EXISTS time_block_occurrences_read ON time_block_occurrences;
CREATE POLICY time_block_occurrences_read ON time_block_occurrences FOR SELECT USING (
    (SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()) OR (SELECT app_signed_in()));
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY ['instructor_availability', 'time_blocks', 'time_block_occurrences'] LOOP
        EXECUTE format('DROP POLICY IF EXISTS %1$s_insert ON %1$I', t);
        EXECUTE format($p$CREATE POLICY %1$s_insert ON %1$I FOR INSERT WITH CHECK ((SELECT app_is_admin())
                          OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())))$p$, t);
        EXECUTE format('DROP POLICY IF EXISTS %1$s_update ON %1$I', t);
        EXECUTE format($p$CREATE POLICY %1$s_update ON %1$I FOR UPDATE
                          USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()))
                          WITH CHECK ((SELECT app_is_admin())
                          OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())))$p$, t);
        EXECUTE format('DROP POLICY IF EXISTS %1$s_delete ON %1$I', t);
        EXECUTE format($p$CREATE POLICY %1$s_delete ON %1$I FOR DELETE
                          USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()))$p$, t);
    END LOOP;
END $$;

-- Appointments and holds: the two parties and admins. Nobody hands a row to a third person (WITH CHECK).
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY ['appointments', 'booking_sessions'] LOOP
        EXECUTE format('DROP POLICY IF EXISTS %1$s_parties ON %1$I', t);
        EXECUTE format($p$CREATE POLICY %1$s_parties ON %1$I FOR SELECT USING ((SELECT app_is_admin())
                          OR student_id = ANY ((SELECT app_acted_for())::bigint[]) OR instructor_id = (SELECT app_current_user_id()))$p$, t);
        EXECUTE format('DROP POLICY IF EXISTS %1$s_update ON %1$I', t);
        EXECUTE format($p$CREATE POLICY %1$s_update ON %1$I FOR UPDATE
                          USING ((SELECT app_is_admin())
                                 OR student_id = ANY ((SELECT app_acted_for())::bigint[]) OR instructor_id = (SELECT app_current_user_id()))
                          WITH CHECK ((SELECT app_is_admin())
                                 OR student_id = ANY ((SELECT app_acted_for())::bigint[]) OR instructor_id = (SELECT app_current_user_id()))$p$, t);
        EXECUTE format('DROP POLICY IF EXISTS %1$s_delete ON %1$I', t);
        EXECUTE format($p$CREATE POLICY %1$s_delete ON %1$I FOR DELETE USING ((SELECT app_is_admin()))$p$, t);
    END LOOP;
END $$;

-- Inserting for a student needs the student acting, an administrator, or an instructor who already has that
-- student (an appointment or a waitlist entry): an instructor could otherwise name any student id (ids are
-- sequential) and so make that student "theirs". Nobody but an administrator moves a row to other parties
-- (guard_party_columns).
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY ['appointments', 'booking_sessions', 'appointment_waitlist'] LOOP
        EXECUTE format('DROP POLICY IF EXISTS %1$s_insert ON %1$I', t);
        EXECUTE format($p$CREATE POLICY %1$s_insert ON %1$I FOR INSERT WITH CHECK ((SELECT app_is_admin())
                          OR student_id = ANY ((SELECT app_acted_for())::bigint[])
                          OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())
                              AND app_instructor_has_student(student_id)))$p$, t);
    END LOOP;
END $$;

-- History and attachments follow the appointment (reading them calls no function: V30 holds those two policies),
-- and are written in one's own name: a party of an appointment could otherwise append a history row "confirmed by
-- the instructor" or an attachment "uploaded by" someone else.
DROP POLICY IF EXISTS appointment_events_insert ON appointment_events;
CREATE POLICY appointment_events_insert ON appointment_events FOR INSERT WITH CHECK (
    EXISTS (SELECT 1 FROM appointments a WHERE a.id = appointment_id)
    AND ((SELECT app_is_admin()) OR actor_id = (SELECT app_current_user_id())));
DROP POLICY IF EXISTS appointment_attachments_insert ON appointment_attachments;
CREATE POLICY appointment_attachments_insert ON appointment_attachments FOR INSERT WITH CHECK (
    EXISTS (SELECT 1 FROM appointments a WHERE a.id = appointment_id)
    AND ((SELECT app_is_admin()) OR uploaded_by = (SELECT app_current_user_id())));
DROP POLICY IF EXISTS appointment_attachments_delete ON appointment_attachments;
CREATE POLICY appointment_attachments_delete ON appointment_attachments FOR DELETE
    USING ((SELECT app_is_admin()) OR uploaded_by = (SELECT app_current_user_id()));

-- Waitlist: the student's own entries, and the instructor's queue.
DROP POLICY IF EXISTS appointment_waitlist_read ON appointment_waitlist;
CREATE POLICY appointment_waitlist_read ON appointment_waitlist FOR SELECT USING ((SELECT app_is_admin())
    OR student_id = ANY ((SELECT app_acted_for())::bigint[]) OR instructor_id = (SELECT app_current_user_id()));
DROP POLICY IF EXISTS appointment_waitlist_update ON appointment_waitlist;
CREATE POLICY appointment_waitlist_update ON appointment_waitlist FOR UPDATE
    USING ((SELECT app_is_admin()) OR student_id = ANY ((SELECT app_acted_for())::bigint[]) OR instructor_id = (SELECT app_current_user_id()))
    WITH CHECK ((SELECT app_is_admin()) OR student_id = ANY ((SELECT app_acted_for())::bigint[]) OR instructor_id = (SELECT app_current_user_id()));
DROP POLICY IF EXISTS appointment_waitlist_delete ON appointment_waitlist;
CREATE POLICY appointment_waitlist_delete ON appointment_waitlist FOR DELETE
    USING ((SELECT app_is_admin()) OR student_id = ANY ((SELECT app_acted_for())::bigint[]));

-- Notifications: one's own messages; instructors also those about their appointments. A booking (by the student)
-- writes the instructor's reminders too, so writing follows the visibility of the appointment.
DROP POLICY IF EXISTS appointment_notifications_read ON appointment_notifications;
CREATE POLICY appointment_notifications_read ON appointment_notifications FOR SELECT USING (
    (SELECT app_is_admin())
    OR recipient_id = (SELECT app_current_user_id())
    OR EXISTS (SELECT 1 FROM appointments a WHERE a.id = appointment_id AND a.instructor_id = (SELECT app_current_user_id())));
-- Notifications are written by enqueue_appointment_notifications (SECURITY DEFINER) and the administrator's
-- dispatcher; other users may only cancel a pending or failed one (appointment_notifications_guard_changes).
DROP POLICY IF EXISTS appointment_notifications_insert ON appointment_notifications;
CREATE POLICY appointment_notifications_insert ON appointment_notifications FOR INSERT
    WITH CHECK ((SELECT app_is_admin()));
DROP POLICY IF EXISTS appointment_notifications_update ON appointment_notifications;
CREATE POLICY appointment_notifications_update ON appointment_notifications FOR UPDATE
    USING ((SELECT app_is_admin()) OR recipient_id = (SELECT app_current_user_id())
           OR EXISTS (SELECT 1 FROM appointments a WHERE a.id = appointment_id))
    WITH CHECK ((SELECT app_is_admin()) OR recipient_id = (SELECT app_current_user_id())
           OR EXISTS (SELECT 1 FROM appointments a WHERE a.id = appointment_id));
DROP POLICY IF EXISTS appointment_notifications_delete ON appointment_notifications;
CREATE POLICY appointment_notifications_delete ON appointment_notifications FOR DELETE USING ((SELECT app_is_admin()));
-- The reminder sweep's mark (R__40 enqueue_due_reminders): only an administrator, the dispatcher, moves it.
DROP POLICY IF EXISTS reminder_sweep_admin ON reminder_sweep;
CREATE POLICY reminder_sweep_admin ON reminder_sweep USING ((SELECT app_is_admin())) WITH CHECK ((SELECT app_is_admin()));

-- Analytics: instructors read their own figures; computing them is an administrator's job (or a
-- SECURITY DEFINER trigger's, for the real-time counters).
DROP POLICY IF EXISTS appointment_analytics_read ON appointment_analytics;
CREATE POLICY appointment_analytics_read ON appointment_analytics FOR SELECT
    USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()));
DROP POLICY IF EXISTS appointment_analytics_write ON appointment_analytics;
CREATE POLICY appointment_analytics_write ON appointment_analytics FOR ALL
    USING ((SELECT app_is_admin())) WITH CHECK ((SELECT app_is_admin()));
DROP POLICY IF EXISTS booking_metrics_realtime_read ON booking_metrics_realtime;
CREATE POLICY booking_metrics_realtime_read ON booking_metrics_realtime FOR SELECT
    USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()));
DROP POLICY IF EXISTS booking_metrics_realtime_write ON booking_metrics_realtime;
CREATE POLICY booking_metrics_realtime_write ON booking_metrics_realtime FOR ALL
    USING ((SELECT app_is_admin())) WITH CHECK ((SELECT app_is_admin()));
-- Audit: admins read everything; others the rows they caused or that are about them. Rows are written by
-- audit_row() as the owner; the application may append only rows in its own name.
DROP POLICY IF EXISTS audit_log_read ON audit_log;
CREATE POLICY audit_log_read ON audit_log FOR SELECT USING (
    (SELECT app_is_admin())
    OR actor_id = (SELECT app_current_user_id())
    OR audit_is_about(entity, entity_id, before, after, (SELECT app_current_user_id()))
    -- a guardian reads what is about their linked children
    OR coalesce(after, before) ->> 'student_id' = ANY ((SELECT app_acted_for())::text[]));
DROP POLICY IF EXISTS audit_log_insert ON audit_log;
CREATE POLICY audit_log_insert ON audit_log FOR INSERT
    WITH CHECK ((SELECT app_signed_in()) AND actor_id = (SELECT app_current_user_id()));

-- Guardian links (issue 17): administrators keep them; a guardian and a student read their own.
DROP POLICY IF EXISTS guardian_links_read ON guardian_links;
CREATE POLICY guardian_links_read ON guardian_links FOR SELECT USING ((SELECT app_is_admin())
    OR guardian_id = (SELECT app_current_user_id()) OR student_id = (SELECT app_current_user_id()));
DROP POLICY IF EXISTS guardian_links_insert ON guardian_links;
CREATE POLICY guardian_links_insert ON guardian_links FOR INSERT WITH CHECK ((SELECT app_is_admin()));
DROP POLICY IF EXISTS guardian_links_delete ON guardian_links;
CREATE POLICY guardian_links_delete ON guardian_links FOR DELETE USING ((SELECT app_is_admin()));

-- import ics bookkeeping (V45): administrators see all, instructors their own.
DROP POLICY IF EXISTS calendar_import_events_access ON calendar_import_events;
CREATE POLICY calendar_import_events_access ON calendar_import_events
    USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()))
    WITH CHECK ((SELECT app_is_admin()) OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())));
DROP POLICY IF EXISTS calendar_import_blocks_access ON calendar_import_blocks;
CREATE POLICY calendar_import_blocks_access ON calendar_import_blocks
    USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()))
    WITH CHECK ((SELECT app_is_admin()) OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())));

-- ---------------------------------------------------------------------------------------------------------
-- Contact details. The view runs with its owner's rights (the owner passes the owner_maintenance policies of
-- users and appointments, or is a superuser), so its WHERE is the whole rule; security_barrier keeps a caller's
-- leaky function from seeing filtered rows. It shows full rows to the user themselves, to administrators, and to
-- an instructor for a student they have an appointment with (any status) — not for a student who is merely on
-- their waitlist, and never one instructor's contacts to another instructor or to a student. A phone number
-- sealed under encryption.key (V68) is shown as its ciphertext and key id; the application opens it.
-- ---------------------------------------------------------------------------------------------------------
CREATE OR REPLACE VIEW user_contacts WITH (security_barrier = true) AS
SELECT u.id, u.email, u.name, u.role, u.timezone, u.phone, u.locale, u.active, u.is_builtin, u.created_at, u.updated_at,
       u.phone_sealed, u.phone_key_id
FROM users u
WHERE (SELECT app_current_user_id()) IS NOT NULL
  AND ((SELECT app_is_admin())
       OR u.id = ANY ((SELECT app_acted_for())::bigint[])
       OR ((SELECT app_is_instructor())
           AND u.id IN (SELECT a.student_id FROM appointments a WHERE a.instructor_id = (SELECT app_current_user_id()))));
REVOKE ALL ON user_contacts FROM PUBLIC;
GRANT SELECT ON user_contacts TO schedctl_app;

-- Issue 12, the trust boundary: no EXECUTE for PUBLIC on a SECURITY DEFINER function; the runtime role gets it
-- only where the application, a policy or an invoker function calls it (DefinerCatalogIT checks the catalog).
REVOKE EXECUTE ON FUNCTION app_user_role() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_user_role() TO schedctl_app;
REVOKE EXECUTE ON FUNCTION app_is_admin() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_is_admin() TO schedctl_app;
REVOKE EXECUTE ON FUNCTION app_is_instructor() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_is_instructor() TO schedctl_app;
REVOKE EXECUTE ON FUNCTION app_signed_in() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_signed_in() TO schedctl_app;
REVOKE EXECUTE ON FUNCTION app_instructor_has_student(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_instructor_has_student(bigint) TO schedctl_app;
