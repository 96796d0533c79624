-- Calendar (issue 13): the policies that call functions, idempotent so this file can run again whenever it changes.
-- Administrators see every subscription, instructors their own.
DROP POLICY IF EXISTS calendar_subscriptions_access ON calendar_subscriptions;
CREATE POLICY calendar_subscriptions_access ON calendar_subscriptions
    USING ((SELECT app_is_admin()) OR instructor_id = (SELECT app_current_user_id()))
    WITH CHECK ((SELECT app_is_admin()) OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())));
