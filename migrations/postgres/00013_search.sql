-- +goose Up
-- What people search for, one row per normalised query and day, with no
-- trace of who searched: staff read the top searches and the searches that
-- found nothing (content gaps); the analytics work charts them.
CREATE TABLE search_terms (
    term       TEXT NOT NULL,
    day        TEXT NOT NULL, -- YYYY-MM-DD, UTC
    searches   BIGINT NOT NULL DEFAULT 0,
    empty      BIGINT NOT NULL DEFAULT 0, -- searches that found nothing
    results    BIGINT NOT NULL DEFAULT 0, -- result count of the latest search
    PRIMARY KEY (term, day)
);
CREATE INDEX search_terms_day ON search_terms (day);

-- +goose Down
DROP TABLE search_terms;
