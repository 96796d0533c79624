-- Availability (issue 3), part 1: statement-level audit for the two tables that bulk import writes, and an
-- identity for time blocks so that importing the same block twice changes nothing.

-- A row trigger on instructor_availability and time_blocks costs one audit insert per imported row, which
-- halves the import rate. One audit row per statement keeps "every mutation is audited" (actor, command, the
-- affected ids and their before/after images) at the cost of one row per statement. A statement that touches
-- exactly one row is written like audit_row() writes it, so `audit list --entity` reads the same for both.
CREATE FUNCTION audit_statement() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    affected bigint;
    ids jsonb;
    before_rows jsonb;
    after_rows jsonb;
    instructor bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT count(*), jsonb_agg(r.id ORDER BY r.id), jsonb_agg(to_jsonb(r) ORDER BY r.id)
        INTO affected, ids, after_rows FROM audit_new r;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT count(*), jsonb_agg(r.id ORDER BY r.id), jsonb_agg(to_jsonb(r) ORDER BY r.id)
        INTO affected, ids, before_rows FROM audit_old r;
    ELSE
        SELECT count(*), jsonb_agg(n.id ORDER BY n.id), jsonb_agg(to_jsonb(o) ORDER BY n.id),
               jsonb_agg(to_jsonb(n) ORDER BY n.id)
        INTO affected, ids, before_rows, after_rows
        FROM audit_new n JOIN audit_old o ON o.id = n.id
        WHERE to_jsonb(o) IS DISTINCT FROM to_jsonb(n);
    END IF;
    IF affected = 0 THEN
        RETURN NULL;
    END IF;
    -- The instructor the rows belong to, when there is one, so that instructor can read the entry (audit_is_about).
    SELECT CASE WHEN count(DISTINCT r ->> 'instructor_id') = 1 THEN min(r ->> 'instructor_id')::bigint END
    INTO instructor
    FROM jsonb_array_elements(coalesce(after_rows, before_rows)) r;
    IF affected = 1 THEN
        INSERT INTO audit_log (actor_id, command, action, entity, entity_id, before, after)
        VALUES (app_current_user_id(), app_current_command(), lower(TG_OP), TG_TABLE_NAME, ids ->> 0,
                before_rows -> 0, after_rows -> 0);
    ELSE
        INSERT INTO audit_log (actor_id, command, action, entity, entity_id, before, after)
        VALUES (app_current_user_id(), app_current_command(), lower(TG_OP), TG_TABLE_NAME, NULL,
                CASE WHEN before_rows IS NOT NULL THEN jsonb_build_object('count', affected, 'ids', ids, 'instructor_id', instructor,
                                                                          'rows', before_rows) END,
                CASE WHEN after_rows IS NOT NULL THEN jsonb_build_object('count', affected, 'ids', ids, 'instructor_id', instructor,
                                                                         'rows', after_rows) END);
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER instructor_availability_audit ON instructor_availability;
CREATE TRIGGER instructor_availability_audit_insert AFTER INSERT ON instructor_availability
    REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();
CREATE TRIGGER instructor_availability_audit_update AFTER UPDATE ON instructor_availability
    REFERENCING OLD TABLE AS audit_old NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();
CREATE TRIGGER instructor_availability_audit_delete AFTER DELETE ON instructor_availability
    REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();

DROP TRIGGER time_blocks_audit ON time_blocks;
CREATE TRIGGER time_blocks_audit_insert AFTER INSERT ON time_blocks
    REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();
CREATE TRIGGER time_blocks_audit_update AFTER UPDATE ON time_blocks
    REFERENCING OLD TABLE AS audit_old NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();
CREATE TRIGGER time_blocks_audit_delete AFTER DELETE ON time_blocks
    REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();

-- The same block (instructor, kind, instants, zone, rule) exists once: re-importing a file, or adding a block
-- twice, is recognised instead of stacking copies.
CREATE UNIQUE INDEX time_blocks_identity_key ON time_blocks
    (instructor_id, kind, starts_at, ends_at, timezone, coalesce(rrule, ''));

-- Blocks whose occurrences the horizon job must extend.
CREATE INDEX time_blocks_expansion_idx ON time_blocks (expanded_until) WHERE rrule IS NOT NULL;
