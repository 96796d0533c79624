-- schedctl V48 (issue 5, second pass): contact details, who may name whom, and what the outbox accepts.
--
-- 1. Contact details. Until now every signed-in user read every instructor's whole users row, phone included.
--    The runtime role now reads only the directory columns of users (id, email, name, role, timezone, active,
--    is_builtin) — the row policy users_read still decides which rows: everyone sees self and the instructors
--    (students need them to book: CLI.md names users by email, so the instructor's email is the booking
--    handle and stays in the directory), instructors see the students they teach or who wait for them. The
--    contact columns (phone, locale, timestamps) come only from the security-barrier view user_contacts, which
--    shows full rows to the user themselves, to administrators, and to an instructor for a student they have an
--    appointment with (any status) — not for a student who is merely on their waitlist, and never one
--    instructor's contacts to another instructor or to a student.
-- 2. Who may name whom. An instructor could insert an appointment, hold or waitlist entry naming any student
--    id (ids are sequential), or move one of their rows to another student, and so make that student "theirs"
--    and read their contact details. Inserting for a student now needs the student acting, an administrator,
--    or an instructor who already has that student; and nobody but an administrator moves a row to other
--    parties. History rows and attachments are appended only in one's own name.
-- 3. The outbox. A signed-in user could insert a notification (with any address: the dispatcher, acting as the
--    administrator, would send it) or rewrite one of their appointment's notifications. Notifications are
--    written by enqueue_appointment_notifications (SECURITY DEFINER) and the administrator's dispatcher; other
--    users may only cancel a pending or failed one (what cancelling an appointment does).
--
-- The functions, triggers and views this migration introduced now live, in their current form, in
-- R__50_security.sql (and the grants on resolve_actor in R__10_common.sql).

-- ---------------------------------------------------------------------------------------------------------
-- 1. Contact details
-- ---------------------------------------------------------------------------------------------------------

-- Column privileges replace the table-wide SELECT: a table-wide grant would make column revokes meaningless.
REVOKE SELECT ON users FROM schedctl_app;
GRANT SELECT (id, email, name, role, timezone, active, is_builtin) ON users TO schedctl_app;

-- The view user_contacts, the policies and the guard triggers of this change live in R__50_security.sql.
