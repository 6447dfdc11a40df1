-- +goose Up
-- Roles are sets of permissions. The built-in ones are seeded here with the
-- permissions of auth.Builtin; administrators may change them (not admin's)
-- and define more. users.role keeps the role's name. rank orders roles:
-- nobody sanctions a member of an equal or higher rank.
CREATE TABLE roles (
    name       TEXT PRIMARY KEY,
    rank       INTEGER NOT NULL DEFAULT 0,
    builtin    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE role_permissions (
    role       TEXT NOT NULL REFERENCES roles (name) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    PRIMARY KEY (role, permission)
);

-- A member with rows here moderates those categories only.
CREATE TABLE member_scopes (
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category_id BIGINT NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, category_id)
);

-- Warnings, silences and suspensions. ends_at NULL is permanent; a lifted
-- sanction keeps its row (lifted_at, by whom and why).
CREATE TABLE sanctions (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_by  BIGINT REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    ends_at     TIMESTAMPTZ,
    seen_at     TIMESTAMPTZ,
    lifted_at   TIMESTAMPTZ,
    lifted_by   BIGINT REFERENCES users (id),
    lift_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sanctions_user ON sanctions (user_id, created_at DESC);

-- Notes the team keeps on a member; members never see them.
CREATE TABLE member_notes (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    author_id  BIGINT REFERENCES users (id),
    body       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX member_notes_user ON member_notes (user_id, created_at DESC);

-- What the sanctions in force mean, read with the account on every request:
-- until when the member is silenced or suspended (NULL: not; 9999-12-31:
-- for good), and whether a warning waits to be read.
ALTER TABLE users ADD COLUMN silenced_until TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN suspended_until TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN warning_unread BOOLEAN NOT NULL DEFAULT FALSE;

CREATE INDEX audit_log_action ON audit_log (action, created_at DESC);

INSERT INTO roles (name, rank, builtin, created_at, updated_at) VALUES ('admin', 100, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
INSERT INTO roles (name, rank, builtin, created_at, updated_at) VALUES ('lead', 80, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
INSERT INTO roles (name, rank, builtin, created_at, updated_at) VALUES ('moderator', 60, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
INSERT INTO roles (name, rank, builtin, created_at, updated_at) VALUES ('junior_moderator', 40, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
INSERT INTO roles (name, rank, builtin, created_at, updated_at) VALUES ('editor', 30, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
INSERT INTO roles (name, rank, builtin, created_at, updated_at) VALUES ('analyst', 20, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
INSERT INTO roles (name, rank, builtin, created_at, updated_at) VALUES ('member', 0, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
INSERT INTO role_permissions (role, permission) VALUES
    ('admin', 'posts.see_hidden'),
    ('admin', 'review.decide'),
    ('admin', 'review.propose'),
    ('admin', 'review.assign'),
    ('admin', 'review.approve'),
    ('admin', 'posts.hide'),
    ('admin', 'posts.edit'),
    ('admin', 'topics.manage'),
    ('admin', 'topics.pin'),
    ('admin', 'topics.feature'),
    ('admin', 'topics.announce'),
    ('admin', 'posts.official'),
    ('admin', 'moderation.canned'),
    ('admin', 'users.sanction'),
    ('admin', 'users.notes'),
    ('admin', 'users.approve'),
    ('admin', 'users.trust'),
    ('admin', 'users.see_private'),
    ('admin', 'posts.bypass_limits'),
    ('admin', 'posts.edit_archived'),
    ('admin', 'topics.reply_closed'),
    ('admin', 'moderation.policy'),
    ('admin', 'audit.read'),
    ('admin', 'reports.read'),
    ('admin', 'categories.manage'),
    ('admin', 'roles.manage'),
    ('admin', 'posts.purge'),
    ('admin', 'site.settings');
INSERT INTO role_permissions (role, permission) VALUES
    ('lead', 'posts.see_hidden'),
    ('lead', 'review.decide'),
    ('lead', 'review.assign'),
    ('lead', 'review.approve'),
    ('lead', 'posts.hide'),
    ('lead', 'posts.edit'),
    ('lead', 'topics.manage'),
    ('lead', 'topics.pin'),
    ('lead', 'topics.feature'),
    ('lead', 'topics.announce'),
    ('lead', 'posts.official'),
    ('lead', 'moderation.canned'),
    ('lead', 'users.sanction'),
    ('lead', 'users.notes'),
    ('lead', 'users.approve'),
    ('lead', 'users.trust'),
    ('lead', 'users.see_private'),
    ('lead', 'posts.bypass_limits'),
    ('lead', 'posts.edit_archived'),
    ('lead', 'topics.reply_closed'),
    ('lead', 'moderation.policy'),
    ('lead', 'audit.read'),
    ('lead', 'reports.read');
INSERT INTO role_permissions (role, permission) VALUES
    ('moderator', 'posts.see_hidden'),
    ('moderator', 'review.decide'),
    ('moderator', 'posts.hide'),
    ('moderator', 'posts.edit'),
    ('moderator', 'topics.manage'),
    ('moderator', 'topics.pin'),
    ('moderator', 'posts.official'),
    ('moderator', 'moderation.canned'),
    ('moderator', 'users.sanction'),
    ('moderator', 'users.notes'),
    ('moderator', 'users.approve'),
    ('moderator', 'users.trust'),
    ('moderator', 'users.see_private'),
    ('moderator', 'posts.bypass_limits'),
    ('moderator', 'posts.edit_archived'),
    ('moderator', 'topics.reply_closed');
INSERT INTO role_permissions (role, permission) VALUES
    ('junior_moderator', 'posts.see_hidden'),
    ('junior_moderator', 'review.propose'),
    ('junior_moderator', 'moderation.canned'),
    ('junior_moderator', 'users.notes'),
    ('junior_moderator', 'posts.bypass_limits');
INSERT INTO role_permissions (role, permission) VALUES
    ('editor', 'topics.announce'),
    ('editor', 'topics.pin'),
    ('editor', 'topics.feature'),
    ('editor', 'posts.official'),
    ('editor', 'moderation.canned'),
    ('editor', 'posts.bypass_limits'),
    ('editor', 'topics.reply_closed');
INSERT INTO role_permissions (role, permission) VALUES
    ('analyst', 'reports.read'),
    ('analyst', 'audit.read');

-- +goose Down
DROP INDEX audit_log_action;
ALTER TABLE users DROP COLUMN warning_unread;
ALTER TABLE users DROP COLUMN suspended_until;
ALTER TABLE users DROP COLUMN silenced_until;
DROP TABLE member_notes;
DROP TABLE sanctions;
DROP TABLE member_scopes;
DROP TABLE role_permissions;
DROP TABLE roles;
