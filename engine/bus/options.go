package bus

import (
	"fmt"
	"regexp"
	"time"

	"github.com/ThreeDotsLabs/watermill"
)

// Defaults for Options.
const (
	DefaultGroup       = "switchboard"
	DefaultMaxInFlight = 256
	DefaultConcurrency = 16
	DefaultAckWait     = 30 * time.Second
)

// Options configure every driver. The zero value is usable: setDefaults fills
// in what is unset.
type Options struct {
	// Logger receives the driver's (and the embedded server's) logs; nil
	// discards them.
	Logger watermill.LoggerAdapter

	// Group namespaces the bus: processes configured with the same Group
	// share one subscription per topic (each message goes to one of them),
	// and processes with different Groups on the same server or database
	// do not see each other's messages. It names the JetStream streams and
	// consumers ("<group>_<topic>") and the Postgres tables. Letters,
	// digits, '-' and '_' only. Default "switchboard".
	Group string

	// MaxInFlight is how many messages a subscription may hold delivered
	// but unacked. On NATS it is the consumer's MaxAckPending, shared by
	// every process of the Group, and the client's pull buffer; on Postgres
	// it is split into per-worker batches. Default 256.
	MaxInFlight int

	// Concurrency is how many messages one Subscribe call hands out at once
	// (its worker goroutines; on Postgres, its polling transactions, each
	// holding a connection). Default 16.
	Concurrency int

	// AckWait is how long a delivered message may stay unacked before the
	// bus delivers it again. Default 30s.
	AckWait time.Duration
}

var groupPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func (o *Options) setDefaults() {
	if o.Logger == nil {
		o.Logger = watermill.NopLogger{}
	}
	if o.Group == "" {
		o.Group = DefaultGroup
	}
	if o.MaxInFlight == 0 {
		o.MaxInFlight = DefaultMaxInFlight
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.AckWait == 0 {
		o.AckWait = DefaultAckWait
	}
}

// validate checks Options after setDefaults.
func (o *Options) validate() error {
	if !groupPattern.MatchString(o.Group) || len(o.Group) > 32 {
		return fmt.Errorf("bus: group must be 1-32 letters, digits, '-' or '_', got %q", o.Group)
	}
	if o.MaxInFlight < 1 {
		return fmt.Errorf("bus: max_in_flight must be at least 1, got %d", o.MaxInFlight)
	}
	if o.Concurrency < 1 {
		return fmt.Errorf("bus: concurrency must be at least 1, got %d", o.Concurrency)
	}
	if o.Concurrency > o.MaxInFlight {
		return fmt.Errorf("bus: concurrency (%d) must not exceed max_in_flight (%d)", o.Concurrency, o.MaxInFlight)
	}
	if o.AckWait < time.Second {
		return fmt.Errorf("bus: ack_wait must be at least 1s, got %s", o.AckWait)
	}
	return nil
}

// topicPattern is what every driver accepts as a topic: it becomes part of a
// JetStream stream name and subject and of a Postgres table name.
var topicPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func validateTopic(topic string) error {
	if !topicPattern.MatchString(topic) || len(topic) > 200 {
		return fmt.Errorf("bus: topic must be letters, digits, '-' or '_', got %q", topic)
	}
	return nil
}
