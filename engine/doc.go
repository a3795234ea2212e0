// Package engine runs pipelines: it accepts events into the store, routes
// them through a Watermill router on the bus, opens a run per matched
// pipeline and executes its steps through the connector contract.
//
// Topics: "events" carries accepted events to the router, which resolves the
// contact, evaluates each matching pipeline's `when` and opens runs; "steps"
// carries one step of one run at a time; "dlq" announces dead letters.
//
// Guarantees: an event is accepted once committed to the store (the bus only
// carries work, and the recovery sweep re-publishes whatever the store holds
// as unfinished); processing is at-least-once; a step is claimed in the store
// before its connector is called, so a redelivered step whose call succeeded
// never calls again; retries wait in durable timers, honouring Retry-After;
// a permanent failure goes to the dead letters without retrying.
//
// The engine names no provider: it speaks to connectors only through package
// connectors.
package engine
