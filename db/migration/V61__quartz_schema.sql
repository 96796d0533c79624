-- schedctl V61: Quartz's scheduler state leaves the runtime role's reach (issue 12).
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
