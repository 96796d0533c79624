-- Issue 13: calendar subscriptions. An instructor's external calendar fetched over HTTP on an interval and imported
-- as its own calendar (calendar_import_events.calendar). The URL never holds credentials (a CHECK refuses userinfo);
-- they live in the configuration (calendar.NAME.secret), outside the database. The last good download is kept, so
-- a failing source leaves its busy times as they were, and the failure is recorded for `calendar list`.
-- Function-free (issue 10): the access policy, which calls functions, is in R__60_calendar.sql.
CREATE TABLE calendar_subscriptions (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instructor_id   bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    calendar        text        NOT NULL CHECK (length(calendar) BETWEEN 1 AND 100 AND calendar !~ '[[:cntrl:]]'),
    url             text        NOT NULL CHECK (url ~ '^https?://[^/?#@[:space:]]+([/?#][^[:space:]]*)?$' AND length(url) <= 2000),
    refresh_every   interval    NOT NULL CHECK (refresh_every >= interval '1 minute'),
    feed_refresh    interval,
    etag            text        CHECK (length(etag) <= 500),
    last_modified   text        CHECK (length(last_modified) <= 100),
    content         bytea,
    last_attempt_at timestamptz,
    last_success_at timestamptz,
    last_error      text        CHECK (length(last_error) <= 1000),
    next_sync_at    timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (instructor_id, calendar)
);
CREATE INDEX calendar_subscriptions_due_idx ON calendar_subscriptions (next_sync_at);

-- What app_secure_table() does, written out: forced row-level security and the owner's maintenance policy.
ALTER TABLE calendar_subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE calendar_subscriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_maintenance ON calendar_subscriptions TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON calendar_subscriptions TO schedctl_app;
