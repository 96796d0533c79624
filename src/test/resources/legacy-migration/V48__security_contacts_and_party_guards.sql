-- schedctl V48 (issue 5, second pass): contact details, who may name whom, and what the outbox accepts.
--
-- 1. Contact details. Until now every signed-in user read every instructor's whole users row, phone included.
--    The runtime role now reads only the directory columns of users (id, email, name, role, timezone, active,
--    is_builtin) — the row policy users_read still decides which rows: everyone sees self and the instructors
--    (students need them to book: CLI.md names users by email, so the instructor's email is the booking
--    handle and stays in the directory), instructors see the students they teach or who wait for them. The
--    contact columns (phone, locale, timestamps) come only from the security-barrier view user_contacts, which
--    shows full rows to the user themselves, to administrators, and to an instructor for a student they have an
--    appointment with (any status) — not for a student who is merely on their waitlist, and never one
--    instructor's contacts to another instructor or to a student.
-- 2. Who may name whom. An instructor could insert an appointment, hold or waitlist entry naming any student
--    id (ids are sequential), or move one of their rows to another student, and so make that student "theirs"
--    and read their contact details. Inserting for a student now needs the student acting, an administrator,
--    or an instructor who already has that student; and nobody but an administrator moves a row to other
--    parties. History rows and attachments are appended only in one's own name.
-- 3. The outbox. A signed-in user could insert a notification (with any address: the dispatcher, acting as the
--    administrator, would send it) or rewrite one of their appointment's notifications. Notifications are
--    written by enqueue_appointment_notifications (SECURITY DEFINER) and the administrator's dispatcher; other
--    users may only cancel a pending or failed one (what cancelling an appointment does).

-- ---------------------------------------------------------------------------------------------------------
-- 1. Contact details
-- ---------------------------------------------------------------------------------------------------------

-- Column privileges replace the table-wide SELECT: a table-wide grant would make column revokes meaningless.
REVOKE SELECT ON users FROM schedctl_app;
GRANT SELECT (id, email, name, role, timezone, active, is_builtin) ON users TO schedctl_app;

-- The view runs with its owner's rights (the owner passes the owner_maintenance policies of users and
-- appointments, or is a superuser), so its WHERE is the whole rule; security_barrier keeps a caller's leaky
-- function from seeing filtered rows. "Their student": an appointment with the acting instructor, any status.
CREATE VIEW user_contacts WITH (security_barrier = true) AS
SELECT u.id, u.email, u.name, u.role, u.timezone, u.phone, u.locale, u.active, u.is_builtin, u.created_at, u.updated_at
FROM users u
WHERE (SELECT app_current_user_id()) IS NOT NULL
  AND ((SELECT app_is_admin())
       OR u.id = (SELECT app_current_user_id())
       OR ((SELECT app_is_instructor())
           AND u.id IN (SELECT a.student_id FROM appointments a WHERE a.instructor_id = (SELECT app_current_user_id()))));
REVOKE ALL ON user_contacts FROM PUBLIC;
GRANT SELECT ON user_contacts TO schedctl_app;

-- The same rule for the directory rows, as a set computed once per statement rather than a SECURITY DEFINER call
-- per row (app_instructor_has_student): a lookup by an instructor among 20,000 users took 250 ms, now 5 ms. The
-- subqueries run under the instructor's own policies on appointments and appointment_waitlist, which show them
-- exactly their own rows, so the rule is unchanged.
ALTER POLICY users_read ON users USING (
    (SELECT app_is_admin())
    OR id = (SELECT app_current_user_id())
    OR (role = 'instructor' AND (SELECT app_signed_in()))
    OR ((SELECT app_is_instructor()) AND id IN (
        SELECT a.student_id FROM appointments a WHERE a.instructor_id = (SELECT app_current_user_id())
        UNION ALL
        SELECT w.student_id FROM appointment_waitlist w WHERE w.instructor_id = (SELECT app_current_user_id()))));

-- ---------------------------------------------------------------------------------------------------------
-- 2. Who may name whom
-- ---------------------------------------------------------------------------------------------------------

-- An instructor may write a row for a student only if that student is already theirs (an appointment or a
-- waitlist entry): the CLI cannot name other students to them anyway (they are "not found").
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY ['appointments', 'booking_sessions', 'appointment_waitlist'] LOOP
        EXECUTE format('DROP POLICY %1$s_insert ON %1$I', t);
        EXECUTE format($p$CREATE POLICY %1$s_insert ON %1$I FOR INSERT WITH CHECK ((SELECT app_is_admin())
                          OR student_id = (SELECT app_current_user_id())
                          OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())
                              AND app_instructor_has_student(student_id)))$p$, t);
    END LOOP;
END $$;

-- Who the guard triggers below let through: no acting user (the owner's migrations and maintenance), an
-- administrator, or the table's owner (the owner's SECURITY DEFINER functions run as the owner).
CREATE FUNCTION app_guard_exempt(p_table oid) RETURNS boolean
    LANGUAGE sql STABLE
AS $$
    SELECT app_current_user_id() IS NULL OR app_is_admin()
        OR pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = p_table), 'MEMBER')
$$;

-- The parties of an appointment, hold or waitlist entry are fixed once written, except by an administrator
-- (or the owner's SECURITY DEFINER functions, which run as the owner).
CREATE FUNCTION guard_party_columns() RETURNS trigger
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
CREATE TRIGGER appointments_guard_parties BEFORE UPDATE ON appointments
    FOR EACH ROW EXECUTE FUNCTION guard_party_columns();
CREATE TRIGGER booking_sessions_guard_parties BEFORE UPDATE ON booking_sessions
    FOR EACH ROW EXECUTE FUNCTION guard_party_columns();
CREATE TRIGGER appointment_waitlist_guard_parties BEFORE UPDATE ON appointment_waitlist
    FOR EACH ROW EXECUTE FUNCTION guard_party_columns();

-- History and attachments are written in one's own name: a party of an appointment could otherwise append a
-- history row "confirmed by the instructor" or an attachment "uploaded by" someone else.
DROP POLICY appointment_events_insert ON appointment_events;
CREATE POLICY appointment_events_insert ON appointment_events FOR INSERT WITH CHECK (
    EXISTS (SELECT 1 FROM appointments a WHERE a.id = appointment_id)
    AND ((SELECT app_is_admin()) OR actor_id = (SELECT app_current_user_id())));
DROP POLICY appointment_attachments_insert ON appointment_attachments;
CREATE POLICY appointment_attachments_insert ON appointment_attachments FOR INSERT WITH CHECK (
    EXISTS (SELECT 1 FROM appointments a WHERE a.id = appointment_id)
    AND ((SELECT app_is_admin()) OR uploaded_by = (SELECT app_current_user_id())));

-- ---------------------------------------------------------------------------------------------------------
-- 3. The outbox
-- ---------------------------------------------------------------------------------------------------------

DROP POLICY appointment_notifications_insert ON appointment_notifications;
CREATE POLICY appointment_notifications_insert ON appointment_notifications FOR INSERT
    WITH CHECK ((SELECT app_is_admin()));

CREATE FUNCTION appointment_notifications_guard_changes() RETURNS trigger
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
CREATE TRIGGER appointment_notifications_guard_changes BEFORE UPDATE ON appointment_notifications
    FOR EACH ROW EXECUTE FUNCTION appointment_notifications_guard_changes();

-- ---------------------------------------------------------------------------------------------------------
-- 4. Resolving the acting user
-- ---------------------------------------------------------------------------------------------------------
-- resolve_actor answers "which active user has this email or id" across row-level security, so it is an
-- existence oracle. The runtime role needs it (Database resolves --as with it before any identity is set) and is
-- trusted with identities anyway (it sets app.user_id); no other role of the server gets it.
REVOKE EXECUTE ON FUNCTION resolve_actor(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION builtin_admin_id() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION resolve_actor(text) TO schedctl_app;
GRANT EXECUTE ON FUNCTION builtin_admin_id() TO schedctl_app;
