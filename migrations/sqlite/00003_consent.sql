-- +goose Up
-- The consent audit log: every opt-in, opt-out and pending double opt-in,
-- with its evidence. Rows are never updated or deleted (the triggers refuse
-- it); a contact's current consent is its latest row per channel and
-- purpose. subject_hash is a keyed hash of the phone (or email, or provider
-- id) the consent was given for, so the record outlives an erased contact.
CREATE TABLE consent_events (
    id           TEXT PRIMARY KEY,
    contact_id   TEXT,
    subject_hash TEXT NOT NULL,
    channel      TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    status       TEXT NOT NULL,
    source       TEXT NOT NULL,
    words        TEXT NOT NULL DEFAULT '',
    form_id      TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    event_id     TEXT NOT NULL DEFAULT '',
    given_at     TIMESTAMP NOT NULL,
    recorded_at  TIMESTAMP NOT NULL
);
CREATE INDEX consent_events_contact ON consent_events (contact_id, channel, purpose, given_at);
CREATE INDEX consent_events_subject ON consent_events (subject_hash, channel, purpose, given_at);

-- +goose StatementBegin
CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events
BEGIN
    SELECT RAISE(ABORT, 'consent_events is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events
BEGIN
    SELECT RAISE(ABORT, 'consent_events is append-only');
END;
-- +goose StatementEnd

-- Generated secrets shared by every instance on this database (the key of
-- subject_hash when the config gives none).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP TRIGGER consent_events_no_delete;
DROP TRIGGER consent_events_no_update;
DROP TABLE consent_events;
