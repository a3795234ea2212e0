// Package bus provides the message bus drivers the engine runs on, behind one
// interface: an embedded NATS JetStream server, an external NATS JetStream
// cluster, and Postgres through watermill-sql.
//
// The bus only carries work: the store is the source of truth, and whatever
// the store holds as accepted but unfinished is re-published at start, so a
// driver may lose its unsynced tail on a crash without losing work.
//
// Drivers: NewEmbedded (the default: a NATS server with JetStream inside the
// process, file storage under the data directory, no network port),
// NewNATS (an external JetStream server or cluster) and NewPostgres
// (watermill-sql on the state database). All take Options and pass the
// conformance suite in package bustest: at-least-once delivery (a message is
// acked only when its handler Acks; a Nack redelivers it at once; an
// unacked one comes back after Options.AckWait, also across a restart), and
// one shared subscription per topic for all subscribers of a Group. Order is
// not kept: each subscription hands out up to Options.Concurrency messages
// at a time.
package bus

import (
	"context"

	"github.com/ThreeDotsLabs/watermill/message"
)

// Topics the engine uses.
const (
	TopicEvents = "events"
	TopicSteps  = "steps"
	TopicDLQ    = "dlq"
)

// Driver is a message bus. Publish and Subscribe follow Watermill's
// contracts: Publish returns once the bus has accepted the messages;
// Subscribe's channel delivers each message until it is Acked, and a Nacked
// (or never-acked, after the ack wait) message is delivered again. Every
// subscriber of a topic, in this process or another one configured alike,
// shares one subscription: each message goes to one of them.
//
// Close stops subscriptions and releases connections (and, for the embedded
// driver, the server); it is idempotent.
type Driver interface {
	message.Publisher
	message.Subscriber
	// Ping reports whether the bus is reachable (for /readyz).
	Ping(ctx context.Context) error
}
