-- +goose Up
SET lock_timeout = '5s';
SET statement_timeout = '60s';
-- The consent audit log: every opt-in, opt-out and pending double opt-in,
-- with its evidence. Rows are never updated or deleted (the trigger refuses
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
    given_at     TIMESTAMPTZ NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX consent_events_contact ON consent_events (contact_id, channel, purpose, given_at);
CREATE INDEX consent_events_subject ON consent_events (subject_hash, channel, purpose, given_at);

-- +goose StatementBegin
CREATE FUNCTION consent_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'consent_events is append-only';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER consent_events_append_only BEFORE UPDATE OR DELETE ON consent_events
    FOR EACH ROW EXECUTE FUNCTION consent_events_append_only();

-- Generated secrets shared by every instance on this database (the key of
-- subject_hash when the config gives none).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP TABLE consent_events;
DROP FUNCTION consent_events_append_only();
