-- Availability (issue 3), part 2: free slots in SQL, by exactly the rules of the Java SlotCalculator
-- (org.schedctl.domain.availability), so the booking path can decide inside its own transaction.
-- Every duration is turned into seconds before it touches a timestamptz: '1 day' added to a timestamptz
-- follows the session's time zone, and results must not depend on that.
--
-- The functions, triggers and views this migration introduced now live, in their current form, in R__25_slots.sql.

