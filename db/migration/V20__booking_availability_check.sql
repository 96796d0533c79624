-- schedctl V20: the booking rules that every writer must obey, in the database: the availability check the
-- booking transaction calls, the legal status transitions, and the group-session capacity guard.
--
-- The functions, triggers and views this migration introduced now live, in their current form, in R__10_common.sql
-- (local_to_instant, local_text), R__20_availability.sql and R__30_booking.sql.

CREATE INDEX appointments_session_key_idx ON appointments (session_key) WHERE session_key LIKE 'g:%';
CREATE INDEX booking_sessions_waitlist_idx ON booking_sessions (waitlist_id) WHERE waitlist_id IS NOT NULL;
CREATE INDEX appointment_waitlist_offer_idx ON appointment_waitlist (offer_expires_at) WHERE status = 'offered';
