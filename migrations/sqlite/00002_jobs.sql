-- +goose Up
-- The durable job queue (app/jobs). goqite is the table of maragu.dev/goqite
-- v0.4.0, created here rather than from its schema file so that goose owns
-- it; its columns, trigger and index are the ones the library expects.
CREATE TABLE goqite (
    id       TEXT PRIMARY KEY DEFAULT ('m_' || lower(hex(randomblob(16)))),
    created  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ')),
    updated  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ')),
    queue    TEXT NOT NULL,
    body     BLOB NOT NULL,
    timeout  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ')),
    received INTEGER NOT NULL DEFAULT 0,
    priority INTEGER NOT NULL DEFAULT 0
) STRICT;

-- +goose StatementBegin
CREATE TRIGGER goqite_updated_timestamp AFTER UPDATE ON goqite BEGIN
    UPDATE goqite SET updated = strftime('%Y-%m-%dT%H:%M:%fZ') WHERE id = old.id;
END;
-- +goose StatementEnd

CREATE INDEX goqite_queue_priority_created_idx ON goqite (queue, priority DESC, created);

-- Jobs that failed on every attempt, kept for people to look at and requeue.
CREATE TABLE jobs_dead (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    payload     BLOB NOT NULL,
    attempts    INTEGER NOT NULL,
    last_error  TEXT NOT NULL,
    enqueued_at DATETIME NOT NULL,
    failed_at   DATETIME NOT NULL
);
CREATE INDEX jobs_dead_name ON jobs_dead (name, failed_at);

-- When each periodic job is next due; nodes advance it with a conditional
-- update, so only one of them enqueues the run.
CREATE TABLE job_schedules (
    name        TEXT PRIMARY KEY,
    next_run_at DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);

-- +goose Down
DROP TABLE job_schedules;
DROP TABLE jobs_dead;
DROP TABLE goqite;
