-- +goose Up
-- Staff actions on posts and topics. A hidden post keeps why, by whom and
-- when, which its author reads on the topic page. (SQLite cannot drop a
-- column that takes part in a foreign key, so the IDs added here carry no
-- REFERENCES clause; PostgreSQL's migration has them.)
ALTER TABLE posts ADD COLUMN hidden_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN hidden_by_id INTEGER;
ALTER TABLE posts ADD COLUMN hidden_at DATETIME;
-- A topic merged into another keeps its row and sends its readers there.
ALTER TABLE topics ADD COLUMN merged_into_id INTEGER;
CREATE INDEX posts_state ON posts (state, topic_id) WHERE state <> 'published';

-- Saved replies and hide reasons, per language, that staff insert in one
-- click. kind is "reply" or "hide".
CREATE TABLE canned_responses (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL,
    language      TEXT NOT NULL,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_by_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE INDEX canned_responses_kind ON canned_responses (kind, language, title);

-- +goose Down
DROP TABLE canned_responses;
DROP INDEX posts_state;
ALTER TABLE topics DROP COLUMN merged_into_id;
ALTER TABLE posts DROP COLUMN hidden_at;
ALTER TABLE posts DROP COLUMN hidden_by_id;
ALTER TABLE posts DROP COLUMN hidden_reason;
