package pipelines

import (
	"time"

	"github.com/expr-lang/expr/vm"
)

// Param types an action may declare.
const (
	TypeString = "string"
	TypeNumber = "number"
	TypeBool   = "bool"
	TypeObject = "object"
	TypeArray  = "array"
	TypeAny    = "any"
)

// Step error policies (`on_error`).
const (
	OnErrorDeadLetter = "dead_letter" // the default: the run stops and the step goes to the dead-letter queue
	OnErrorContinue   = "continue"    // record the failure and run the next step
	OnErrorStop       = "stop"        // stop the run without dead-lettering
)

// Param is one input an action accepts. Type is one of TypeString,
// TypeNumber, TypeBool, TypeObject, TypeArray or TypeAny ("" means any).
type Param struct {
	Name     string
	Type     string
	Required bool
}

// ActionSpec declares an action's name and parameters.
type ActionSpec struct {
	Name   string
	Params []Param
}

// Catalog holds the actions pipelines may call, by action name. The caller
// builds it from its connectors; this package never imports them.
type Catalog map[string]ActionSpec

// Pipeline is a loaded, validated pipeline. It is immutable after Load and
// safe for concurrent use.
type Pipeline struct {
	Name        string
	Description string
	// On is the event pattern: a type ("order.shipped") or "source/type".
	On string
	// File and Line locate the pipeline's `name` in its source.
	File string
	Line int
	// Steps run in order.
	Steps []*Step
	// Vars are the literal `vars`, visible to expressions as vars.<name>.
	Vars map[string]any

	col  int         // column of the name, for cross-file findings
	when *vm.Program // nil when the pipeline has no `when`
}

// Step is one action call of a pipeline.
type Step struct {
	ID     string
	Action string
	// Wait is how long to wait before running the step (0: none).
	Wait time.Duration
	// MaxAttempts overrides the engine's retry budget; 0 means the default.
	MaxAttempts int
	// OnError is OnErrorDeadLetter, OnErrorContinue or OnErrorStop; never "".
	OnError string
	// Line is the line of the step's `id` in the pipeline file.
	Line int

	pipeline string      // owning pipeline's name, for error messages
	when     *vm.Program // nil when the step has no `when`
	with     *value      // an object; never nil
}

// Step returns the step with the given id and its index, or nil and -1.
func (p *Pipeline) Step(id string) (*Step, int) {
	for i, s := range p.Steps {
		if s.ID == id {
			return s, i
		}
	}
	return nil, -1
}
