-- +goose Up
-- The one review queue: every item that needs a human (flags, held posts
-- and edits, registrations, junior moderators' proposals, appeals of hidden
-- posts), open until a reviewer approves or rejects it. target_key names
-- what the item is about ("post:12", "user:5"), so one thing has at most
-- one open item of a kind.
CREATE TABLE review_items (
    id              BIGSERIAL PRIMARY KEY,
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open',
    target_key      TEXT NOT NULL,
    score           INTEGER NOT NULL DEFAULT 0,
    category_id     BIGINT REFERENCES categories (id) ON DELETE SET NULL,
    topic_id        BIGINT REFERENCES topics (id),
    post_id         BIGINT REFERENCES posts (id),
    subject_id      BIGINT REFERENCES users (id),
    created_by_id   BIGINT REFERENCES users (id),
    assignee_id     BIGINT REFERENCES users (id),
    reasons         TEXT NOT NULL DEFAULT '',
    payload         TEXT NOT NULL DEFAULT '',
    decision_note   TEXT NOT NULL DEFAULT '',
    resolved_by_id  BIGINT REFERENCES users (id),
    resolved_at     TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX review_items_open_target ON review_items (kind, target_key) WHERE status = 'open';
CREATE INDEX review_items_status_age ON review_items (status, created_at, id);
CREATE INDEX review_items_status_score ON review_items (status, score DESC, id);
CREATE INDEX review_items_category ON review_items (category_id, status);
CREATE INDEX review_items_assignee ON review_items (assignee_id, status);
CREATE INDEX review_items_subject ON review_items (subject_id, kind, status);
CREATE INDEX review_items_post ON review_items (post_id);

-- Members' flags on posts and profiles: the reason, the note, and the
-- weight the flagger's trust level gave it. A member has one open flag per
-- target; the flag stays, with its outcome, once the item is decided.
CREATE TABLE flags (
    id             BIGSERIAL PRIMARY KEY,
    target_key     TEXT NOT NULL,
    post_id        BIGINT REFERENCES posts (id),
    user_id        BIGINT NOT NULL REFERENCES users (id),
    by_id          BIGINT NOT NULL REFERENCES users (id),
    reason         TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    weight         INTEGER NOT NULL,
    status         TEXT NOT NULL DEFAULT 'open',
    review_item_id BIGINT REFERENCES review_items (id),
    created_at     TIMESTAMPTZ NOT NULL,
    resolved_at    TIMESTAMPTZ
);
CREATE UNIQUE INDEX flags_open_by ON flags (by_id, target_key) WHERE status = 'open';
CREATE INDEX flags_by_day ON flags (by_id, created_at);
CREATE INDEX flags_user ON flags (user_id, status);
CREATE INDEX flags_item ON flags (review_item_id);

-- Categories whose every new post waits for a reviewer.
CREATE TABLE review_categories (
    category_id      BIGINT PRIMARY KEY REFERENCES categories (id) ON DELETE CASCADE,
    require_approval BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at       TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE review_categories;
DROP TABLE flags;
DROP TABLE review_items;
