-- +goose Up
SET lock_timeout = '5s';
SET statement_timeout = '60s';
-- When a contact's personal details were erased (DELETE /v1/contacts/{id}).
ALTER TABLE contacts ADD COLUMN erased_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE contacts DROP COLUMN erased_at;
