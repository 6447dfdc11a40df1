-- +goose Up
-- Why each member has the points they have: one row per reason, with the
-- points it was worth when it happened. users.reputation is their sum, kept
-- up to date in the same transaction, and can be recomputed from here.
-- A reason is named by (kind, post_id, actor_id): a job that runs twice
-- finds its row there and counts nothing more. actor_id is who gave the
-- points (the member who reacted, the asker), 0 when nobody did; post_id
-- and topic_id are 0 for reasons tied to no post.
CREATE TABLE reputation_events (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    points     INTEGER NOT NULL,
    post_id    BIGINT NOT NULL DEFAULT 0,
    topic_id   BIGINT NOT NULL DEFAULT 0,
    actor_id   BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX reputation_events_reason ON reputation_events (kind, post_id, actor_id);
CREATE INDEX reputation_events_post ON reputation_events (post_id);
CREATE INDEX reputation_events_user ON reputation_events (user_id, created_at);
-- The leaderboard of a week or a month sums the points earned since then.
CREATE INDEX reputation_events_created ON reputation_events (created_at, user_id, points);
-- The all-time leaderboard.
CREATE INDEX users_reputation ON users (reputation DESC, id);

-- Badges members earned; each at most once.
CREATE TABLE user_badges (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    badge      TEXT NOT NULL,
    post_id    BIGINT REFERENCES posts (id) ON DELETE SET NULL,
    granted_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, badge)
);
-- A badge's page lists its holders, newest first.
CREATE INDEX user_badges_badge ON user_badges (badge, granted_at DESC, user_id DESC);

-- The days each member visited (UTC), for trust levels.
CREATE TABLE user_visits (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day     DATE NOT NULL,
    PRIMARY KEY (user_id, day)
);

-- +goose Down
DROP TABLE user_visits;
DROP TABLE user_badges;
DROP INDEX users_reputation;
DROP TABLE reputation_events;
