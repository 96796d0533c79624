-- schedctl V23: the booking rules of a type as every party of a booking may read them. Under row-level security
-- a student cannot read the instructor's settings (V30), yet the status of a new booking (auto-confirm), its
-- buffers and the cancellation and reschedule policies that price a student's own cancellation come from
-- there. This returns exactly those terms, nothing private.
--
-- The functions, triggers and views this migration introduced now live, in their current form, in
-- R__30_booking.sql.

