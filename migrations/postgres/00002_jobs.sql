-- +goose Up
-- The durable job queue (app/jobs). goqite is the table of maragu.dev/goqite
-- v0.4.0, created here rather than from its schema file so that goose owns
-- it; its columns, trigger and index are the ones the library expects. The
-- id default uses gen_random_uuid() (built in since PostgreSQL 13) instead of
-- the pgcrypto extension, which needs a superuser to install.
-- +goose StatementBegin
CREATE FUNCTION goqite_update_timestamp() RETURNS trigger AS $$
BEGIN
    NEW.updated = now();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TABLE goqite (
    id       TEXT PRIMARY KEY DEFAULT ('m_' || replace(gen_random_uuid()::text, '-', '')),
    created  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated  TIMESTAMPTZ NOT NULL DEFAULT now(),
    queue    TEXT NOT NULL,
    body     BYTEA NOT NULL,
    timeout  TIMESTAMPTZ NOT NULL DEFAULT now(),
    received INTEGER NOT NULL DEFAULT 0,
    priority INTEGER NOT NULL DEFAULT 0
);

CREATE TRIGGER goqite_updated_timestamp BEFORE UPDATE ON goqite
    FOR EACH ROW EXECUTE FUNCTION goqite_update_timestamp();

CREATE INDEX goqite_queue_priority_created_idx ON goqite (queue, priority DESC, created);

-- Jobs that failed on every attempt, kept for people to look at and requeue.
CREATE TABLE jobs_dead (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    payload     BYTEA NOT NULL,
    attempts    INTEGER NOT NULL,
    last_error  TEXT NOT NULL,
    enqueued_at TIMESTAMPTZ NOT NULL,
    failed_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX jobs_dead_name ON jobs_dead (name, failed_at);

-- When each periodic job is next due; nodes advance it with a conditional
-- update, so only one of them enqueues the run.
CREATE TABLE job_schedules (
    name        TEXT PRIMARY KEY,
    next_run_at TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE job_schedules;
DROP TABLE jobs_dead;
DROP TABLE goqite;
DROP FUNCTION goqite_update_timestamp();
