-- schedctl V1: the complete schema of the seed's eleven tables plus users, audit_log and the tables any
-- real scheduling system needs (appointment history, time-block occurrences, zones). Rules that protect
-- data live here, so every writer (CLI, import, daemon, a future web app) obeys them.
--
-- The functions, triggers and views this migration introduced now live, in their current form, in R__10_common.sql
-- (helpers, touch and audit triggers, resolve_actor) and R__30_booking.sql (references, appointments_derive).

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- ---------------------------------------------------------------------------------------------------------
-- Helpers
-- ---------------------------------------------------------------------------------------------------------

-- IANA zone names known to this server. A foreign key to this table validates a zone in one index probe,
-- where a CHECK against pg_timezone_names would read the zone directory for every row.
CREATE TABLE time_zones (
    name text PRIMARY KEY
);
INSERT INTO time_zones (name)
SELECT name FROM pg_timezone_names
WHERE name !~ '^(posix|right)/' AND name <> 'posixrules' AND name !~ '^[A-Z]{3,5}[0-9]?([A-Z]{3})?$'
   OR name = 'UTC';

-- A duration column: non-negative, and made only of hours, minutes and seconds so that arithmetic on
-- timestamptz never depends on a session time zone.
CREATE DOMAIN duration_interval AS interval
    CHECK (VALUE >= interval '0' AND date_part('month', VALUE) = 0 AND date_part('year', VALUE) = 0
           AND date_part('day', VALUE) = 0);

CREATE DOMAIN money_amount AS numeric(12, 2) CHECK (VALUE >= 0);
CREATE DOMAIN currency_code AS char(3) CHECK (VALUE ~ '^[A-Z]{3}$');

-- ---------------------------------------------------------------------------------------------------------
-- People
-- ---------------------------------------------------------------------------------------------------------

CREATE TABLE users (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email       text        NOT NULL CHECK (length(email) <= 254 AND email ~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+$'),
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200 AND name !~ '[[:cntrl:]]'),
    role        text        NOT NULL CHECK (role IN ('student', 'instructor', 'admin')),
    timezone    text        NOT NULL DEFAULT 'UTC' REFERENCES time_zones (name),
    phone       text CHECK (phone ~ '^\+?[0-9][0-9 ().-]{2,31}$'),
    locale      text        NOT NULL DEFAULT 'en' CHECK (locale ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
    is_builtin  boolean     NOT NULL DEFAULT false,
    active      boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_role_idx ON users (role);

-- The built-in administrator: the operator's identity when no --as is given.
INSERT INTO users (email, name, role, timezone, is_builtin)
VALUES ('admin@schedctl.local', 'Administrator', 'admin', 'UTC', true);

CREATE TABLE instructor_settings (
    instructor_id      bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    auto_confirm       boolean           NOT NULL DEFAULT true,
    buffer_before      duration_interval NOT NULL DEFAULT '0',
    buffer_after       duration_interval NOT NULL DEFAULT '0',
    min_notice         interval          NOT NULL DEFAULT '0' CHECK (min_notice >= interval '0'),
    max_advance        interval          NOT NULL DEFAULT '90 days' CHECK (max_advance > interval '0'),
    max_daily          integer CHECK (max_daily > 0),
    max_consecutive    integer CHECK (max_consecutive > 0),
    reminder_offsets   interval[]        NOT NULL DEFAULT '{24:00:00,01:00:00,00:15:00}',
    channels           text[]            NOT NULL DEFAULT '{email,in_app}'
        CHECK (channels <@ ARRAY ['email', 'sms', 'push', 'in_app', 'webhook']::text[]),
    meeting_platform   text CHECK (length(meeting_platform) <= 100),
    cancel_policy      text CHECK (length(cancel_policy) <= 200),
    reschedule_policy  text CHECK (length(reschedule_policy) <= 200),
    bio                text CHECK (length(bio) <= 4000),
    specialties        text[]            NOT NULL DEFAULT '{}',
    created_at         timestamptz       NOT NULL DEFAULT now(),
    updated_at         timestamptz       NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------------------------------------
-- Offerings and availability
-- ---------------------------------------------------------------------------------------------------------

CREATE TABLE appointment_types (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instructor_id          bigint            NOT NULL REFERENCES users (id),
    slug                   text              NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$' AND slug !~ '^[0-9]+$'),
    name                   text              NOT NULL CHECK (length(name) BETWEEN 1 AND 200 AND name !~ '[[:cntrl:]]'),
    description            text CHECK (length(description) <= 4000),
    duration               duration_interval NOT NULL CHECK (duration > interval '0'),
    price                  money_amount,
    currency               currency_code,
    buffer_before          duration_interval,
    buffer_after           duration_interval,
    min_notice             interval CHECK (min_notice >= interval '0'),
    max_advance            interval CHECK (max_advance > interval '0'),
    slot_interval          duration_interval CHECK (slot_interval > interval '0'),
    requires_confirmation  boolean           NOT NULL DEFAULT false,
    capacity               integer           NOT NULL DEFAULT 1 CHECK (capacity BETWEEN 1 AND 1000),
    cancel_policy          text CHECK (length(cancel_policy) <= 200),
    reschedule_policy      text CHECK (length(reschedule_policy) <= 200),
    location               text CHECK (length(location) <= 500),
    archived_at            timestamptz,
    created_at             timestamptz       NOT NULL DEFAULT now(),
    updated_at             timestamptz       NOT NULL DEFAULT now(),
    CHECK ((price IS NULL) = (currency IS NULL))
);
CREATE UNIQUE INDEX appointment_types_slug_key ON appointment_types (slug);
CREATE INDEX appointment_types_instructor_idx ON appointment_types (instructor_id);

-- Weekly patterns: a local time range on a weekday, meant in an IANA zone, between two dates.
CREATE TABLE instructor_availability (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instructor_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day_of_week      smallint    NOT NULL CHECK (day_of_week BETWEEN 1 AND 7), -- ISO: 1 = Monday
    start_time       time        NOT NULL,
    end_time         time        NOT NULL,
    timezone         text        NOT NULL REFERENCES time_zones (name),
    effective_from   date,
    effective_until  date,
    type_id          bigint REFERENCES appointment_types (id) ON DELETE CASCADE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (end_time > start_time),
    CHECK (effective_until IS NULL OR effective_from IS NULL OR effective_until >= effective_from)
);
CREATE UNIQUE INDEX instructor_availability_rule_key ON instructor_availability
    (instructor_id, day_of_week, start_time, end_time, timezone, coalesce(type_id, 0),
     coalesce(effective_from, '-infinity'::date), coalesce(effective_until, 'infinity'::date));

-- One-off or recurring extra availability, blackouts and vacations. Recurring blocks keep their local rule
-- (local start/end in a zone plus an RRULE); their occurrences are expanded in Java into time_block_occurrences.
CREATE TABLE time_blocks (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instructor_id   bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind            text        NOT NULL CHECK (kind IN ('available', 'unavailable', 'vacation')),
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    timezone        text        NOT NULL REFERENCES time_zones (name),
    local_start     timestamp   NOT NULL,
    local_end       timestamp   NOT NULL,
    rrule           text CHECK (length(rrule) <= 1000),
    exdates         timestamptz[] NOT NULL DEFAULT '{}',
    reason          text CHECK (length(reason) <= 500),
    source          text        NOT NULL DEFAULT 'cli' CHECK (source IN ('cli', 'import', 'ics', 'vacation')),
    expanded_until  timestamptz,
    created_by      bigint REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    CHECK (local_end > local_start)
);
CREATE INDEX time_blocks_instructor_idx ON time_blocks (instructor_id, kind);

CREATE TABLE time_block_occurrences (
    block_id       bigint    NOT NULL REFERENCES time_blocks (id) ON DELETE CASCADE,
    instructor_id  bigint    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind           text      NOT NULL CHECK (kind IN ('available', 'unavailable', 'vacation')),
    during         tstzrange NOT NULL CHECK (NOT isempty(during)),
    PRIMARY KEY (block_id, during)
);
CREATE INDEX time_block_occurrences_lookup ON time_block_occurrences USING gist (instructor_id, during);

-- ---------------------------------------------------------------------------------------------------------
-- Appointments
-- ---------------------------------------------------------------------------------------------------------

-- The multi-step booking workflow (holds). A hold also owns an appointment row in state 'held', so the
-- same exclusion constraint that forbids double booking forbids booking over a live hold.
CREATE TABLE booking_sessions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    student_id     bigint      NOT NULL REFERENCES users (id),
    instructor_id  bigint      NOT NULL REFERENCES users (id),
    type_id        bigint      NOT NULL REFERENCES appointment_types (id),
    step           text        NOT NULL DEFAULT 'held' CHECK (step IN ('selecting', 'held', 'details', 'converted', 'expired', 'abandoned')),
    starts_at      timestamptz,
    ends_at        timestamptz,
    expires_at     timestamptz NOT NULL,
    waitlist_id    bigint,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX booking_sessions_expiry_idx ON booking_sessions (expires_at) WHERE step IN ('selecting', 'held', 'details');

CREATE TABLE appointments (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Its default, generate_booking_reference(), is set by R__30_booking.sql next to the function.
    reference           text              NOT NULL
        CHECK (reference ~ '^[A-HJ-NP-Z2-9]{8}$'),
    instructor_id       bigint            NOT NULL REFERENCES users (id),
    student_id          bigint            NOT NULL REFERENCES users (id),
    type_id             bigint            NOT NULL REFERENCES appointment_types (id),
    status              text              NOT NULL
        CHECK (status IN ('held', 'pending', 'confirmed', 'completed', 'cancelled', 'declined', 'no_show')),
    starts_at           timestamptz       NOT NULL,
    ends_at             timestamptz       NOT NULL,
    timezone            text              NOT NULL REFERENCES time_zones (name),
    buffer_before       duration_interval NOT NULL DEFAULT '0',
    buffer_after        duration_interval NOT NULL DEFAULT '0',
    -- [start - buffer_before, end + buffer_after), kept by a trigger: timestamptz arithmetic is only STABLE,
    -- so it cannot be a generated column or an index expression.
    blocked             tstzrange         NOT NULL,
    -- Rows with the same session_key are seats of one group session; every other overlap is refused.
    session_key         text              NOT NULL,
    price               money_amount,
    currency            currency_code,
    fee                 money_amount,
    fee_waived          boolean           NOT NULL DEFAULT false,
    notes               text CHECK (length(notes) <= 4000),
    instructor_notes    text CHECK (length(instructor_notes) <= 4000),
    rating              smallint CHECK (rating BETWEEN 1 AND 5),
    cancel_reason       text CHECK (length(cancel_reason) <= 1000),
    cancelled_by        bigint REFERENCES users (id),
    cancelled_at        timestamptz,
    confirmed_at        timestamptz,
    completed_at        timestamptz,
    reschedule_count    integer           NOT NULL DEFAULT 0 CHECK (reschedule_count >= 0),
    idempotency_key     text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    booking_session_id  bigint REFERENCES booking_sessions (id),
    meeting_url         text CHECK (length(meeting_url) <= 1000),
    created_by          bigint REFERENCES users (id),
    created_at          timestamptz       NOT NULL DEFAULT now(),
    updated_at          timestamptz       NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    CHECK (student_id <> instructor_id),
    CHECK ((price IS NULL) = (currency IS NULL)),
    CHECK (fee IS NULL OR currency IS NOT NULL),
    CONSTRAINT appointments_no_overlap EXCLUDE USING gist (
        instructor_id WITH =, blocked WITH &&, session_key WITH <>
    ) WHERE (status IN ('held', 'pending', 'confirmed'))
);
CREATE UNIQUE INDEX appointments_reference_key ON appointments (reference);
CREATE UNIQUE INDEX appointments_idempotency_key ON appointments (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX appointments_instructor_start_idx ON appointments (instructor_id, starts_at);
CREATE INDEX appointments_student_start_idx ON appointments (student_id, starts_at);
CREATE INDEX appointments_start_idx ON appointments (starts_at);

-- Every state change and every move of an appointment, with actor and time.
CREATE TABLE appointment_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    appointment_id  bigint      NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    at              timestamptz NOT NULL DEFAULT now(),
    actor_id        bigint REFERENCES users (id),
    action          text        NOT NULL CHECK (length(action) <= 40),
    from_status     text,
    to_status       text        NOT NULL,
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    details         jsonb
);
CREATE INDEX appointment_events_appointment_idx ON appointment_events (appointment_id, at);

CREATE TABLE appointment_attachments (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    appointment_id  bigint      NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    file_name       text        NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255 AND file_name !~ '[/\\[:cntrl:]]'),
    content_type    text        NOT NULL CHECK (length(content_type) <= 255),
    size_bytes      bigint      NOT NULL CHECK (size_bytes BETWEEN 0 AND 26214400),
    sha256          text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content         bytea       NOT NULL,
    uploaded_by     bigint REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (octet_length(content) = size_bytes)
);
CREATE INDEX appointment_attachments_appointment_idx ON appointment_attachments (appointment_id);

CREATE TABLE appointment_waitlist (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    student_id              bigint      NOT NULL REFERENCES users (id),
    instructor_id           bigint      NOT NULL REFERENCES users (id),
    type_id                 bigint      NOT NULL REFERENCES appointment_types (id),
    window_start            timestamptz NOT NULL,
    window_end              timestamptz NOT NULL,
    status                  text        NOT NULL DEFAULT 'waiting'
        CHECK (status IN ('waiting', 'offered', 'booked', 'expired', 'removed')),
    offered_appointment_id  bigint REFERENCES appointments (id),
    offer_expires_at        timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CHECK (window_end > window_start),
    CHECK (student_id <> instructor_id)
);
CREATE INDEX appointment_waitlist_queue_idx ON appointment_waitlist (instructor_id, type_id, created_at)
    WHERE status IN ('waiting', 'offered');
ALTER TABLE booking_sessions ADD FOREIGN KEY (waitlist_id) REFERENCES appointment_waitlist (id);

-- ---------------------------------------------------------------------------------------------------------
-- Notifications: the outbox and the in-app inbox
-- ---------------------------------------------------------------------------------------------------------

CREATE TABLE appointment_notifications (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    appointment_id   bigint REFERENCES appointments (id) ON DELETE CASCADE,
    recipient_id     bigint      NOT NULL REFERENCES users (id),
    kind             text        NOT NULL CHECK (kind IN ('booked', 'confirmed', 'declined', 'rescheduled', 'cancelled',
                                                          'completed', 'no_show', 'reminder', 'waitlist_offer')),
    channel          text        NOT NULL CHECK (channel IN ('email', 'sms', 'push', 'in_app', 'webhook')),
    recipient        text        NOT NULL CHECK (length(recipient) <= 1000),
    subject          text CHECK (length(subject) <= 500),
    body             text CHECK (length(body) <= 20000),
    status           text        NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dead', 'cancelled')),
    due_at           timestamptz NOT NULL,
    sent_at          timestamptz,
    attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error       text CHECK (length(last_error) <= 2000),
    lease_until      timestamptz,
    idempotency_key  text        NOT NULL UNIQUE,
    read_at          timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX appointment_notifications_due_idx ON appointment_notifications (due_at)
    WHERE status IN ('pending', 'failed', 'sending');
CREATE INDEX appointment_notifications_appointment_idx ON appointment_notifications (appointment_id);
CREATE INDEX appointment_notifications_inbox_idx ON appointment_notifications (recipient_id, created_at) WHERE channel = 'in_app';

-- ---------------------------------------------------------------------------------------------------------
-- Analytics
-- ---------------------------------------------------------------------------------------------------------

-- Daily facts per instructor and currency, recomputed idempotently by `analytics aggregate`.
CREATE TABLE appointment_analytics (
    day                date          NOT NULL,
    instructor_id      bigint        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    currency           text          NOT NULL DEFAULT '' CHECK (currency = '' OR currency ~ '^[A-Z]{3}$'),
    booked             integer       NOT NULL DEFAULT 0 CHECK (booked >= 0),
    completed          integer       NOT NULL DEFAULT 0 CHECK (completed >= 0),
    cancelled          integer       NOT NULL DEFAULT 0 CHECK (cancelled >= 0),
    no_show            integer       NOT NULL DEFAULT 0 CHECK (no_show >= 0),
    declined           integer       NOT NULL DEFAULT 0 CHECK (declined >= 0),
    booked_minutes     integer       NOT NULL DEFAULT 0 CHECK (booked_minutes >= 0),
    available_minutes  integer       NOT NULL DEFAULT 0 CHECK (available_minutes >= 0),
    revenue            numeric(14,2) NOT NULL DEFAULT 0,
    fees               numeric(14,2) NOT NULL DEFAULT 0,
    computed_at        timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (day, instructor_id, currency)
);

-- Real-time counters kept by triggers, read by `analytics dashboard`.
CREATE TABLE booking_metrics_realtime (
    metric         text        NOT NULL CHECK (length(metric) <= 60),
    instructor_id  bigint      NOT NULL DEFAULT 0,
    day            date        NOT NULL,
    value          bigint      NOT NULL DEFAULT 0,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (metric, instructor_id, day)
);

-- ---------------------------------------------------------------------------------------------------------
-- Audit: every mutation, with actor, command and before/after, written by triggers so no writer can skip it.
-- ---------------------------------------------------------------------------------------------------------

CREATE TABLE audit_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor_id   bigint,
    command    text,
    action     text        NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    entity     text        NOT NULL,
    entity_id  text,
    before     jsonb,
    after      jsonb
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at);
CREATE INDEX audit_log_at_idx ON audit_log (at);
