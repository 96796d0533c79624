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
    instructor bigint;
    columns text;
    images jsonb;
    image jsonb;
BEGIN
    -- Transition tables are visible to dynamic SQL in the trigger function; read the one that holds the rows.
    EXECUTE format('SELECT count(*), jsonb_agg(id ORDER BY id),
                           CASE WHEN count(DISTINCT instructor_id) = 1 THEN min(instructor_id) END FROM %I',
                   CASE WHEN TG_OP = 'DELETE' THEN 'audit_old' ELSE 'audit_new' END)
        INTO affected, ids, instructor;
    IF affected = 0 THEN
        RETURN NULL;
    END IF;
    IF affected = 1 THEN
        -- Only the transition tables of this event exist, so each is read by dynamic SQL in its own branch.
        IF TG_OP <> 'INSERT' THEN
            EXECUTE 'SELECT to_jsonb(o) FROM audit_old o' INTO image;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            EXECUTE 'SELECT to_jsonb(n) FROM audit_new n' INTO images;
        END IF;
        INSERT INTO audit_log (actor_id, command, action, entity, entity_id, before, after)
        VALUES (app_current_user_id(), app_current_command(), lower(TG_OP), TG_TABLE_NAME, ids ->> 0, image, images);
        RETURN NULL;
    END IF;
    -- Many rows: one entry whose images hold each column as an array in id order. Building one JSON object per
    -- row costs six times as much, which a 100,000-row import would feel.
    -- array_agg cannot stack array columns that may be empty (exdates), so those become JSON arrays of arrays.
    SELECT string_agg(format(CASE WHEN t.typcategory = 'A' THEN '%L, jsonb_agg(%I ORDER BY id)'
                                  ELSE '%L, array_agg(%I ORDER BY id)' END, a.attname, a.attname), ', ' ORDER BY a.attnum)
    INTO columns
    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
    WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped;
    IF TG_OP <> 'INSERT' THEN
        EXECUTE format('SELECT jsonb_build_object(%s) FROM audit_old', columns) INTO images;
        image := jsonb_build_object('count', affected, 'ids', ids, 'instructor_id', instructor, 'columns', images);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        EXECUTE format('SELECT jsonb_build_object(%s) FROM audit_new', columns) INTO images;
    END IF;
    INSERT INTO audit_log (actor_id, command, action, entity, entity_id, before, after)
    VALUES (app_current_user_id(), app_current_command(), lower(TG_OP), TG_TABLE_NAME, NULL,
            image,
            CASE WHEN TG_OP <> 'DELETE'
                 THEN jsonb_build_object('count', affected, 'ids', ids, 'instructor_id', instructor, 'columns', images) END);
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

-- The same block (instructor, kind, instants, zone, rule) made by hand or by CSV import exists once: re-importing
-- a file, or adding a block twice, is recognised instead of stacking copies. Blocks from calendars (ics) are keyed
-- by their event UID instead, and vacations may repeat, so neither is constrained here.
CREATE UNIQUE INDEX time_blocks_identity_key ON time_blocks
    (instructor_id, kind, starts_at, ends_at, timezone, coalesce(rrule, '')) WHERE source IN ('cli', 'import');

-- Blocks whose occurrences the horizon job must extend.
CREATE INDEX time_blocks_expansion_idx ON time_blocks (expanded_until) WHERE rrule IS NOT NULL;
