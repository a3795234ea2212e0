-- +goose Up
SET lock_timeout = '5s';
SET statement_timeout = '60s';
-- One row per message a connector sent (or whose status arrived first);
-- delivery statuses are kept on it.
CREATE TABLE messages (
    id                TEXT PRIMARY KEY,
    connector         TEXT NOT NULL,
    contact_id        TEXT,
    run_id            TEXT,
    step_id           TEXT,
    pipeline          TEXT,
    action            TEXT,
    template          TEXT,
    template_language TEXT,
    purpose           TEXT,
    status            TEXT NOT NULL,
    error_code        TEXT,
    error_title       TEXT,
    accepted_at       TIMESTAMPTZ,
    sent_at           TIMESTAMPTZ,
    delivered_at      TIMESTAMPTZ,
    read_at           TIMESTAMPTZ,
    failed_at         TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX messages_run ON messages (run_id);
CREATE INDEX messages_contact ON messages (contact_id, created_at);

-- A connector's message templates as its last sync (and status webhooks)
-- left them.
CREATE TABLE templates (
    connector        TEXT NOT NULL,
    name             TEXT NOT NULL,
    language         TEXT NOT NULL,
    id               TEXT NOT NULL DEFAULT '',
    category         TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL DEFAULT '',
    quality          TEXT NOT NULL DEFAULT '',
    reason           TEXT NOT NULL DEFAULT '',
    parameter_format TEXT NOT NULL DEFAULT '',
    components       JSONB,
    updated_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (connector, name, language)
);

CREATE TABLE template_syncs (
    connector TEXT PRIMARY KEY,
    synced_at TIMESTAMPTZ NOT NULL,
    count     INTEGER NOT NULL
);

-- +goose Down
DROP TABLE template_syncs;
DROP TABLE templates;
DROP TABLE messages;
