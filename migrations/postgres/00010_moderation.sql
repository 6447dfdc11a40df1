-- +goose Up
-- Staff actions on posts and topics. A hidden post keeps why, by whom and
-- when, which its author reads on the topic page.
ALTER TABLE posts ADD COLUMN hidden_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN hidden_by_id BIGINT REFERENCES users (id);
ALTER TABLE posts ADD COLUMN hidden_at TIMESTAMPTZ;
-- A topic merged into another keeps its row and sends its readers there.
ALTER TABLE topics ADD COLUMN merged_into_id BIGINT REFERENCES topics (id);
CREATE INDEX posts_state ON posts (state, topic_id) WHERE state <> 'published';

-- Saved replies and hide reasons, per language, that staff insert in one
-- click. kind is "reply" or "hide".
CREATE TABLE canned_responses (
    id            BIGSERIAL PRIMARY KEY,
    kind          TEXT NOT NULL,
    language      TEXT NOT NULL,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_by_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX canned_responses_kind ON canned_responses (kind, language, title);

-- +goose Down
DROP TABLE canned_responses;
DROP INDEX posts_state;
ALTER TABLE topics DROP COLUMN merged_into_id;
ALTER TABLE posts DROP COLUMN hidden_at;
ALTER TABLE posts DROP COLUMN hidden_by_id;
ALTER TABLE posts DROP COLUMN hidden_reason;
