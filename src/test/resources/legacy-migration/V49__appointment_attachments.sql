-- schedctl V49: appointment attachments as a command (`schedctl attachments`).
--
-- The same file (by SHA-256) is attached to an appointment once: a second upload is a conflict, decided by a
-- unique index so that two uploads at once cannot both win.
CREATE UNIQUE INDEX appointment_attachments_content_key ON appointment_attachments (appointment_id, sha256);

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

DROP TRIGGER appointment_attachments_audit ON appointment_attachments;
CREATE TRIGGER appointment_attachments_audit AFTER INSERT OR UPDATE OR DELETE ON appointment_attachments
    FOR EACH ROW EXECUTE FUNCTION audit_row('id', 'content');
