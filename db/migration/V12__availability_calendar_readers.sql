-- Availability (issue 3), part 3: what the Java slot path reads about other users, through SECURITY DEFINER
-- functions. Under row-level security a student (or another instructor) cannot read an instructor's settings or
-- appointments, yet free slots depend on both; these return exactly the fields slots need, and nothing about
-- the students: the same information get_available_slots_comprehensive uses inside the database.
--
-- The functions, triggers and views this migration introduced now live, in their current form, in R__25_slots.sql.

