-- schedctl V46 (issue 3): a cheaper bulk import, and expired holds that no longer hide free slots.
--
-- The functions, triggers and views this migration introduced now live, in their current form, in R__10_common.sql
-- (audit_statement) and R__25_slots.sql (availability_busy, get_available_slots_comprehensive).

-- 2. An occurrence belongs to a block of the same instructor: one composite foreign key instead of two (to
--    time_blocks and to users), so a bulk import pays one check per occurrence instead of two, and an
--    occurrence can no longer name another instructor than its block. Deleting a user still removes the
--    occurrences (users -> time_blocks -> occurrences, both ON DELETE CASCADE). The unique index the key needs
--    replaces time_blocks_instructor_idx (instructor_id, kind): it serves the same per-instructor lookups.
ALTER TABLE time_block_occurrences
    DROP CONSTRAINT time_block_occurrences_block_id_fkey,
    DROP CONSTRAINT time_block_occurrences_instructor_id_fkey;
DROP INDEX time_blocks_instructor_idx;
CREATE UNIQUE INDEX time_blocks_instructor_block_key ON time_blocks (instructor_id, id);
ALTER TABLE time_block_occurrences
    ADD CONSTRAINT time_block_occurrences_block_fkey FOREIGN KEY (instructor_id, block_id)
        REFERENCES time_blocks (instructor_id, id) ON DELETE CASCADE;
