-- Issue 17: guardians and parents' evenings (conferences). Structure only; the policies that call functions, the
-- guardian helpers and the conference functions are in R__50_security.sql, R__10_common.sql and R__75_conference.sql.

-- A guardian acts for the students linked to them (several children, several guardians).
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('student', 'instructor', 'admin', 'guardian'));

CREATE TABLE guardian_links (
    guardian_id bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    student_id  bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guardian_id, student_id),
    CHECK (guardian_id <> student_id)
);
CREATE INDEX guardian_links_student_idx ON guardian_links (student_id);

-- A parents' evening: one local date and time range in the school's zone, cut into slots of one length.
CREATE TABLE conferences (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200 AND name !~ '[[:cntrl:]]'),
    on_date         date        NOT NULL,
    local_from      time        NOT NULL,
    local_to        time        NOT NULL,
    timezone        text        NOT NULL REFERENCES time_zones (name),
    slot            interval    NOT NULL CHECK (slot > interval '0'),
    max_consecutive integer     CHECK (max_consecutive > 0),
    break_length    interval    CHECK (break_length >= interval '0'),
    walk            interval    NOT NULL DEFAULT '0' CHECK (walk >= interval '0'),
    status          text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'open')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (local_to > local_from),
    CHECK ((max_consecutive IS NULL) = (break_length IS NULL))
);
CREATE UNIQUE INDEX conferences_name_key ON conferences (lower(name));

-- The teachers of an evening, their room, and the appointment type their meetings are booked as.
CREATE TABLE conference_teachers (
    conference_id bigint NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    teacher_id    bigint NOT NULL REFERENCES users (id),
    room          text   CHECK (length(room) BETWEEN 1 AND 100 AND room !~ '[[:cntrl:]]'),
    type_id       bigint REFERENCES appointment_types (id),
    PRIMARY KEY (conference_id, teacher_id)
);
CREATE INDEX conference_teachers_teacher_idx ON conference_teachers (teacher_id);

-- A family's (or a teacher's) wish to meet; earliest/latest bound the family's window in local time.
CREATE TABLE conference_requests (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conference_id bigint      NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    guardian_id   bigint      NOT NULL REFERENCES users (id),
    student_id    bigint      NOT NULL REFERENCES users (id),
    teacher_id    bigint      NOT NULL REFERENCES users (id),
    required      boolean     NOT NULL,
    by_teacher    boolean     NOT NULL DEFAULT false,
    earliest      time,
    latest        time,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (conference_id, student_id, teacher_id),
    FOREIGN KEY (conference_id, teacher_id) REFERENCES conference_teachers (conference_id, teacher_id) ON DELETE CASCADE,
    FOREIGN KEY (guardian_id, student_id) REFERENCES guardian_links (guardian_id, student_id),
    CHECK (earliest IS NULL OR latest IS NULL OR latest > earliest),
    CHECK (NOT by_teacher OR required)
);
CREATE INDEX conference_requests_guardian_idx ON conference_requests (guardian_id);
CREATE INDEX conference_requests_teacher_idx ON conference_requests (teacher_id);

-- The plan: the slot (0-based from local_from) of each placed request, and its appointment once published.
CREATE TABLE conference_plan (
    request_id     bigint  PRIMARY KEY REFERENCES conference_requests (id) ON DELETE CASCADE,
    conference_id  bigint  NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    slot_index     integer NOT NULL CHECK (slot_index >= 0),
    appointment_id bigint  REFERENCES appointments (id) ON DELETE SET NULL
);
CREATE INDEX conference_plan_conference_idx ON conference_plan (conference_id);

ALTER TABLE guardian_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE guardian_links FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON guardian_links TO CURRENT_USER USING (true) WITH CHECK (true);
ALTER TABLE conferences ENABLE ROW LEVEL SECURITY;
ALTER TABLE conferences FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON conferences TO CURRENT_USER USING (true) WITH CHECK (true);
ALTER TABLE conference_teachers ENABLE ROW LEVEL SECURITY;
ALTER TABLE conference_teachers FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON conference_teachers TO CURRENT_USER USING (true) WITH CHECK (true);
ALTER TABLE conference_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE conference_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON conference_requests TO CURRENT_USER USING (true) WITH CHECK (true);
ALTER TABLE conference_plan ENABLE ROW LEVEL SECURITY;
ALTER TABLE conference_plan FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON conference_plan TO CURRENT_USER USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, DELETE ON guardian_links TO schedctl_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON conferences, conference_teachers, conference_requests, conference_plan TO schedctl_app;
