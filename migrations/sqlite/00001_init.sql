-- +goose Up
CREATE TABLE events (
    id          TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    type        TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '',
    dedup_key   TEXT NOT NULL,
    time        TIMESTAMP NOT NULL,
    data        TEXT NOT NULL,
    raw         TEXT,
    contact     TEXT,
    contact_id  TEXT,
    status      TEXT NOT NULL DEFAULT 'accepted',
    received_at TIMESTAMP NOT NULL,
    routed_at   TIMESTAMP,
    UNIQUE (source, dedup_key)
);
CREATE INDEX events_status_received ON events (status, received_at);

CREATE TABLE contacts (
    id              TEXT PRIMARY KEY,
    phone           TEXT UNIQUE,
    email           TEXT UNIQUE,
    first_name      TEXT NOT NULL DEFAULT '',
    last_name       TEXT NOT NULL DEFAULT '',
    provider_ids    TEXT NOT NULL DEFAULT '{}',
    last_inbound_at TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

CREATE TABLE contact_identities (
    provider    TEXT NOT NULL,
    external_id TEXT NOT NULL,
    contact_id  TEXT NOT NULL REFERENCES contacts (id),
    PRIMARY KEY (provider, external_id)
);

CREATE TABLE runs (
    id          TEXT PRIMARY KEY,
    event_id    TEXT NOT NULL REFERENCES events (id),
    pipeline    TEXT NOT NULL,
    contact_id  TEXT,
    status      TEXT NOT NULL,
    step_index  INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    UNIQUE (event_id, pipeline)
);
CREATE INDEX runs_pipeline_id ON runs (pipeline, id);
CREATE INDEX runs_status_updated ON runs (status, updated_at);

CREATE TABLE step_results (
    run_id      TEXT NOT NULL REFERENCES runs (id),
    step_id     TEXT NOT NULL,
    step_index  INTEGER NOT NULL,
    action      TEXT NOT NULL,
    status      TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    inputs      TEXT,
    output      TEXT,
    error       TEXT NOT NULL DEFAULT '',
    error_class TEXT NOT NULL DEFAULT '',
    lease_until TIMESTAMP,
    started_at  TIMESTAMP,
    finished_at TIMESTAMP,
    PRIMARY KEY (run_id, step_id)
);

CREATE TABLE timers (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    owner_id    TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0,
    payload     TEXT NOT NULL DEFAULT '{}',
    due_at      TIMESTAMP NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending',
    lease_until TIMESTAMP,
    created_at  TIMESTAMP NOT NULL,
    fired_at    TIMESTAMP
);
CREATE INDEX timers_status_due ON timers (status, due_at);

CREATE TABLE outbox (
    id         TEXT PRIMARY KEY,
    connector  TEXT NOT NULL,
    action     TEXT NOT NULL,
    run_id     TEXT NOT NULL,
    step_id    TEXT NOT NULL,
    params     TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (run_id, step_id)
);

CREATE TABLE dead_letters (
    id          TEXT PRIMARY KEY,
    run_id      TEXT NOT NULL REFERENCES runs (id),
    step_id     TEXT NOT NULL,
    pipeline    TEXT NOT NULL,
    action      TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'dead',
    created_at  TIMESTAMP NOT NULL,
    replayed_at TIMESTAMP
);
CREATE INDEX dead_letters_status ON dead_letters (status, id);

-- +goose Down
DROP TABLE dead_letters;
DROP TABLE outbox;
DROP TABLE timers;
DROP TABLE step_results;
DROP TABLE runs;
DROP TABLE contact_identities;
DROP TABLE contacts;
DROP TABLE events;
