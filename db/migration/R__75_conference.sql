-- schedctl R__75 (issue 17): the row-level security policies of parents' evenings (conferences), which call
-- functions. Structure is in V67; the guardian helpers app_acted_for()/app_acts_for() are in R__10_common.sql.
--
-- A repeatable migration: Flyway runs it after the versioned ones whenever its text changes, so it holds the one
-- live definition of each object and is edited in place (DROP ... IF EXISTS then CREATE for policies).

-- An evening and its teachers are the school's public notice board: every signed-in user reads them;
-- administrators plan them.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY ['conferences', 'conference_teachers'] LOOP
        EXECUTE format('DROP POLICY IF EXISTS %1$s_read ON %1$I', t);
        EXECUTE format($p$CREATE POLICY %1$s_read ON %1$I FOR SELECT USING ((SELECT app_signed_in()))$p$, t);
        EXECUTE format('DROP POLICY IF EXISTS %1$s_write ON %1$I', t);
        EXECUTE format($p$CREATE POLICY %1$s_write ON %1$I FOR ALL USING ((SELECT app_is_admin()))
                          WITH CHECK ((SELECT app_is_admin()))$p$, t);
    END LOOP;
END $$;

-- Requests: administrators, the teacher asked, and the family (the guardian and the students they act for) read
-- them. A guardian requests for their own linked child (the foreign key to guardian_links), a teacher requests a
-- family (by_teacher); changing or withdrawing one is an administrator's job.
DROP POLICY IF EXISTS conference_requests_read ON conference_requests;
CREATE POLICY conference_requests_read ON conference_requests FOR SELECT USING ((SELECT app_is_admin())
    OR teacher_id = (SELECT app_current_user_id()) OR guardian_id = (SELECT app_current_user_id())
    OR student_id = ANY ((SELECT app_acted_for())::bigint[]));
DROP POLICY IF EXISTS conference_requests_insert ON conference_requests;
CREATE POLICY conference_requests_insert ON conference_requests FOR INSERT WITH CHECK ((SELECT app_is_admin())
    OR (guardian_id = (SELECT app_current_user_id()) AND NOT by_teacher)
    OR (teacher_id = (SELECT app_current_user_id()) AND by_teacher AND (SELECT app_is_instructor())));
DROP POLICY IF EXISTS conference_requests_change ON conference_requests;
CREATE POLICY conference_requests_change ON conference_requests FOR UPDATE USING ((SELECT app_is_admin()))
    WITH CHECK ((SELECT app_is_admin()));
DROP POLICY IF EXISTS conference_requests_delete ON conference_requests;
CREATE POLICY conference_requests_delete ON conference_requests FOR DELETE USING ((SELECT app_is_admin()));

-- The plan follows its request (read under the request's own policy); administrators write it.
DROP POLICY IF EXISTS conference_plan_read ON conference_plan;
CREATE POLICY conference_plan_read ON conference_plan FOR SELECT USING ((SELECT app_is_admin())
    OR EXISTS (SELECT 1 FROM conference_requests r WHERE r.id = request_id));
DROP POLICY IF EXISTS conference_plan_write ON conference_plan;
CREATE POLICY conference_plan_write ON conference_plan FOR ALL USING ((SELECT app_is_admin()))
    WITH CHECK ((SELECT app_is_admin()));
