-- +goose Up
-- Images and attachments. The bytes live in the upload storage (a folder
-- of the data dir, or object storage) under key, the SHA-256 of what was
-- stored: the same file is kept once, however many rows name it.
CREATE TABLE uploads (
    id            BIGSERIAL PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('image', 'file')),
    mime          TEXT NOT NULL,
    size          BIGINT NOT NULL,
    width         INTEGER NOT NULL DEFAULT 0,
    height        INTEGER NOT NULL DEFAULT 0,
    original_name TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX uploads_user_key ON uploads (user_id, key);
CREATE INDEX uploads_key ON uploads (key);

ALTER TABLE users ADD COLUMN avatar_upload_id BIGINT REFERENCES uploads (id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE users DROP COLUMN avatar_upload_id;
DROP TABLE uploads;
