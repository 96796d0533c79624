-- schedctl V61 (issue 12, the trust boundary): Quartz's scheduler state leaves the runtime role's reach, and the
-- database gets the bound on "now" that definer functions trust instead of a caller's argument.
--
-- V40 put the eleven qrtz_* tables in public with plain table privileges for schedctl_app and no row-level
-- security, so any signed-in user's session could rewrite the schedule (pause the dispatch job, fire a trigger,
-- delete the cluster's state). They move to their own schema, owned by the migrating role, with no privileges for
-- PUBLIC or the runtime role. Only the daemon's scheduler connection uses it: the owner, or a role named by
-- db.daemon.user that the operator grants
--     GRANT USAGE ON SCHEMA schedctl_quartz TO r;
--     GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA schedctl_quartz TO r;
-- Function-free, as every versioned migration (issue 10): statements only.

CREATE SCHEMA schedctl_quartz;
REVOKE ALL ON SCHEMA schedctl_quartz FROM PUBLIC;

ALTER TABLE qrtz_job_details SET SCHEMA schedctl_quartz;
ALTER TABLE qrtz_triggers SET SCHEMA schedctl_quartz;
ALTER TABLE qrtz_simple_triggers SET SCHEMA schedctl_quartz;
ALTER TABLE qrtz_cron_triggers SET SCHEMA schedctl_quartz;
ALTER TABLE qrtz_simprop_triggers SET SCHEMA schedctl_quartz;
ALTER TABLE qrtz_blob_triggers SET SCHEMA schedctl_quartz;
ALTER TABLE qrtz_calendars SET SCHEMA schedctl_quartz;
ALTER TABLE qrtz_paused_trigger_grps SET SCHEMA schedctl_quartz;
ALTER TABLE qrtz_fired_triggers SET SCHEMA schedctl_quartz;
ALTER TABLE qrtz_scheduler_state SET SCHEMA schedctl_quartz;
ALTER TABLE qrtz_locks SET SCHEMA schedctl_quartz;

-- The grants V30 gave follow the tables into the schema; take them back, so that even a later GRANT USAGE on
-- the schema would not hand the runtime role the scheduler.
REVOKE ALL ON ALL TABLES IN SCHEMA schedctl_quartz FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA schedctl_quartz FROM schedctl_app;

-- The trusted clock. SECURITY DEFINER functions that write other people's rows (booking_prepare expiring holds,
-- the notification outbox) take the caller's "now" only up to app_trusted_now() (R file): the database's now(),
-- or, when this table has its one row, the instant in it. Only the owner writes it (no privilege for anyone
-- else); test databases set it to 'infinity' so their fixed clocks (in 2027) drive the booking rules, as the
-- CLI's clock does. A production database has no row, so a client can never move the clock forward to
-- cancel another student's live hold.
CREATE TABLE app_clock (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    latest    timestamptz NOT NULL
);
REVOKE ALL ON app_clock FROM PUBLIC;
REVOKE ALL ON app_clock FROM schedctl_app;
-- Enabled, not forced: no role but the owner has a privilege on it, and no policy lets the runtime role in.
ALTER TABLE app_clock ENABLE ROW LEVEL SECURITY;
