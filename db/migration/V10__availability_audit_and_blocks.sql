-- Availability (issue 3), part 1: statement-level audit for the two tables that bulk import writes, and an
-- identity for time blocks so that importing the same block twice changes nothing.
--
-- The functions, triggers and views this migration introduced now live, in their current form, in R__10_common.sql
-- (audit_statement and its triggers).

-- The same block (instructor, kind, instants, zone, rule) made by hand or by CSV import exists once: re-importing
-- a file, or adding a block twice, is recognised instead of stacking copies. Blocks from calendars (ics) are keyed
-- by their event UID instead, and vacations may repeat, so neither is constrained here.
CREATE UNIQUE INDEX time_blocks_identity_key ON time_blocks
    (instructor_id, kind, starts_at, ends_at, timezone, coalesce(rrule, '')) WHERE source IN ('cli', 'import');

-- Blocks whose occurrences the horizon job must extend.
CREATE INDEX time_blocks_expansion_idx ON time_blocks (expanded_until) WHERE rrule IS NOT NULL;
