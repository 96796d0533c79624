-- schedctl V66 (issue 16): school terms, closures and lesson series. Tables, columns, indexes, grants and row
-- security only; the functions (series booking, references), the closures in free time and the policies that
-- call functions are in R__70_series.sql and R__20_availability.sql.

-- A school term: a named range of local dates (`book --for-term NAME` books weekly until its last day).
CREATE TABLE terms (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100 AND name !~ '[[:cntrl:]]'),
    starts_on   date        NOT NULL,
    ends_on     date        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_on >= starts_on)
);

-- A closure: time nobody covered may be booked (a holiday, an exam week, a snow day). School-wide when
-- instructor_id is null, else one instructor's. uid: the UID of the holiday calendar event it was imported from.
CREATE TABLE closures (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instructor_id  bigint      REFERENCES users (id) ON DELETE CASCADE,
    during         tstzrange   NOT NULL CHECK (NOT isempty(during) AND NOT lower_inf(during) AND NOT upper_inf(during)),
    reason         text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 200 AND reason !~ '[[:cntrl:]]'),
    uid            text        CHECK (length(uid) <= 500),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX closures_during_idx ON closures USING gist (during);
CREATE UNIQUE INDEX closures_uid_idx ON closures (uid) WHERE uid IS NOT NULL;

-- A lesson series: one booking of many occurrences. Each occurrence is an ordinary appointment (series_id);
-- rule is the RRULE the occurrences were planned from (COUNT form) from local_start in zone, so a calendar
-- can carry the series as one event; sequence counts its changes (iTIP SEQUENCE).
CREATE TABLE appointment_series (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference      text        NOT NULL UNIQUE CHECK (reference ~ '^S[A-HJ-NP-Z2-9]{8}$'),
    instructor_id  bigint      NOT NULL REFERENCES users (id),
    student_id     bigint      NOT NULL REFERENCES users (id),
    type_id        bigint      NOT NULL REFERENCES appointment_types (id),
    rule           text        NOT NULL CHECK (length(rule) BETWEEN 1 AND 500),
    local_start    timestamp   NOT NULL,
    timezone       text        NOT NULL REFERENCES time_zones (name),
    sequence       integer     NOT NULL DEFAULT 0 CHECK (sequence >= 0),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (student_id <> instructor_id)
);
CREATE INDEX appointment_series_student_idx ON appointment_series (student_id);
CREATE INDEX appointment_series_instructor_idx ON appointment_series (instructor_id);

-- An occurrence's series and its planned start (the RECURRENCE-ID it keeps when moved).
ALTER TABLE appointments ADD COLUMN series_id bigint REFERENCES appointment_series (id);
ALTER TABLE appointments ADD COLUMN series_start timestamptz;
ALTER TABLE appointments ADD CONSTRAINT appointments_series_start CHECK ((series_id IS NULL) = (series_start IS NULL));
CREATE INDEX appointments_series_idx ON appointments (series_id, series_start) WHERE series_id IS NOT NULL;

-- Row security as V30's app_secure_table() sets it up, written out: forced, plus the owner's maintenance policy.
ALTER TABLE terms ENABLE ROW LEVEL SECURITY;
ALTER TABLE terms FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON terms TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON terms TO schedctl_app;

ALTER TABLE closures ENABLE ROW LEVEL SECURITY;
ALTER TABLE closures FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON closures TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON closures TO schedctl_app;

ALTER TABLE appointment_series ENABLE ROW LEVEL SECURITY;
ALTER TABLE appointment_series FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON appointment_series TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON appointment_series TO schedctl_app;
