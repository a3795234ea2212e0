// Package api is the hub's HTTP face (Gin): provider webhooks, REST ingest
// of events, the read and admin API over runs, the outbox and dead letters,
// health and Prometheus metrics.
//
// A 2xx to an ingest or webhook request means the events are committed to
// the store. Bad input is a 4xx with {"error": {"code", "message", "field"}}
// and stores nothing; a failure on our side is a 5xx, so providers retry.
package api
