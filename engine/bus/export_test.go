package bus

import (
	"errors"

	"github.com/nats-io/nats.go"
)

// NewEmbeddedPeer opens another driver on the server of the embedded driver
// d, over its own in-process connection: a second "process" of the same
// bus. Closing the peer leaves the server running.
func NewEmbeddedPeer(d Driver, opts Options) (Driver, error) {
	emb, ok := d.(*jetStreamDriver)
	if !ok || emb.server == nil {
		return nil, errors.New("not an embedded driver")
	}
	opts.setDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	nc, err := nats.Connect("", nats.InProcessServer(emb.server))
	if err != nil {
		return nil, err
	}
	return newJetStreamDriver(nc, opts, nil)
}

// EmbeddedListens reports whether the embedded driver's server has a
// network listener.
func EmbeddedListens(d Driver) bool {
	return d.(*jetStreamDriver).server.Addr() != nil
}
