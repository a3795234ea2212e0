package pipelines

import (
	"time"

	"github.com/switchboardhq/switchboard/event"
)

// Env is the typed environment every expression is compiled against and
// evaluated in. Build it with NewEnv; it is read-only during evaluation.
type Env struct {
	Event   EventEnv           `expr:"event"`
	Contact event.Contact      `expr:"contact"`
	Steps   map[string]StepEnv `expr:"steps"`
	Vars    map[string]any     `expr:"vars"`
	Now     time.Time          `expr:"now"`
}

// EventEnv is the event as expressions see it.
type EventEnv struct {
	ID      string         `expr:"id"`
	Source  string         `expr:"source"`
	Type    string         `expr:"type"`
	Subject string         `expr:"subject"`
	Time    time.Time      `expr:"time"`
	Data    map[string]any `expr:"data"`
}

// StepEnv is what a finished step exposes to later steps as steps.<id>.
type StepEnv struct {
	Status string         `expr:"status"`
	Output map[string]any `expr:"output"`
}

// NewEnv builds the environment for one evaluation. e and c may be nil (a
// zero event or contact); steps and vars are used as given, not copied, and
// must not be modified while an evaluation runs. now is the caller's clock
// reading: the package never reads the clock itself.
func NewEnv(e *event.Event, c *event.Contact, steps map[string]StepEnv, vars map[string]any, now time.Time) *Env {
	env := &Env{Steps: steps, Vars: vars, Now: now}
	if e != nil {
		env.Event = EventEnv{
			ID:      e.ID,
			Source:  e.Source,
			Type:    e.Type,
			Subject: e.Subject,
			Time:    e.Time,
			Data:    e.Data,
		}
	}
	if c != nil {
		env.Contact = *c
	}
	return env
}
