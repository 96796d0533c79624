-- schedctl V31: what the student of an appointment may change on it. Row-level security lets both parties
-- update their appointment; the lifecycle steps that are the instructor's (confirm, decline, complete, no-show)
-- and the fields that are the school's (fee waiver, price, instructor notes, instructor, type) are refused to
-- the student here, for every writer. Cancelling, converting a hold and rescheduling stay theirs.
--
-- The functions, triggers and views this migration introduced now live, in their current form, in
-- R__50_security.sql.

