-- +goose Up
ALTER TABLE users ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN bio TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN bio_html TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN location TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN website TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN trust_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN trust_locked BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN reputation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN topics_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN posts_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN reactions_received INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN reactions_given INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN accepted_answers INTEGER NOT NULL DEFAULT 0;

CREATE TABLE categories (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id     INTEGER REFERENCES categories (id) ON DELETE RESTRICT,
    name          TEXT NOT NULL,
    slug          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    color         TEXT NOT NULL DEFAULT '#2457c5',
    position      INTEGER NOT NULL DEFAULT 0,
    topics_count  INTEGER NOT NULL DEFAULT 0,
    posts_count   INTEGER NOT NULL DEFAULT 0,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX categories_slug ON categories (slug);

-- Who may read a category, start topics in it, reply in it: one row per
-- role and action. A category nobody listed for "read" is readable by no one
-- but administrators.
CREATE TABLE category_permissions (
    category_id INTEGER NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    role        TEXT NOT NULL,
    action      TEXT NOT NULL,
    PRIMARY KEY (category_id, role, action)
);

CREATE TABLE tags (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    topics_count INTEGER NOT NULL DEFAULT 0,
    created_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX tags_name ON tags (name);

-- Tags a category allows; a category with none allows any tag.
CREATE TABLE category_tags (
    category_id INTEGER NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    tag_id      INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (category_id, tag_id)
);

CREATE TABLE topics (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    category_id      INTEGER NOT NULL REFERENCES categories (id),
    user_id          INTEGER NOT NULL REFERENCES users (id),
    kind             TEXT NOT NULL DEFAULT 'discussion',
    title            TEXT NOT NULL,
    slug             TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'published',
    pinned           INTEGER NOT NULL DEFAULT 0,
    closed           BOOLEAN NOT NULL DEFAULT FALSE,
    archived         BOOLEAN NOT NULL DEFAULT FALSE,
    featured_at      DATETIME,
    accepted_post_id INTEGER,
    replies_count    INTEGER NOT NULL DEFAULT 0,
    reactions_count  INTEGER NOT NULL DEFAULT 0,
    views_count      INTEGER NOT NULL DEFAULT 0,
    highest_number   INTEGER NOT NULL DEFAULT 0,
    last_post_at     DATETIME NOT NULL,
    last_user_id     INTEGER REFERENCES users (id),
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL
);
-- Keyset lists: latest (by last activity), per category, per author, unanswered.
CREATE INDEX topics_latest ON topics (state, last_post_at DESC, id DESC);
CREATE INDEX topics_category_latest ON topics (category_id, state, last_post_at DESC, id DESC);
CREATE INDEX topics_user ON topics (user_id, created_at DESC, id DESC);
CREATE INDEX topics_created ON topics (state, created_at DESC, id DESC);

CREATE TABLE topic_tags (
    topic_id INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    tag_id   INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (topic_id, tag_id)
);
CREATE INDEX topic_tags_tag ON topic_tags (tag_id, topic_id);

CREATE TABLE posts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_id        INTEGER NOT NULL REFERENCES topics (id),
    user_id         INTEGER NOT NULL REFERENCES users (id),
    number          INTEGER NOT NULL,
    reply_to_id     INTEGER REFERENCES posts (id),
    body            TEXT NOT NULL,
    html            TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'published',
    official        BOOLEAN NOT NULL DEFAULT FALSE,
    reactions_count INTEGER NOT NULL DEFAULT 0,
    revisions_count INTEGER NOT NULL DEFAULT 0,
    deleted_by_id   INTEGER REFERENCES users (id),
    deleted_at      DATETIME,
    edited_at       DATETIME,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE UNIQUE INDEX posts_topic_number ON posts (topic_id, number);
CREATE INDEX posts_user ON posts (user_id, created_at DESC, id DESC);

-- Every earlier version of a post: nothing an author or moderator changes
-- is lost.
CREATE TABLE post_revisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    number     INTEGER NOT NULL,
    title      TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX post_revisions_number ON post_revisions (post_id, number);

CREATE TABLE reactions (
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (post_id, user_id, kind)
);
CREATE INDEX reactions_user ON reactions (user_id, created_at);

CREATE TABLE bookmarks (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (user_id, post_id)
);

-- How far each member has read each topic.
CREATE TABLE topic_reads (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic_id    INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    last_number INTEGER NOT NULL DEFAULT 0,
    updated_at  DATETIME NOT NULL,
    PRIMARY KEY (user_id, topic_id)
);

-- Composer drafts, kept on the server: key is "new" or "topic:<id>".
CREATE TABLE drafts (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    title      TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- A first category, so a new forum can take its first topic at once;
-- administrators rename it or add others.
INSERT INTO categories (name, slug, description, color, position, created_at, updated_at)
VALUES ('General', 'general', 'Questions, ideas and everything else.', '#2457c5', 0, datetime('now'), datetime('now'));
INSERT INTO category_permissions (category_id, role, action)
SELECT id, 'everyone', 'read' FROM categories WHERE slug = 'general'
UNION ALL SELECT id, 'members', 'start' FROM categories WHERE slug = 'general'
UNION ALL SELECT id, 'members', 'reply' FROM categories WHERE slug = 'general';

-- +goose Down
DROP TABLE drafts;
DROP TABLE topic_reads;
DROP TABLE bookmarks;
DROP TABLE reactions;
DROP TABLE post_revisions;
DROP TABLE posts;
DROP TABLE topic_tags;
DROP TABLE topics;
DROP TABLE category_tags;
DROP TABLE tags;
DROP TABLE category_permissions;
DROP TABLE categories;
ALTER TABLE users DROP COLUMN accepted_answers;
ALTER TABLE users DROP COLUMN reactions_given;
ALTER TABLE users DROP COLUMN reactions_received;
ALTER TABLE users DROP COLUMN posts_count;
ALTER TABLE users DROP COLUMN topics_count;
ALTER TABLE users DROP COLUMN reputation;
ALTER TABLE users DROP COLUMN trust_locked;
ALTER TABLE users DROP COLUMN trust_level;
ALTER TABLE users DROP COLUMN website;
ALTER TABLE users DROP COLUMN location;
ALTER TABLE users DROP COLUMN bio_html;
ALTER TABLE users DROP COLUMN bio;
ALTER TABLE users DROP COLUMN display_name;
