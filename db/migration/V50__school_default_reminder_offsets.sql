-- The school's default reminder offsets (config key reminders.offsets) apply to every instructor who has not
-- chosen their own.
--
-- instructor_settings.reminder_offsets becomes nullable without a default: NULL means "the school's default",
-- an empty array means "no reminders", anything else is the instructor's own choice. Existing rows keep what they
-- store, since nothing tells a chosen 24h,1h,15m from the old column default.
--
-- The default itself is configuration, not data: the application names it per transaction with
-- set_config('app.reminder_offsets', '{"7200 seconds","600 seconds"}', true), in the same query that names the
-- acting user (Database.actAs). Unset (or empty) means 24h,1h,15m, the offsets the outbox always fell back on.
--
-- The functions, triggers and views this migration introduced now live, in their current form, in R__40_outbox.sql.

ALTER TABLE instructor_settings ALTER COLUMN reminder_offsets DROP NOT NULL;
ALTER TABLE instructor_settings ALTER COLUMN reminder_offsets DROP DEFAULT;
