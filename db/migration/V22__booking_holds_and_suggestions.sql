-- schedctl V22: the start of every booking transaction (serialise per instructor, sweep expired holds) and the
-- next free slots suggested when a booking is refused.
--
-- The functions, triggers and views this migration introduced now live, in their current form, in R__30_booking.sql
-- (booking_prepare) and R__25_slots.sql (suggest_booking_slots).

CREATE INDEX appointments_held_idx ON appointments (instructor_id) WHERE status = 'held';
