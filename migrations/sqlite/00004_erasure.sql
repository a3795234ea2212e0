-- +goose Up
-- When a contact's personal details were erased (DELETE /v1/contacts/{id}).
ALTER TABLE contacts ADD COLUMN erased_at TIMESTAMP;

-- +goose Down
ALTER TABLE contacts DROP COLUMN erased_at;
