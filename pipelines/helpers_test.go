package pipelines

import (
	"time"

	"github.com/switchboardhq/switchboard/event"
)

// testCatalog is the catalog every test loads against.
func testCatalog() Catalog {
	return Catalog{
		"http.request": {Name: "http.request", Params: []Param{
			{Name: "method", Type: TypeString},
			{Name: "url", Type: TypeString, Required: true},
			{Name: "headers", Type: TypeObject},
			{Name: "body", Type: TypeAny},
		}},
	}
}

// testNow is the clock reading every evaluation in tests uses.
var testNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// call is one action call a run produces, as in want-calls.json.
type call struct {
	Step   string         `json:"step"`
	Action string         `json:"action"`
	Inputs map[string]any `json:"inputs"`
}

// contactOf turns the event's contact reference into the stored contact
// that pipelines see (the engine does this by looking it up).
func contactOf(e *event.Event) *event.Contact {
	if e.Contact == nil {
		return nil
	}
	return &event.Contact{
		Phone:       e.Contact.Phone,
		Email:       e.Contact.Email,
		FirstName:   e.Contact.FirstName,
		LastName:    e.Contact.LastName,
		ProviderIDs: e.Contact.ProviderIDs,
		LastInbound: e.Contact.InboundAt,
	}
}

// simulate runs p on e the way the engine would, minus the actions: steps
// run in order, each finished step is visible to later ones as
// {status: "succeeded", output: {}} and a step whose when is false as
// {status: "skipped"}. It returns the calls that would be made.
func simulate(p *Pipeline, e *event.Event) ([]call, error) {
	calls := []call{}
	if !p.Matches(e) {
		return calls, nil
	}
	steps := map[string]StepEnv{}
	env := NewEnv(e, contactOf(e), steps, p.Vars, testNow)
	ok, err := p.When(env)
	if err != nil || !ok {
		return calls, err
	}
	for _, s := range p.Steps {
		ok, err := s.When(env)
		if err != nil {
			return calls, err
		}
		if !ok {
			steps[s.ID] = StepEnv{Status: "skipped"}
			continue
		}
		in, err := s.Inputs(env)
		if err != nil {
			return calls, err
		}
		calls = append(calls, call{Step: s.ID, Action: s.Action, Inputs: in})
		steps[s.ID] = StepEnv{Status: "succeeded", Output: map[string]any{}}
	}
	return calls, nil
}
