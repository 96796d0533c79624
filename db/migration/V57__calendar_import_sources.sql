-- Issue 13: an import follows its source. Imported events belong to a named calendar of the instructor (the
-- `import ics --calendar NAME`, or a subscription's); a re-import of a calendar replaces that calendar's events and
-- no other's, so an event deleted from the source stops blocking. Existing imports become the calendar 'default'.
-- Function-free (issue 10): policies stay as they are; nothing here calls a function.
ALTER TABLE calendar_import_blocks DROP CONSTRAINT IF EXISTS calendar_import_blocks_instructor_id_uid_recurrence_id_fkey;
DROP INDEX IF EXISTS calendar_import_blocks_event_idx;
ALTER TABLE calendar_import_events DROP CONSTRAINT IF EXISTS calendar_import_events_pkey;

ALTER TABLE calendar_import_events
    ADD COLUMN calendar text NOT NULL DEFAULT 'default'
        CHECK (length(calendar) BETWEEN 1 AND 100 AND calendar !~ '[[:cntrl:]]');
ALTER TABLE calendar_import_blocks ADD COLUMN calendar text NOT NULL DEFAULT 'default';

ALTER TABLE calendar_import_events ADD PRIMARY KEY (instructor_id, calendar, uid, recurrence_id);
ALTER TABLE calendar_import_blocks
    ADD CONSTRAINT calendar_import_blocks_event_fkey FOREIGN KEY (instructor_id, calendar, uid, recurrence_id)
        REFERENCES calendar_import_events (instructor_id, calendar, uid, recurrence_id) ON DELETE CASCADE;
CREATE INDEX calendar_import_blocks_event_idx ON calendar_import_blocks (instructor_id, calendar, uid, recurrence_id);
