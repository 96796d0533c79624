-- schedctl V21: the booking side of the notification outbox. One call writes every row an appointment event
-- needs (per recipient and per channel of the instructor), in the booking transaction, in one round trip.
--
-- The functions, triggers and views this migration introduced now live, in their current form, in R__40_outbox.sql.

