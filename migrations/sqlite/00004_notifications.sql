-- +goose Up
-- How and when each member wants e-mail: immediate (batched), daily or
-- weekly digest, or never; and when the last ones went out.
ALTER TABLE users ADD COLUMN email_frequency TEXT NOT NULL DEFAULT 'immediate';
ALTER TABLE users ADD COLUMN last_mailed_at DATETIME;
ALTER TABLE users ADD COLUMN last_digest_at DATETIME;
CREATE INDEX users_email_frequency ON users (email_frequency);

-- What members are told about. dedup_key names what a notification is
-- about ("post:12", "accepted:12", "reaction:12:1", "badge:helper"), one
-- per member: a job that runs twice cannot notify twice.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    topic_id   INTEGER REFERENCES topics (id) ON DELETE CASCADE,
    post_id    INTEGER REFERENCES posts (id) ON DELETE CASCADE,
    actor_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    dedup_key  TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}',
    read_at    DATETIME,
    mailed_at  DATETIME,
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX notifications_dedup ON notifications (user_id, dedup_key);
-- The unread count in the header and the member's list.
CREATE INDEX notifications_user_unread ON notifications (user_id, read_at, id);
-- The mail jobs look for what is unread and not mailed yet.
CREATE INDEX notifications_unmailed ON notifications (created_at) WHERE mailed_at IS NULL AND read_at IS NULL;

-- Watch levels: watching (every post), tracking (unread counts only),
-- normal (replies and mentions), muted (nothing). One row per member and
-- topic, or per member and category.
CREATE TABLE watches (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic_id    INTEGER REFERENCES topics (id) ON DELETE CASCADE,
    category_id INTEGER REFERENCES categories (id) ON DELETE CASCADE,
    level       TEXT NOT NULL,
    updated_at  DATETIME NOT NULL,
    CHECK ((topic_id IS NULL) <> (category_id IS NULL))
);
CREATE UNIQUE INDEX watches_user_topic ON watches (user_id, topic_id);
CREATE UNIQUE INDEX watches_user_category ON watches (user_id, category_id);
CREATE INDEX watches_topic ON watches (topic_id) WHERE topic_id IS NOT NULL;
CREATE INDEX watches_category ON watches (category_id) WHERE category_id IS NOT NULL;

-- +goose Down
DROP TABLE watches;
DROP TABLE notifications;
DROP INDEX users_email_frequency;
ALTER TABLE users DROP COLUMN last_digest_at;
ALTER TABLE users DROP COLUMN last_mailed_at;
ALTER TABLE users DROP COLUMN email_frequency;
