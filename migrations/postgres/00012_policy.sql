-- +goose Up
-- Watched words: a plain word or phrase, or a regular expression, and what
-- to do with a post that holds it (block, hold, flag, censor, replace, tag).
-- Settings, not content: deleting one is fine, and audited.
CREATE TABLE watched_words (
    id            BIGSERIAL PRIMARY KEY,
    pattern       TEXT NOT NULL,
    is_regex      BOOLEAN NOT NULL DEFAULT false,
    action        TEXT NOT NULL,
    replacement   TEXT NOT NULL DEFAULT '',
    created_by_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX watched_words_pattern ON watched_words (pattern, is_regex, action);

-- +goose Down
DROP TABLE watched_words;
