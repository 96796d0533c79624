-- schedctl R__70 (issue 16): terms, closures and lesson series — their policies, audit triggers, the series
-- reference and book_series, which books every occurrence of a series in one call under the instructor's lock.
--
-- A repeatable migration: Flyway runs it after the versioned ones whenever its text changes, so it holds the one
-- live definition of each object and is edited in place (CREATE OR REPLACE FUNCTION; DROP ... IF EXISTS then
-- CREATE for triggers and policies). Versioned files hold structure only and never call what is defined here.
-- Closures reach the guard and the lister through instructor_free_time (R__20).

-- Terms: everyone acting reads them (students book --for-term); administrators write them.
DROP POLICY IF EXISTS terms_read ON terms;
CREATE POLICY terms_read ON terms FOR SELECT USING ((SELECT app_signed_in()));
DROP POLICY IF EXISTS terms_write ON terms;
CREATE POLICY terms_write ON terms FOR ALL USING ((SELECT app_is_admin())) WITH CHECK ((SELECT app_is_admin()));

-- Closures: school-wide ones are read by everyone acting; an instructor's own by that instructor and
-- administrators. Administrators write every closure, an instructor only their own.
DROP POLICY IF EXISTS closures_read ON closures;
CREATE POLICY closures_read ON closures FOR SELECT USING (
    (SELECT app_signed_in()) AND (instructor_id IS NULL OR (SELECT app_is_admin())
                                  OR instructor_id = (SELECT app_current_user_id())));
DROP POLICY IF EXISTS closures_write ON closures;
CREATE POLICY closures_write ON closures FOR ALL
    USING ((SELECT app_is_admin()) OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())))
    WITH CHECK ((SELECT app_is_admin()) OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())));

-- Series: the two parties and administrators, as their appointments; created as appointments are.
DROP POLICY IF EXISTS appointment_series_parties ON appointment_series;
CREATE POLICY appointment_series_parties ON appointment_series FOR SELECT USING ((SELECT app_is_admin())
    OR student_id = (SELECT app_current_user_id()) OR instructor_id = (SELECT app_current_user_id()));
DROP POLICY IF EXISTS appointment_series_update ON appointment_series;
CREATE POLICY appointment_series_update ON appointment_series FOR UPDATE
    USING ((SELECT app_is_admin()) OR student_id = (SELECT app_current_user_id()) OR instructor_id = (SELECT app_current_user_id()))
    WITH CHECK ((SELECT app_is_admin()) OR student_id = (SELECT app_current_user_id()) OR instructor_id = (SELECT app_current_user_id()));
DROP POLICY IF EXISTS appointment_series_insert ON appointment_series;
CREATE POLICY appointment_series_insert ON appointment_series FOR INSERT WITH CHECK ((SELECT app_is_admin())
    OR student_id = (SELECT app_current_user_id())
    OR (instructor_id = (SELECT app_current_user_id()) AND (SELECT app_is_instructor())
        AND app_instructor_has_student(student_id)));

DROP TRIGGER IF EXISTS terms_audit ON terms;
CREATE TRIGGER terms_audit AFTER INSERT OR UPDATE OR DELETE ON terms FOR EACH ROW EXECUTE FUNCTION audit_row();
DROP TRIGGER IF EXISTS closures_audit ON closures;
CREATE TRIGGER closures_audit AFTER INSERT OR UPDATE OR DELETE ON closures FOR EACH ROW EXECUTE FUNCTION audit_row();
DROP TRIGGER IF EXISTS appointment_series_audit ON appointment_series;
CREATE TRIGGER appointment_series_audit AFTER INSERT OR UPDATE OR DELETE ON appointment_series
    FOR EACH ROW EXECUTE FUNCTION audit_row();

-- 'S' and eight characters of the booking alphabet: never an appointment's reference (eight characters).
-- SECURITY DEFINER to see every series when checking that the reference is new; writes nothing, and answers
-- nothing when nobody acts (nobody may write a series then anyway).
CREATE OR REPLACE FUNCTION generate_series_reference() RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    alphabet constant text := 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    b bytea;
    ref text;
BEGIN
    IF app_current_user_id() IS NULL THEN
        RETURN NULL;
    END IF;
    LOOP
        b := uuid_send(gen_random_uuid());
        ref := 'S';
        FOR i IN 0..7 LOOP
            ref := ref || substr(alphabet, get_byte(b, i) % 32 + 1, 1);
        END LOOP;
        EXIT WHEN NOT EXISTS (SELECT 1 FROM appointment_series WHERE reference = ref);
    END LOOP;
    RETURN ref;
END $$;
ALTER TABLE appointment_series ALTER COLUMN reference SET DEFAULT generate_series_reference();

-- Books the occurrences of a series (p_starts, planned by the caller from the RRULE in java.time) for one
-- instructor, type and student, in the caller's transaction, under the instructor's lock (booking_prepare):
-- each occurrence is checked by the guard (check_instructor_availability_comprehensive) after the ones before
-- it were written, so daily and back-to-back limits and group seats count them. Per occurrence, one row:
--   booked    the appointment (reference) at its planned start;
--   closed    a closure covers it: skipped, never a conflict;
--   conflict  refused (reason, message) with p_mode 'fail': then nothing at all is written (all or nothing);
--   skipped   refused with p_mode 'skip', or with 'nearest' when no free start lies within p_window;
--   moved     p_mode 'nearest': booked at the lister's free start nearest the planned one within p_window.
-- The series row records p_rule (COUNT form), p_local_start and p_zone for its calendar event. The 'booked' message goes out once, on the first occurrence, with
-- every booked date in p_note's place (the series' one message); each occurrence owes its own reminders from p_now on,
-- written when due (R__40's reminder schedule), as a single booking does.
-- SECURITY INVOKER: row-level security decides what the caller may write, as for book_appointment.
CREATE OR REPLACE FUNCTION book_series(p_instructor bigint, p_type bigint, p_student bigint, p_starts timestamptz[],
                                       p_mode text, p_window interval, p_rule text, p_local_start timestamp,
                                       p_zone text, p_notes text, p_now timestamptz)
    RETURNS TABLE (n integer, wanted timestamptz, starts_at timestamptz, outcome text, reason text, message text,
                   reference text, series_reference text)
    LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    v_t       record;
    v_rules   record;
    v_check   record;
    v_series  bigint;
    v_sref    text;
    v_status  text;
    v_start   timestamptz;
    v_id      bigint;
    v_ids     bigint[] := '{}';
    v_i       integer := 0;
    v_alt     timestamptz;
    v_note    text;
    v_refused integer := 0;
    v_zone    text;
BEGIN
    IF app_current_user_id() IS NULL THEN
        RETURN;  -- nobody acting: nothing
    END IF;
    SELECT t.id, t.duration, t.price, t.currency, t.capacity INTO v_t
      FROM appointment_types t WHERE t.id = p_type AND t.instructor_id = p_instructor;
    IF v_t.id IS NULL THEN
        RETURN;
    END IF;
    -- each occurrence is shown in its instructor's zone, as book_appointment's; the series keeps p_zone
    SELECT u.timezone INTO v_zone FROM users u WHERE u.id = p_instructor;
    PERFORM 1 FROM booking_prepare(p_instructor, p_now);
    SELECT r.auto_confirm, r.requires_confirmation, r.buffer_before, r.buffer_after
      INTO v_rules FROM booking_type_rules(p_type) r;
    v_status := CASE WHEN v_rules.requires_confirmation OR NOT v_rules.auto_confirm THEN 'pending' ELSE 'confirmed' END;
    -- A subtransaction: with p_mode 'fail' and a refused occurrence, everything written below is undone
    -- (SQLSTATE SC001, caught at the end), and the rows already returned say why.
    BEGIN
        INSERT INTO appointment_series AS s (instructor_id, student_id, type_id, rule, local_start, timezone)
        VALUES (p_instructor, p_student, p_type, p_rule, p_local_start, p_zone)
        RETURNING s.id, s.reference INTO v_series, v_sref;

        FOREACH v_start IN ARRAY p_starts LOOP
            v_i := v_i + 1;
            n := v_i;
            wanted := v_start;
            starts_at := NULL;
            reference := NULL;
            series_reference := v_sref;
            SELECT c.ok, c.reason, c.message INTO v_check
              FROM check_instructor_availability_comprehensive(p_instructor, p_type, v_start, v_start + v_t.duration,
                                                               NULL, p_now) c;
            reason := v_check.reason;
            message := v_check.message;
            IF NOT v_check.ok AND v_check.reason = 'closed' THEN
                outcome := 'closed';
                RETURN NEXT;
                CONTINUE;
            END IF;
            outcome := 'booked';
            IF NOT v_check.ok THEN
                IF p_mode = 'fail' THEN
                    outcome := 'conflict';
                    v_refused := v_refused + 1;
                    RETURN NEXT;
                    CONTINUE;
                END IF;
                outcome := 'skipped';
                IF p_mode = 'nearest' THEN
                    SELECT s.slot_start INTO v_alt
                      FROM get_available_slots_comprehensive(ARRAY[p_instructor], p_type::text, v_start - p_window,
                                                             v_start + p_window + interval '1 microsecond', p_now) s
                     ORDER BY abs(extract(epoch FROM s.slot_start - v_start)), s.slot_start
                     LIMIT 1;
                    IF v_alt IS NOT NULL THEN
                        SELECT c.ok INTO v_check FROM check_instructor_availability_comprehensive(
                            p_instructor, p_type, v_alt, v_alt + v_t.duration, NULL, p_now) c;
                        IF v_check.ok THEN
                            v_start := v_alt;
                            outcome := 'moved';
                        END IF;
                    END IF;
                END IF;
                IF outcome = 'skipped' THEN
                    RETURN NEXT;
                    CONTINUE;
                END IF;
            ELSE
                reason := NULL;
                message := NULL;
            END IF;
            INSERT INTO appointments AS a (instructor_id, student_id, type_id, status, starts_at, ends_at, timezone,
                                           buffer_before, buffer_after, session_key, price, currency, notes,
                                           confirmed_at, series_id, series_start, reminders_from)
            VALUES (p_instructor, p_student, p_type, v_status, v_start, v_start + v_t.duration, v_zone,
                    v_rules.buffer_before, v_rules.buffer_after, appointment_session_key(p_type, v_t.capacity, v_start),
                    v_t.price, v_t.currency, p_notes, CASE WHEN v_status = 'confirmed' THEN p_now END, v_series, wanted, p_now)
            RETURNING a.id, a.reference INTO v_id, reference;
            v_ids := v_ids || v_id;
            starts_at := v_start;
            RETURN NEXT;
        END LOOP;

        IF v_refused > 0 THEN
            RAISE EXCEPTION 'series refused' USING ERRCODE = 'SC001';
        END IF;
    EXCEPTION WHEN SQLSTATE 'SC001' THEN
        RETURN;  -- all or nothing: the series, its appointments, nothing written
    END;
    IF cardinality(v_ids) = 0 THEN
        RETURN;
    END IF;
    -- the history rows, one statement for every occurrence
    INSERT INTO appointment_events (appointment_id, at, actor_id, action, from_status, to_status, starts_at, ends_at,
                                    details)
    SELECT a.id, p_now, app_current_user_id(), 'book', NULL, a.status, a.starts_at, a.ends_at,
           jsonb_build_object('series', v_sref)
      FROM appointments a WHERE a.id = ANY (v_ids);
    SELECT format(E'Series %s: %s lessons.\n', v_sref, count(*))
           || string_agg(to_char(a.starts_at AT TIME ZONE a.timezone, 'Dy YYYY-MM-DD HH24:MI'), E'\n' ORDER BY a.starts_at)
      INTO v_note FROM appointments a WHERE a.id = ANY (v_ids);
    PERFORM enqueue_appointment_notification_kinds(v_ids[1], ARRAY ['booked'], p_now, v_note);
END $$;

-- Issue 12, the trust boundary: no EXECUTE for PUBLIC on a SECURITY DEFINER function; the runtime role gets it
-- only where the application, a policy or an invoker function calls it (DefinerCatalogIT checks the catalog).
REVOKE EXECUTE ON FUNCTION generate_series_reference() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION generate_series_reference() TO schedctl_app;
