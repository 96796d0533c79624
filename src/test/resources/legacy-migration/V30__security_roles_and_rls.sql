-- schedctl V30: the runtime role, its grants, and forced row-level security on every table holding school data.
--
-- Migrations run as the owner; ordinary commands run as schedctl_app, which is neither superuser, nor owner,
-- nor BYPASSRLS. Policies read the acting user from app_current_user_id(), set per transaction with
-- set_config('app.user_id', ..., true), so without an acting user nothing is visible and nothing is writable.
-- Policies are written TO PUBLIC: any other non-owner role (a web app, a reporting script) gets the same rules.

-- ---------------------------------------------------------------------------------------------------------
-- The runtime role. A cluster-wide object: created once per server, reused by every database on it.
-- ---------------------------------------------------------------------------------------------------------
DO $$
DECLARE
    r pg_roles%ROWTYPE;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'schedctl_app') THEN
        BEGIN
            CREATE ROLE schedctl_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
        EXCEPTION
            WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'role schedctl_app does not exist and % may not create roles. Ask a superuser to run: CREATE ROLE schedctl_app LOGIN PASSWORD ''choose-a-password'' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; then run `schedctl db migrate` again', current_user
                    USING ERRCODE = 'insufficient_privilege';
            WHEN duplicate_object OR unique_violation THEN
                NULL; -- another migration on this server created it meanwhile
        END;
    END IF;
    SELECT * INTO r FROM pg_roles WHERE rolname = 'schedctl_app';
    IF r.rolsuper OR r.rolbypassrls THEN
        RAISE EXCEPTION 'role schedctl_app is a superuser or has BYPASSRLS, so row-level security would not apply to it. Ask a superuser to run: ALTER ROLE schedctl_app NOSUPERUSER NOBYPASSRLS; then run `schedctl db migrate` again'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF r.rolname = current_user THEN
        RAISE EXCEPTION 'migrations must run as the owner of the schema, not as the runtime role schedctl_app. Set db.migrate.user (SCHEDCTL_DB_MIGRATE_USER) to the owner'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
END $$;

-- ---------------------------------------------------------------------------------------------------------
-- Who acts. SECURITY DEFINER: they read users, whose own policies call them, so they must not be subject to
-- those policies (the owner passes through its owner_maintenance policy below, a superuser bypasses RLS).
-- ---------------------------------------------------------------------------------------------------------
CREATE FUNCTION app_user_role() RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT role FROM users WHERE id = app_current_user_id() AND active $$;

CREATE FUNCTION app_is_admin() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT coalesce(app_user_role() = 'admin', false) $$;

CREATE FUNCTION app_is_instructor() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT coalesce(app_user_role() = 'instructor', false) $$;

CREATE FUNCTION app_signed_in() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT app_user_role() IS NOT NULL $$;

-- Whether the acting instructor teaches (or has on the waitlist) this student: instructors see their
-- students' contact details. Bound to the acting user, so it answers nothing about anyone else.
CREATE FUNCTION app_instructor_has_student(student bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT app_current_user_id() IS NOT NULL AND (
        EXISTS (SELECT 1 FROM appointments WHERE instructor_id = app_current_user_id() AND student_id = student)
        OR EXISTS (SELECT 1 FROM appointment_waitlist WHERE instructor_id = app_current_user_id() AND student_id = student))
$$;

-- Only administrators change roles, the active flag or the built-in flag; everyone else may edit their own
-- profile (name, zone, phone, locale). A WITH CHECK cannot compare with the old row, so a trigger does it.
-- Without an acting user (the owner running a migration) there is nobody to refuse.
CREATE FUNCTION users_guard_privileged_columns() RETURNS trigger
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
CREATE TRIGGER users_guard_privileged_columns BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION users_guard_privileged_columns();

-- ---------------------------------------------------------------------------------------------------------
-- Secures one table: RLS enabled and forced, and the owner's explicit all-access policy. FORCE subjects the
-- owner to the policies too; the owner still needs every row for migrations and for the SECURITY DEFINER
-- functions that answer questions across users (slots, references, the audit trigger), and that access is
-- now a visible policy rather than an implicit exemption. Later migrations call this for their new tables.
-- ---------------------------------------------------------------------------------------------------------
CREATE FUNCTION app_secure_table(t regclass) RETURNS void
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

-- ---------------------------------------------------------------------------------------------------------
-- Grants: exactly what the application does, nothing it does not.
-- ---------------------------------------------------------------------------------------------------------
GRANT USAGE ON SCHEMA public TO schedctl_app;
GRANT SELECT ON time_zones TO schedctl_app;
-- The one-query schema version check of ordinary commands reads it; it holds no school data.
GRANT SELECT ON flyway_schema_history TO schedctl_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON users, instructor_settings, appointment_types, instructor_availability,
    time_blocks, time_block_occurrences, booking_sessions, appointments, appointment_waitlist,
    appointment_notifications, appointment_analytics, booking_metrics_realtime TO schedctl_app;
-- History is written, never rewritten.
GRANT SELECT, INSERT ON appointment_events TO schedctl_app;
GRANT SELECT, INSERT, DELETE ON appointment_attachments TO schedctl_app;
-- Append-only for the application (the append-only trigger also stops the owner).
REVOKE ALL ON audit_log FROM PUBLIC;
GRANT SELECT, INSERT ON audit_log TO schedctl_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO schedctl_app;

-- Tables added by migrations between V1 and this one (availability, booking) that are not named above: the
-- application reads and writes them; their policies decide which rows. A table that somehow lacks policies
-- still gets RLS forced below, so it fails closed (nothing visible) rather than open.
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT c.oid::regclass AS rel
        FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
          AND c.relname NOT IN ('time_zones', 'flyway_schema_history', 'users', 'instructor_settings',
                                'appointment_types', 'instructor_availability', 'time_blocks',
                                'time_block_occurrences', 'booking_sessions', 'appointments', 'appointment_events',
                                'appointment_attachments', 'appointment_waitlist', 'appointment_notifications',
                                'appointment_analytics', 'booking_metrics_realtime', 'audit_log')
          AND NOT has_table_privilege('schedctl_app', c.oid, 'SELECT')
    LOOP
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO schedctl_app', t.rel);
    END LOOP;
    FOR t IN
        SELECT c.oid::regclass AS rel
        FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
          AND c.relname NOT IN ('time_zones', 'flyway_schema_history')
    LOOP
        PERFORM app_secure_table(t.rel);
    END LOOP;
END $$;

-- ---------------------------------------------------------------------------------------------------------
-- Policies. (SELECT f()) makes the planner evaluate the acting user's role once per statement, not per row.
-- ---------------------------------------------------------------------------------------------------------

-- users: admins all; everyone their own row; instructors are the school's public directory (every signed-in
-- user sees them, students need them to book); instructors see the students they teach or who wait for them.
CREATE POLICY users_read ON users FOR SELECT USING (
    (SELECT app_is_admin())
    OR id = (SELECT app_current_user_id())
    OR (role = 'instructor' AND (SELECT app_signed_in()))
    OR ((SELECT app_is_instructor()) AND app_instructor_has_student(id)));
CREATE POLICY users_insert ON users FOR INSERT WITH CHECK ((SELECT app_is_admin()));
CREATE POLICY users_update ON users FOR UPDATE
    USING ((SELECT app_is_admin()) OR id = (SELECT app_current_user_id()))
    WITH CHECK ((SELECT app_is_admin()) OR id = (SELECT app_current_user_id()));
CREATE POLICY users_delete ON users FOR DELETE USING ((SELECT app_is_admin()));

-- instructor_settings: the instructor's own; students read settings only through SECURITY DEFINER functions.
CREATE POLICY instructor_settings_read ON instructor_settings FOR SELECT
    USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()));
CREATE POLICY instructor_settings_insert ON instructor_settings FOR INSERT
    WITH CHECK ((SELECT app_is_admin()) OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())));
CREATE POLICY instructor_settings_update ON instructor_settings FOR UPDATE
    USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()))
    WITH CHECK ((SELECT app_is_admin()) OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())));
CREATE POLICY instructor_settings_delete ON instructor_settings FOR DELETE USING ((SELECT app_is_admin()));

-- appointment_types: every signed-in user sees the offerings that are not archived; instructors manage theirs.
CREATE POLICY appointment_types_read ON appointment_types FOR SELECT USING (
    (SELECT app_is_admin())
    OR instructor_id = (SELECT app_current_user_id())
    OR (archived_at IS NULL AND (SELECT app_signed_in())));
CREATE POLICY appointment_types_insert ON appointment_types FOR INSERT
    WITH CHECK ((SELECT app_is_admin()) OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())));
CREATE POLICY appointment_types_update ON appointment_types FOR UPDATE
    USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()))
    WITH CHECK ((SELECT app_is_admin()) OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())));
CREATE POLICY appointment_types_delete ON appointment_types FOR DELETE
    USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()));

-- Weekly patterns are the published schedule: every signed-in user reads them (slot search runs as the
-- student). Blocks carry a private reason, so only their owner reads them; their expanded occurrences (times
-- and kind, no reason) are readable by every signed-in user, which is what slot search needs.
CREATE POLICY instructor_availability_read ON instructor_availability FOR SELECT USING (
    (SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()) OR (SELECT app_signed_in()));
CREATE POLICY time_blocks_read ON time_blocks FOR SELECT
    USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()));
CREATE POLICY time_block_occurrences_read ON time_block_occurrences FOR SELECT USING (
    (SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()) OR (SELECT app_signed_in()));
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY ['instructor_availability', 'time_blocks', 'time_block_occurrences'] LOOP
        EXECUTE format($p$CREATE POLICY %1$s_insert ON %1$I FOR INSERT WITH CHECK ((SELECT app_is_admin())
                          OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())))$p$, t);
        EXECUTE format($p$CREATE POLICY %1$s_update ON %1$I FOR UPDATE
                          USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()))
                          WITH CHECK ((SELECT app_is_admin())
                          OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())))$p$, t);
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
        EXECUTE format($p$CREATE POLICY %1$s_parties ON %1$I FOR SELECT USING ((SELECT app_is_admin())
                          OR student_id = (SELECT app_current_user_id()) OR instructor_id = (SELECT app_current_user_id()))$p$, t);
        EXECUTE format($p$CREATE POLICY %1$s_insert ON %1$I FOR INSERT WITH CHECK ((SELECT app_is_admin())
                          OR student_id = (SELECT app_current_user_id()) OR instructor_id = (SELECT app_current_user_id()))$p$, t);
        EXECUTE format($p$CREATE POLICY %1$s_update ON %1$I FOR UPDATE
                          USING ((SELECT app_is_admin())
                                 OR student_id = (SELECT app_current_user_id()) OR instructor_id = (SELECT app_current_user_id()))
                          WITH CHECK ((SELECT app_is_admin())
                                 OR student_id = (SELECT app_current_user_id()) OR instructor_id = (SELECT app_current_user_id()))$p$, t);
        EXECUTE format($p$CREATE POLICY %1$s_delete ON %1$I FOR DELETE USING ((SELECT app_is_admin()))$p$, t);
    END LOOP;
END $$;

-- History and attachments follow the appointment: whoever sees the appointment (its own policies apply inside
-- the EXISTS) sees them.
CREATE POLICY appointment_events_read ON appointment_events FOR SELECT
    USING (EXISTS (SELECT 1 FROM appointments a WHERE a.id = appointment_id));
CREATE POLICY appointment_events_insert ON appointment_events FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM appointments a WHERE a.id = appointment_id));
CREATE POLICY appointment_attachments_read ON appointment_attachments FOR SELECT
    USING (EXISTS (SELECT 1 FROM appointments a WHERE a.id = appointment_id));
CREATE POLICY appointment_attachments_insert ON appointment_attachments FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM appointments a WHERE a.id = appointment_id));
CREATE POLICY appointment_attachments_delete ON appointment_attachments FOR DELETE
    USING ((SELECT app_is_admin()) OR uploaded_by = (SELECT app_current_user_id()));

-- Waitlist: the student's own entries, and the instructor's queue.
CREATE POLICY appointment_waitlist_read ON appointment_waitlist FOR SELECT USING ((SELECT app_is_admin())
    OR student_id = (SELECT app_current_user_id()) OR instructor_id = (SELECT app_current_user_id()));
CREATE POLICY appointment_waitlist_insert ON appointment_waitlist FOR INSERT WITH CHECK ((SELECT app_is_admin())
    OR student_id = (SELECT app_current_user_id()) OR instructor_id = (SELECT app_current_user_id()));
CREATE POLICY appointment_waitlist_update ON appointment_waitlist FOR UPDATE
    USING ((SELECT app_is_admin()) OR student_id = (SELECT app_current_user_id()) OR instructor_id = (SELECT app_current_user_id()))
    WITH CHECK ((SELECT app_is_admin()) OR student_id = (SELECT app_current_user_id()) OR instructor_id = (SELECT app_current_user_id()));
CREATE POLICY appointment_waitlist_delete ON appointment_waitlist FOR DELETE
    USING ((SELECT app_is_admin()) OR student_id = (SELECT app_current_user_id()));

-- Notifications: one's own messages; instructors also those about their appointments. A booking (by the student)
-- writes the instructor's reminders too, so writing follows the visibility of the appointment.
CREATE POLICY appointment_notifications_read ON appointment_notifications FOR SELECT USING (
    (SELECT app_is_admin())
    OR recipient_id = (SELECT app_current_user_id())
    OR EXISTS (SELECT 1 FROM appointments a WHERE a.id = appointment_id AND a.instructor_id = (SELECT app_current_user_id())));
CREATE POLICY appointment_notifications_insert ON appointment_notifications FOR INSERT WITH CHECK (
    (SELECT app_is_admin())
    OR recipient_id = (SELECT app_current_user_id())
    OR EXISTS (SELECT 1 FROM appointments a WHERE a.id = appointment_id));
CREATE POLICY appointment_notifications_update ON appointment_notifications FOR UPDATE
    USING ((SELECT app_is_admin()) OR recipient_id = (SELECT app_current_user_id())
           OR EXISTS (SELECT 1 FROM appointments a WHERE a.id = appointment_id))
    WITH CHECK ((SELECT app_is_admin()) OR recipient_id = (SELECT app_current_user_id())
           OR EXISTS (SELECT 1 FROM appointments a WHERE a.id = appointment_id));
CREATE POLICY appointment_notifications_delete ON appointment_notifications FOR DELETE USING ((SELECT app_is_admin()));

-- Analytics: instructors read their own figures; computing them is an administrator's job (or a
-- SECURITY DEFINER trigger's, for the real-time counters).
CREATE POLICY appointment_analytics_read ON appointment_analytics FOR SELECT
    USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()));
CREATE POLICY appointment_analytics_write ON appointment_analytics FOR ALL
    USING ((SELECT app_is_admin())) WITH CHECK ((SELECT app_is_admin()));
CREATE POLICY booking_metrics_realtime_read ON booking_metrics_realtime FOR SELECT
    USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()));
CREATE POLICY booking_metrics_realtime_write ON booking_metrics_realtime FOR ALL
    USING ((SELECT app_is_admin())) WITH CHECK ((SELECT app_is_admin()));

-- Audit: admins read everything; others the rows they caused or that are about them (their user row or
-- settings, rows naming them as instructor, student or recipient). Rows are written by audit_row() as the
-- owner; the application may append only rows in its own name.
CREATE FUNCTION audit_is_about(entity text, entity_id text, before jsonb, after jsonb, who bigint) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT who IS NOT NULL AND (
        (entity IN ('users', 'instructor_settings') AND entity_id = who::text)
        OR who::text IN (coalesce(after, before) ->> 'instructor_id', coalesce(after, before) ->> 'student_id',
                         coalesce(after, before) ->> 'recipient_id'))
$$;
CREATE POLICY audit_log_read ON audit_log FOR SELECT USING (
    (SELECT app_is_admin())
    OR actor_id = (SELECT app_current_user_id())
    OR audit_is_about(entity, entity_id, before, after, (SELECT app_current_user_id())));
CREATE POLICY audit_log_insert ON audit_log FOR INSERT
    WITH CHECK ((SELECT app_signed_in()) AND actor_id = (SELECT app_current_user_id()));
