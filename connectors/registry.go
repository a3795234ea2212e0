package connectors

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"sync"
	"time"
)

var (
	connectorNameRe = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	actionNameRe    = regexp.MustCompile(`^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$`)
	paramNameRe     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// knownTypes are the ParamSpec.Type values the loader understands.
var knownTypes = map[string]bool{
	TypeString: true, TypeNumber: true, TypeBool: true,
	TypeObject: true, TypeArray: true, TypeAny: true,
}

// Registry holds the connectors the hub runs with, and indexes their actions
// by name. It is a value, not a global: cmd fills one, and tests build their
// own with NewRegistry.
//
// Register validates eagerly and either adds the whole connector or nothing.
// All methods are safe for concurrent use; the intended use is to fill the
// registry at start-up and only read it afterwards.
type Registry struct {
	mu         sync.RWMutex
	connectors map[string]Connector
	actions    map[string]Action
	// owner maps an action name to the name of the connector offering it.
	owner map[string]string
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{
		connectors: map[string]Connector{},
		actions:    map[string]Action{},
		owner:      map[string]string{},
	}
}

// Register adds c and its actions. It returns an error, and adds nothing, when
// c is nil, its name is not lower-case snake (`^[a-z][a-z0-9_]*$`) or already
// registered, an action is nil or misnamed (`connector_ish.verb`), an action
// name is already taken (by this or another connector), or a ParamSpec has an
// empty, misnamed or repeated name, an unknown Type, an Enum on a non-string
// type, or a Default outside its Enum.
func (r *Registry) Register(c Connector) error {
	if c == nil {
		return errors.New("register connector: nil connector")
	}
	name := c.Name()
	if !connectorNameRe.MatchString(name) {
		return fmt.Errorf("register connector %q: name must match %s", name, connectorNameRe)
	}
	actions := c.Actions()

	r.mu.Lock()
	defer r.mu.Unlock()

	if _, dup := r.connectors[name]; dup {
		return fmt.Errorf("register connector %q: already registered", name)
	}
	seen := map[string]bool{}
	for i, a := range actions {
		if a == nil {
			return fmt.Errorf("register connector %q: action %d is nil", name, i)
		}
		spec := a.Spec()
		if err := validateSpec(spec); err != nil {
			return fmt.Errorf("register connector %q: %w", name, err)
		}
		if seen[spec.Name] {
			return fmt.Errorf("register connector %q: action %q declared twice", name, spec.Name)
		}
		if other, dup := r.owner[spec.Name]; dup {
			return fmt.Errorf("register connector %q: action %q already registered by connector %q", name, spec.Name, other)
		}
		seen[spec.Name] = true
	}

	r.connectors[name] = c
	for _, a := range actions {
		n := a.Spec().Name
		r.actions[n] = a
		r.owner[n] = name
	}
	return nil
}

// MustRegister is Register that panics on error; for cmd wiring, where a bad
// connector is a programming error.
func (r *Registry) MustRegister(c Connector) {
	if err := r.Register(c); err != nil {
		panic(err)
	}
}

func validateSpec(spec ActionSpec) error {
	if !actionNameRe.MatchString(spec.Name) {
		return fmt.Errorf("action %q: name must match %s", spec.Name, actionNameRe)
	}
	params := map[string]bool{}
	for i, p := range spec.Params {
		if !paramNameRe.MatchString(p.Name) {
			return fmt.Errorf("action %q: param %d %q: name must match %s", spec.Name, i, p.Name, paramNameRe)
		}
		if params[p.Name] {
			return fmt.Errorf("action %q: param %q declared twice", spec.Name, p.Name)
		}
		params[p.Name] = true
		if !knownTypes[p.Type] {
			return fmt.Errorf("action %q: param %q: unknown type %q", spec.Name, p.Name, p.Type)
		}
		if len(p.Enum) > 0 {
			if p.Type != TypeString {
				return fmt.Errorf("action %q: param %q: enum needs type %q, got %q", spec.Name, p.Name, TypeString, p.Type)
			}
			if p.Default != nil {
				d, ok := p.Default.(string)
				if !ok || !slices.Contains(p.Enum, d) {
					return fmt.Errorf("action %q: param %q: default %v is not one of %v", spec.Name, p.Name, p.Default, p.Enum)
				}
			}
		}
	}
	return nil
}

// Connector returns the connector registered under name.
func (r *Registry) Connector(name string) (Connector, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := r.connectors[name]
	return c, ok
}

// Inbound returns the named connector's inbound side, if it has one.
func (r *Registry) Inbound(name string) (Inbound, bool) {
	c, ok := r.Connector(name)
	if !ok {
		return nil, false
	}
	in, ok := c.(Inbound)
	return in, ok
}

// Action returns the action registered under its full name, e.g.
// "http.request".
func (r *Registry) Action(name string) (Action, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	a, ok := r.actions[name]
	return a, ok
}

// ActionConnector returns the name of the connector that offers the action.
func (r *Registry) ActionConnector(action string) (string, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := r.owner[action]
	return c, ok
}

// Actions returns every registered action, sorted by name.
func (r *Registry) Actions() []Action {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := sortedKeys(r.actions)
	out := make([]Action, len(names))
	for i, n := range names {
		out[i] = r.actions[n]
	}
	return out
}

// Names returns the registered connector names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return sortedKeys(r.connectors)
}

// Sandboxed returns a copy of r whose actions record to rec instead of
// calling out (see Sandbox). Only the actions of the named connectors are
// wrapped, or every action when no name is given; an unknown name is an
// error. Connector and Inbound of the copy return the original connectors, so
// webhooks keep working; only Action and Actions see the wrapped actions.
// now may be nil (time.Now).
func (r *Registry) Sandboxed(rec Recorder, now func() time.Time, names ...string) (*Registry, error) {
	if rec == nil {
		return nil, errors.New("sandbox registry: nil recorder")
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	wrap := map[string]bool{}
	for _, n := range names {
		if _, ok := r.connectors[n]; !ok {
			return nil, fmt.Errorf("sandbox registry: unknown connector %q", n)
		}
		wrap[n] = true
	}
	out := NewRegistry()
	for n, c := range r.connectors {
		out.connectors[n] = c
	}
	for n, a := range r.actions {
		owner := r.owner[n]
		out.owner[n] = owner
		if len(names) == 0 || wrap[owner] {
			a = Sandbox(a, owner, rec, now)
		}
		out.actions[n] = a
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
