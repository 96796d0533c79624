-- schedctl V30: the runtime role, its grants, and forced row-level security on every table holding school data.
--
-- Migrations run as the owner; ordinary commands run as schedctl_app, which is neither superuser, nor owner,
-- nor BYPASSRLS. Policies read the acting user from app_current_user_id(), set per transaction with
-- set_config('app.user_id', ..., true), so without an acting user nothing is visible and nothing is writable.
-- Policies are written TO PUBLIC: any other non-owner role (a web app, a reporting script) gets the same rules.
--
-- The functions, triggers and views this migration introduced now live, in their current form, in
-- R__50_security.sql (with every policy that calls a function).

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

-- ---------------------------------------------------------------------------------------------------------
-- Every table holding school data: RLS enabled and forced, and the owner's explicit all-access policy. FORCE
-- subjects the owner to the policies too; the owner still needs every row for migrations and for the SECURITY
-- DEFINER functions that answer questions across users (slots, references, the audit trigger), and that access is
-- a visible policy rather than an implicit exemption. A later migration that adds a table writes the same three
-- statements for it (the owner is the role running the migration, CURRENT_USER). Policies that call functions
-- (the acting user, roles) live in R__50_security.sql; a table without them fails closed (nothing visible).
-- ---------------------------------------------------------------------------------------------------------
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON users TO CURRENT_USER USING (true) WITH CHECK (true);
ALTER TABLE instructor_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE instructor_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON instructor_settings TO CURRENT_USER USING (true) WITH CHECK (true);
ALTER TABLE appointment_types ENABLE ROW LEVEL SECURITY;
ALTER TABLE appointment_types FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON appointment_types TO CURRENT_USER USING (true) WITH CHECK (true);
ALTER TABLE instructor_availability ENABLE ROW LEVEL SECURITY;
ALTER TABLE instructor_availability FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON instructor_availability TO CURRENT_USER USING (true) WITH CHECK (true);
ALTER TABLE time_blocks ENABLE ROW LEVEL SECURITY;
ALTER TABLE time_blocks FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON time_blocks TO CURRENT_USER USING (true) WITH CHECK (true);
ALTER TABLE time_block_occurrences ENABLE ROW LEVEL SECURITY;
ALTER TABLE time_block_occurrences FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON time_block_occurrences TO CURRENT_USER USING (true) WITH CHECK (true);
ALTER TABLE booking_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE booking_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON booking_sessions TO CURRENT_USER USING (true) WITH CHECK (true);
ALTER TABLE appointments ENABLE ROW LEVEL SECURITY;
ALTER TABLE appointments FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON appointments TO CURRENT_USER USING (true) WITH CHECK (true);
ALTER TABLE appointment_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE appointment_events FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON appointment_events TO CURRENT_USER USING (true) WITH CHECK (true);
ALTER TABLE appointment_attachments ENABLE ROW LEVEL SECURITY;
ALTER TABLE appointment_attachments FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON appointment_attachments TO CURRENT_USER USING (true) WITH CHECK (true);
ALTER TABLE appointment_waitlist ENABLE ROW LEVEL SECURITY;
ALTER TABLE appointment_waitlist FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON appointment_waitlist TO CURRENT_USER USING (true) WITH CHECK (true);
ALTER TABLE appointment_notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE appointment_notifications FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON appointment_notifications TO CURRENT_USER USING (true) WITH CHECK (true);
ALTER TABLE appointment_analytics ENABLE ROW LEVEL SECURITY;
ALTER TABLE appointment_analytics FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON appointment_analytics TO CURRENT_USER USING (true) WITH CHECK (true);
ALTER TABLE booking_metrics_realtime ENABLE ROW LEVEL SECURITY;
ALTER TABLE booking_metrics_realtime FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON booking_metrics_realtime TO CURRENT_USER USING (true) WITH CHECK (true);
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON audit_log TO CURRENT_USER USING (true) WITH CHECK (true);

-- History and attachments follow the appointment: whoever sees the appointment (its own policies apply inside
-- the EXISTS) sees them. Writing them is R__50_security.sql's (in one's own name).
CREATE POLICY appointment_events_read ON appointment_events FOR SELECT
    USING (EXISTS (SELECT 1 FROM appointments a WHERE a.id = appointment_id));
CREATE POLICY appointment_attachments_read ON appointment_attachments FOR SELECT
    USING (EXISTS (SELECT 1 FROM appointments a WHERE a.id = appointment_id));
