// Package store keeps the hub's state with GORM over SQLite (the embedded
// default, pure Go) or Postgres: events, contacts, runs and their step
// results, timers, the sandbox outbox and dead letters.
//
// The store is the source of truth: an event is accepted once its row is
// committed, and whatever is accepted but unfinished can be found again here
// and re-published. Writes on the hot paths go through a group committer
// (Batcher): concurrent callers share one transaction, and each returns only
// after that transaction commits.
//
// Tables are created by the SQL in package migrations, never by AutoMigrate.
package store
