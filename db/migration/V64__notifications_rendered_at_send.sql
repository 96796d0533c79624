-- schedctl V64: notifications record what is owed, not its text, and reminders are owed by appointments, not
-- pre-written (issue 11). Structure only; the functions that write, sweep, claim and re-check outbox rows are in
-- R__40_outbox.sql, the sweep mark's policy in R__50_security.sql.
--
-- Subject and body are rendered when a row is sent, from the appointment as it is then, in the recipient's
-- locale and zone (org.schedctl.notify.MessageRenderer); a row keeps only what the current state cannot tell:
-- free text its writer added (note) and, for a reminder, how long before the start it is due.
-- Rows written before keep their stored subject and body, which the renderer no longer reads.
ALTER TABLE appointment_notifications
    ADD COLUMN note          text CHECK (length(note) <= 2000),
    ADD COLUMN remind_before interval;

-- Reminders are owed, not pre-written: the booking transaction writes only its 'booked' rows, and the dispatcher
-- writes each reminder row when it falls due (enqueue_due_reminders, R__40), from the appointment as it is then.
-- reminders_from: the instant the appointment's current time was set (booked, or last moved); reminders that
-- were already due then are not owed. NULL for rows from before, whose reminders were written when booked.
ALTER TABLE appointments ADD COLUMN reminders_from timestamptz;

-- How far the dispatchers have written due reminders: one row, moved forward by each sweep under a row lock, so
-- a sweep reads only the appointments whose reminders fell due since the last one.
CREATE TABLE reminder_sweep (
    id        boolean     PRIMARY KEY DEFAULT true CHECK (id),
    swept_to  timestamptz NOT NULL
);
GRANT SELECT, INSERT, UPDATE ON reminder_sweep TO schedctl_app;
ALTER TABLE reminder_sweep ENABLE ROW LEVEL SECURITY;
ALTER TABLE reminder_sweep FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON reminder_sweep TO CURRENT_USER USING (true) WITH CHECK (true);
