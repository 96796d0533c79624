-- schedctl V45: calendar import bookkeeping, batch analytics and the real-time counters.
--
-- The functions, triggers and views this migration introduced now live, in their current form, in
-- R__45_calendar_analytics.sql (and the access policies in R__50_security.sql).

-- ---------------------------------------------------------------------------------------------------------
-- `import ics`: which external event (UID + RECURRENCE-ID) became which unavailable block, so a re-import
-- of the same file changes nothing and a changed or cancelled event replaces or removes its block.
-- ---------------------------------------------------------------------------------------------------------
CREATE TABLE calendar_import_events (
    instructor_id  bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    uid            text        NOT NULL CHECK (length(uid) BETWEEN 1 AND 1000),
    recurrence_id  text        NOT NULL DEFAULT '' CHECK (length(recurrence_id) <= 100),
    -- SHA-256 over the expanded busy ranges: same fingerprint (and all blocks still there), nothing to do.
    fingerprint    text        NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
    summary        text CHECK (length(summary) <= 500),
    imported_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (instructor_id, uid, recurrence_id)
);

-- One one-off unavailable block per busy occurrence: blocks carry no RRULE of their own, so nothing else ever
-- re-expands them; a re-import replaces them.
CREATE TABLE calendar_import_blocks (
    block_id       bigint PRIMARY KEY REFERENCES time_blocks (id) ON DELETE CASCADE,
    instructor_id  bigint NOT NULL,
    uid            text   NOT NULL,
    recurrence_id  text   NOT NULL,
    FOREIGN KEY (instructor_id, uid, recurrence_id)
        REFERENCES calendar_import_events (instructor_id, uid, recurrence_id) ON DELETE CASCADE
);
CREATE INDEX calendar_import_blocks_event_idx ON calendar_import_blocks (instructor_id, uid, recurrence_id);

-- Forced RLS plus the owner's maintenance policy (as in V30); their access policies are in R__50_security.sql.
ALTER TABLE calendar_import_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE calendar_import_events FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON calendar_import_events TO CURRENT_USER USING (true) WITH CHECK (true);
ALTER TABLE calendar_import_blocks ENABLE ROW LEVEL SECURITY;
ALTER TABLE calendar_import_blocks FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON calendar_import_blocks TO CURRENT_USER USING (true) WITH CHECK (true);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'schedctl_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON calendar_import_events, calendar_import_blocks TO schedctl_app;
    END IF;
END $$;

-- Analytics and the real-time counters: their functions and trigger are in R__45_calendar_analytics.sql.
CREATE INDEX appointments_status_start_idx ON appointments (status, starts_at) WHERE status IN ('pending', 'confirmed');
