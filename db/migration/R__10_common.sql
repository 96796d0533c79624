-- schedctl R__10: the acting user and command, touch and audit triggers, resolving --as, and local-time helpers.
--
-- A repeatable migration: Flyway runs it after the versioned ones whenever its text changes, so it holds the one
-- live definition of each object and is edited in place (CREATE OR REPLACE FUNCTION; DROP ... IF EXISTS then
-- CREATE for triggers and policies). Versioned files hold structure only and never call what is defined here.

-- The acting user of the current transaction, set with set_config('app.user_id', id, true).
CREATE OR REPLACE FUNCTION app_current_user_id() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT NULLIF(current_setting('app.user_id', true), '')::bigint $$;

-- The "now" a definer function goes by (issue 12, table app_clock from V61): the database's now(), whatever the
-- caller claims, so nobody can expire another student's live hold or waitlist offer by saying it is tomorrow, or
-- book inside the notice period (or in the past) by saying it is yesterday. Only a database with a row in
-- app_clock (test databases set it to 'infinity', so their fixed clocks drive the rules) honours the caller's
-- claim, up to that instant. Production has no row. Only definer functions (running as the owner) call it.
CREATE OR REPLACE FUNCTION app_trusted_now(p_claimed timestamptz) RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce((SELECT least(coalesce(p_claimed, now()), c.latest) FROM app_clock c), now())
$$;

-- The command that runs the current transaction, for the audit log.
CREATE OR REPLACE FUNCTION app_current_command() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT NULLIF(current_setting('app.command', true), '') $$;

CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION builtin_admin_id() RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    -- The default acting user, resolved before anyone acts (no acting user); an administrator may ask too.
    -- (app_is_admin() written out: a sql function's body is checked when created, before R__50 defines it)
    SELECT id FROM users WHERE is_builtin
       AND (app_current_user_id() IS NULL
            OR EXISTS (SELECT 1 FROM users a WHERE a.id = app_current_user_id() AND a.active AND a.role = 'admin'))
     ORDER BY id LIMIT 1
$$;
REVOKE EXECUTE ON FUNCTION builtin_admin_id() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION builtin_admin_id() TO schedctl_app;

CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;

-- The instant of a local date-time in a zone, as java.time resolves it (ZonedDateTime.of): a time in a DST gap
-- moves forward by the length of the gap (02:30 on a spring-forward day becomes 03:30 summer time), and a time
-- that happens twice takes the earlier offset. PostgreSQL's own AT TIME ZONE takes the later offset for the
-- second case, which would make the database and the Java slot calculator disagree by an hour once a year.
CREATE OR REPLACE FUNCTION local_to_instant(p_local timestamp, p_zone text) RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
-- A single expression, so the planner inlines it (a SQL function with a FROM clause is planned anew on every
-- call). The repeated term is the same local time read with the offset in force a day before.
AS $$
    SELECT CASE WHEN ((p_local - ((((p_local AT TIME ZONE p_zone) - interval '1 day') AT TIME ZONE p_zone)
                     - (((p_local AT TIME ZONE p_zone) - interval '1 day') AT TIME ZONE 'UTC'))) AT TIME ZONE 'UTC') < (p_local AT TIME ZONE p_zone)
                 AND (((p_local - ((((p_local AT TIME ZONE p_zone) - interval '1 day') AT TIME ZONE p_zone)
                     - (((p_local AT TIME ZONE p_zone) - interval '1 day') AT TIME ZONE 'UTC'))) AT TIME ZONE 'UTC') AT TIME ZONE p_zone) = p_local
                THEN ((p_local - ((((p_local AT TIME ZONE p_zone) - interval '1 day') AT TIME ZONE p_zone)
                     - (((p_local AT TIME ZONE p_zone) - interval '1 day') AT TIME ZONE 'UTC'))) AT TIME ZONE 'UTC')
                ELSE p_local AT TIME ZONE p_zone END
$$;

-- An instant as a person in that zone reads it, for messages.
CREATE OR REPLACE FUNCTION local_text(p_at timestamptz, p_zone text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT to_char(p_at AT TIME ZONE p_zone, 'YYYY-MM-DD"T"HH24:MI') || ' ' || p_zone $$;

-- Statement-level audit for the two tables that bulk import writes (instructor_availability, time_blocks): a row
-- trigger would cost one audit insert per imported row, which halves the import rate. One entry per statement
-- with actor, command, action, entity, and before/after images ({count, ids, instructor_id, columns: {column:
-- [values in id order]}}), built in one pass over each transition table; a statement touching exactly one row
-- is written as audit_row() writes it, so `audit list --entity` reads the same for both.
CREATE OR REPLACE FUNCTION audit_statement() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    rows_table text := CASE WHEN TG_OP = 'DELETE' THEN 'audit_old' ELSE 'audit_new' END;
    affected bigint;
    entity_id text;
    ids jsonb;
    instructor bigint;
    columns text;
    old_columns jsonb;
    new_columns jsonb;
    image jsonb;
BEGIN
    EXECUTE format('SELECT count(*), min(id)::text FROM %I', rows_table) INTO affected, entity_id;
    IF affected = 0 THEN
        RETURN NULL;
    END IF;
    IF affected = 1 THEN
        IF TG_OP <> 'INSERT' THEN
            EXECUTE 'SELECT to_jsonb(o) FROM audit_old o' INTO image;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            EXECUTE 'SELECT to_jsonb(n) FROM audit_new n' INTO new_columns;
        END IF;
        INSERT INTO audit_log (actor_id, command, action, entity, entity_id, before, after)
        VALUES (app_current_user_id(), app_current_command(), lower(TG_OP), TG_TABLE_NAME, entity_id, image, new_columns);
        RETURN NULL;
    END IF;
    SELECT string_agg(format(CASE WHEN t.typcategory = 'A' THEN '%L, jsonb_agg(%I)' ELSE '%L, array_agg(%I)' END,
                             a.attname, a.attname), ', ' ORDER BY a.attnum)
    INTO columns
    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
    WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped;
    -- One sort and one pass per transition table. All aggregates of a query read the same rows in the same order,
    -- so the column arrays stay aligned with each other and with ids; the sorted subquery makes that order the id order.
    EXECUTE format('SELECT jsonb_agg(id), CASE WHEN min(instructor_id) = max(instructor_id) THEN min(instructor_id) END,
                           jsonb_build_object(%s) FROM (SELECT * FROM %I ORDER BY id) r', columns, rows_table)
        INTO ids, instructor, new_columns;
    IF TG_OP = 'UPDATE' THEN
        EXECUTE format('SELECT jsonb_build_object(%s) FROM (SELECT * FROM audit_old ORDER BY id) r', columns) INTO old_columns;
    ELSIF TG_OP = 'DELETE' THEN
        old_columns := new_columns;
        new_columns := NULL;
    END IF;
    INSERT INTO audit_log (actor_id, command, action, entity, entity_id, before, after)
    VALUES (app_current_user_id(), app_current_command(), lower(TG_OP), TG_TABLE_NAME, NULL,
            CASE WHEN old_columns IS NOT NULL
                 THEN jsonb_build_object('count', affected, 'ids', ids, 'instructor_id', instructor, 'columns', old_columns) END,
            CASE WHEN new_columns IS NOT NULL
                 THEN jsonb_build_object('count', affected, 'ids', ids, 'instructor_id', instructor, 'columns', new_columns) END);
    RETURN NULL;
END $$;

-- "A name is an id or a name": all digits (at most 18) name a row by id; anything else names a user by email
-- (case-insensitively) or a type by slug. The one reading of a name in the database; Java's Names helper says
-- the same for input checks. Security invoker: the caller sees what row-level security lets it see.
-- Kinds: 'user', 'active_user', 'type'. NULL when nothing matches.
CREATE OR REPLACE FUNCTION resolve_name(p_kind text, p_name text) RETURNS bigint
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp
AS $$
DECLARE
    v_name text := btrim(p_name);
    v_id bigint;
BEGIN
    IF v_name IS NULL OR v_name = '' THEN
        RETURN NULL;
    END IF;
    IF p_kind IN ('user', 'active_user') THEN
        IF v_name ~ '^[0-9]{1,18}$' THEN
            SELECT u.id INTO v_id FROM users u WHERE u.id = v_name::bigint AND (p_kind = 'user' OR u.active);
        ELSE
            SELECT u.id INTO v_id FROM users u WHERE lower(u.email) = lower(v_name) AND (p_kind = 'user' OR u.active);
        END IF;
    ELSIF p_kind = 'type' THEN
        IF v_name ~ '^[0-9]{1,18}$' THEN
            SELECT t.id INTO v_id FROM appointment_types t WHERE t.id = v_name::bigint;
        ELSE
            SELECT t.id INTO v_id FROM appointment_types t WHERE t.slug = lower(v_name);
        END IF;
    ELSE
        RAISE EXCEPTION 'unknown kind of name %', p_kind USING ERRCODE = '22023';
    END IF;
    RETURN v_id;
END $$;
GRANT EXECUTE ON FUNCTION resolve_name(text, text) TO schedctl_app;

-- Every transaction calls this (Database.actAs): an active user by id or email (resolve_name), else NULL.
-- plpgsql keeps its plan; security definer, so the actor is found before row-level security knows who acts.
CREATE OR REPLACE FUNCTION resolve_actor(ident text) RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    found_id bigint := resolve_name('active_user', ident);
    me bigint := app_current_user_id();
BEGIN
    -- With no acting user this is how --as and SCHEDCTL_USER are resolved (Database.actAs), so it answers. With
    -- one, it answers only for a user the caller may see (the users_read policy): themselves, any instructor,
    -- their own students for an instructor, anyone for an administrator.
    IF me IS NOT NULL AND found_id IS NOT NULL AND found_id <> me AND NOT app_is_admin()
       AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = found_id AND u.role = 'instructor')
       AND NOT (app_is_instructor() AND app_instructor_has_student(found_id)) THEN
        RETURN NULL;
    END IF;
    RETURN found_id;
END $$;
REVOKE EXECUTE ON FUNCTION resolve_actor(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION resolve_actor(text) TO schedctl_app;

-- audit_row(key column, columns to leave out...): the audit log records an attachment's name, type, size and
-- SHA-256, not its content (up to 25 MiB that would otherwise be copied into every audit row as hex).
CREATE OR REPLACE FUNCTION audit_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    omitted text[] := CASE WHEN TG_NARGS > 1 THEN TG_ARGV[1:TG_NARGS - 1] ELSE '{}'::text[] END;
    old_row jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) - omitted END;
    new_row jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) - omitted END;
    key_col text := coalesce(TG_ARGV[0], 'id');
BEGIN
    IF TG_OP = 'UPDATE' AND old_row = new_row THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit_log (actor_id, command, action, entity, entity_id, before, after)
    VALUES (app_current_user_id(), app_current_command(), lower(TG_OP), TG_TABLE_NAME,
            coalesce(new_row, old_row) ->> key_col, old_row, new_row);
    RETURN NULL;
END $$;

-- Triggers
DROP TRIGGER IF EXISTS users_touch ON users;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

DROP TRIGGER IF EXISTS instructor_settings_touch ON instructor_settings;
CREATE TRIGGER instructor_settings_touch BEFORE UPDATE ON instructor_settings
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

DROP TRIGGER IF EXISTS appointment_types_touch ON appointment_types;
CREATE TRIGGER appointment_types_touch BEFORE UPDATE ON appointment_types
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

DROP TRIGGER IF EXISTS booking_sessions_touch ON booking_sessions;
CREATE TRIGGER booking_sessions_touch BEFORE UPDATE ON booking_sessions FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

DROP TRIGGER IF EXISTS appointment_waitlist_touch ON appointment_waitlist;
CREATE TRIGGER appointment_waitlist_touch BEFORE UPDATE ON appointment_waitlist FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

DROP TRIGGER IF EXISTS appointment_notifications_touch ON appointment_notifications;
CREATE TRIGGER appointment_notifications_touch BEFORE UPDATE ON appointment_notifications
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- A user's phone number, clear or sealed, stays out of the audit log: the log is not encrypted (V68); the key id
-- stays, so a rotation shows.
DROP TRIGGER IF EXISTS users_audit ON users;
CREATE TRIGGER users_audit AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION audit_row('id', 'phone', 'phone_sealed');

DROP TRIGGER IF EXISTS instructor_settings_audit ON instructor_settings;
CREATE TRIGGER instructor_settings_audit AFTER INSERT OR UPDATE OR DELETE ON instructor_settings
    FOR EACH ROW EXECUTE FUNCTION audit_row('instructor_id');

DROP TRIGGER IF EXISTS appointment_types_audit ON appointment_types;
CREATE TRIGGER appointment_types_audit AFTER INSERT OR UPDATE OR DELETE ON appointment_types
    FOR EACH ROW EXECUTE FUNCTION audit_row();

DROP TRIGGER IF EXISTS appointments_audit ON appointments;
CREATE TRIGGER appointments_audit AFTER INSERT OR UPDATE OR DELETE ON appointments
    FOR EACH ROW EXECUTE FUNCTION audit_row();

DROP TRIGGER IF EXISTS booking_sessions_audit ON booking_sessions;
CREATE TRIGGER booking_sessions_audit AFTER INSERT OR UPDATE OR DELETE ON booking_sessions
    FOR EACH ROW EXECUTE FUNCTION audit_row();

DROP TRIGGER IF EXISTS appointment_waitlist_audit ON appointment_waitlist;
CREATE TRIGGER appointment_waitlist_audit AFTER INSERT OR UPDATE OR DELETE ON appointment_waitlist
    FOR EACH ROW EXECUTE FUNCTION audit_row();

DROP TRIGGER IF EXISTS instructor_availability_audit_insert ON instructor_availability;
CREATE TRIGGER instructor_availability_audit_insert AFTER INSERT ON instructor_availability
    REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();

DROP TRIGGER IF EXISTS instructor_availability_audit_update ON instructor_availability;
CREATE TRIGGER instructor_availability_audit_update AFTER UPDATE ON instructor_availability
    REFERENCING OLD TABLE AS audit_old NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();

DROP TRIGGER IF EXISTS instructor_availability_audit_delete ON instructor_availability;
CREATE TRIGGER instructor_availability_audit_delete AFTER DELETE ON instructor_availability
    REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();

DROP TRIGGER IF EXISTS time_blocks_audit_insert ON time_blocks;
CREATE TRIGGER time_blocks_audit_insert AFTER INSERT ON time_blocks
    REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();

DROP TRIGGER IF EXISTS time_blocks_audit_update ON time_blocks;
CREATE TRIGGER time_blocks_audit_update AFTER UPDATE ON time_blocks
    REFERENCING OLD TABLE AS audit_old NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();

DROP TRIGGER IF EXISTS time_blocks_audit_delete ON time_blocks;
CREATE TRIGGER time_blocks_audit_delete AFTER DELETE ON time_blocks
    REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();

DROP TRIGGER IF EXISTS calendar_import_events_audit ON calendar_import_events;
CREATE TRIGGER calendar_import_events_audit AFTER INSERT OR UPDATE OR DELETE ON calendar_import_events
    FOR EACH ROW EXECUTE FUNCTION audit_row('uid');

DROP TRIGGER IF EXISTS appointment_attachments_audit ON appointment_attachments;
CREATE TRIGGER appointment_attachments_audit AFTER INSERT OR UPDATE OR DELETE ON appointment_attachments
    FOR EACH ROW EXECUTE FUNCTION audit_row('id', 'content');

-- Issue 12, the trust boundary: no EXECUTE for PUBLIC on a SECURITY DEFINER function; the runtime role gets it
-- only where the application, a policy or an invoker function calls it (DefinerCatalogIT checks the catalog).
REVOKE EXECUTE ON FUNCTION app_trusted_now(timestamptz) FROM PUBLIC, schedctl_app;
REVOKE EXECUTE ON FUNCTION audit_row() FROM PUBLIC, schedctl_app;
REVOKE EXECUTE ON FUNCTION audit_statement() FROM PUBLIC, schedctl_app;
