-- +goose Up
-- A member's colour scheme: '' follows the system, or 'light' / 'dark'.
ALTER TABLE users ADD COLUMN theme TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE users DROP COLUMN theme;
