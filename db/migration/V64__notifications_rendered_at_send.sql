-- schedctl V64: notifications record what is owed, not its text (issue 11). Structure only; the functions that
-- write, claim and re-check outbox rows are in R__40_outbox.sql.
--
-- Subject and body are rendered when a row is sent, from the appointment as it is then, in the recipient's
-- locale and zone (org.schedctl.notify.MessageRenderer); a row keeps only what the current state cannot tell:
-- free text its writer added (note) and, for a reminder, how long before the start it is due.
-- Rows written before keep their stored subject and body, which the renderer no longer reads.
ALTER TABLE appointment_notifications
    ADD COLUMN note          text CHECK (length(note) <= 2000),
    ADD COLUMN remind_before interval;
