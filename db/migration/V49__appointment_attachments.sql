-- schedctl V49: appointment attachments as a command (`schedctl attachments`).
--
-- The same file (by SHA-256) is attached to an appointment once: a second upload is a conflict, decided by a
-- unique index so that two uploads at once cannot both win.
--
-- The functions, triggers and views this migration introduced now live, in their current form, in R__10_common.sql
-- (audit_row and the attachments audit trigger).

CREATE UNIQUE INDEX appointment_attachments_content_key ON appointment_attachments (appointment_id, sha256);
