-- schedctl V31: what the student of an appointment may change on it. Row-level security lets both parties
-- update their appointment; the lifecycle steps that are the instructor's (confirm, decline, complete, no-show)
-- and the fields that are the school's (fee waiver, price, instructor notes, instructor, type) are refused to
-- the student here, for every writer. Cancelling, converting a hold and rescheduling stay theirs.
CREATE FUNCTION appointments_guard_student_changes() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    me constant bigint := app_current_user_id();
BEGIN
    IF me IS NULL OR me <> OLD.student_id OR me = OLD.instructor_id OR app_is_admin() THEN
        RETURN NEW;
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
           NEW.status = 'cancelled'
        OR (OLD.status = 'held' AND NEW.status IN ('pending', 'confirmed'))
        -- a rescheduled appointment of a type that needs confirmation waits for the instructor again
        OR (OLD.status = 'confirmed' AND NEW.status = 'pending' AND NEW.starts_at IS DISTINCT FROM OLD.starts_at)) THEN
        RAISE EXCEPTION 'only the instructor or an administrator can move appointment % from % to %. Ask the instructor',
            OLD.reference, OLD.status, NEW.status USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.fee_waived IS DISTINCT FROM OLD.fee_waived OR NEW.price IS DISTINCT FROM OLD.price
       OR NEW.currency IS DISTINCT FROM OLD.currency OR NEW.instructor_notes IS DISTINCT FROM OLD.instructor_notes
       OR NEW.instructor_id IS DISTINCT FROM OLD.instructor_id OR NEW.type_id IS DISTINCT FROM OLD.type_id THEN
        RAISE EXCEPTION 'a student cannot change the fee waiver, price, instructor notes, instructor or type of appointment %. Ask the instructor',
            OLD.reference USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER appointments_guard_student_changes BEFORE UPDATE ON appointments
    FOR EACH ROW EXECUTE FUNCTION appointments_guard_student_changes();
