-- schedctl V63: the analytics dirty set and the indexes set-based aggregation reads. Tables, indexes, grants
-- and row security only; the triggers that fill the dirty set and the functions that drain it are in
-- R__65_analytics.sql.

-- (instructor, local day) pairs whose appointment_analytics rows may be stale: appointments written, moved
-- or deleted, availability or time blocks changed. `analytics aggregate` without dates recomputes exactly
-- these pairs in one transaction and removes them. Filled by statement-level triggers (transition tables), so
-- a bulk import adds one INSERT per statement, not one per row.
CREATE TABLE analytics_dirty (
    instructor_id  bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day            date        NOT NULL,
    marked_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (instructor_id, day)
);

-- Seats of group sessions (session_key 'g:...'): the only rows whose minutes must be counted once per
-- session. A partial index keeps that second look small.
CREATE INDEX appointments_group_seat_idx ON appointments (starts_at) WHERE session_key LIKE 'g:%';

-- appointment_analytics by instructor (reports for one instructor, the instructors view, incremental runs).
CREATE INDEX appointment_analytics_instructor_day_idx ON appointment_analytics (instructor_id, day);

-- Row security as V30's app_secure_table() sets it up, written out: forced, plus the owner's maintenance
-- policy. Only administrators (through the SECURITY DEFINER drain) and the triggers touch it.
ALTER TABLE analytics_dirty ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_dirty FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON analytics_dirty TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT ON analytics_dirty TO schedctl_app;
