package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboardhq/switchboard/connectors"
)

// Action names.
const (
	ActionGetOrder     = "shopify.get_order"
	ActionAddOrderTags = "shopify.add_order_tags"
	ActionAddOrderNote = "shopify.add_order_note"
)

// Parameter names.
const (
	ParamOrderID = "order_id"
	ParamTags    = "tags"
	ParamNote    = "note"
)

const gidOrderPrefix = "gid://shopify/Order/"

var orderIDParamSpec = connectors.ParamSpec{
	Name: ParamOrderID, Type: connectors.TypeString, Required: true,
	Description: "The order's numeric id (event.data.order_id), or its gid://shopify/Order/… form. Not the order name (#1001).",
	Example:     "${{ event.data.order_id }}",
}

var (
	getOrderSpec = connectors.ActionSpec{
		Name: ActionGetOrder,
		Description: "Read an order through the Admin API. Output: the order normalized like an order event's data " +
			"(order_id, order_name, total, currency, status, customer, line_items, tracking, order_status_url, tags, note, …).",
		Params: []connectors.ParamSpec{orderIDParamSpec},
	}
	addOrderTagsSpec = connectors.ActionSpec{
		Name: ActionAddOrderTags,
		Description: "Add tags to an order, keeping its other tags; a tag it already has (compared case-insensitively) is not added again. " +
			"Output: order_id, tags (all of them), added, changed.",
		Params: []connectors.ParamSpec{
			orderIDParamSpec,
			{
				Name: ParamTags, Type: connectors.TypeAny, Required: true,
				Description: "The tags to add: a list of strings, or one comma-separated string.",
				Example:     []any{"whatsapp-notified", "vip"},
			},
		},
	}
	addOrderNoteSpec = connectors.ActionSpec{
		Name: ActionAddOrderNote,
		Description: "Append a line to an order's note (or set it when empty); a note that already holds the text as whole lines is left as it is. " +
			"Output: order_id, note (the whole note), changed.",
		Params: []connectors.ParamSpec{
			orderIDParamSpec,
			{
				Name: ParamNote, Type: connectors.TypeString, Required: true,
				Description: "The text to add to the order's note.",
				Example:     "Shipping update sent on WhatsApp",
			},
		},
	}
)

type getOrderAction struct{ c *Connector }
type addOrderTagsAction struct{ c *Connector }
type addOrderNoteAction struct{ c *Connector }

var (
	_ connectors.Action           = (*getOrderAction)(nil)
	_ connectors.Action           = (*addOrderTagsAction)(nil)
	_ connectors.Action           = (*addOrderNoteAction)(nil)
	_ connectors.SandboxResponder = (*getOrderAction)(nil)
	_ connectors.SandboxResponder = (*addOrderTagsAction)(nil)
	_ connectors.SandboxResponder = (*addOrderNoteAction)(nil)
)

func (a *getOrderAction) Spec() connectors.ActionSpec     { return getOrderSpec }
func (a *addOrderTagsAction) Spec() connectors.ActionSpec { return addOrderTagsSpec }
func (a *addOrderNoteAction) Spec() connectors.ActionSpec { return addOrderNoteSpec }

// RateLimitKey is the shop domain: every call draws from the shop's bucket.
func (a *getOrderAction) RateLimitKey(map[string]any) string { return a.c.rateLimitKey() }

// RateLimitKey is the shop domain: every call draws from the shop's bucket.
func (a *addOrderTagsAction) RateLimitKey(map[string]any) string { return a.c.rateLimitKey() }

// RateLimitKey is the shop domain: every call draws from the shop's bucket.
func (a *addOrderNoteAction) RateLimitKey(map[string]any) string { return a.c.rateLimitKey() }

// Do reads the order (GET orders/{id}.json) and returns it normalized.
func (a *getOrderAction) Do(ctx context.Context, req connectors.Request) (connectors.Result, error) {
	id, err := orderIDParam(req.Params)
	if err != nil {
		return connectors.Result{}, invalidParam(ActionGetOrder, err)
	}
	o, err := a.c.readOrder(ctx, id, "")
	if err != nil {
		return connectors.Result{}, fmt.Errorf("%s: read order %s: %w", ActionGetOrder, id, err)
	}
	out, _ := o.data()
	return connectors.Result{Output: out}, nil
}

// SandboxResult has the shape of a real output, with the order's fields
// empty.
func (a *getOrderAction) SandboxResult(req connectors.Request) connectors.Result {
	id, _ := orderIDParam(req.Params)
	var o order
	out, _ := o.data()
	out["order_id"] = id
	out["total"] = 0.0
	out["sandbox"] = true
	return connectors.Result{Output: out}
}

// Do reads the order's tags and, when a tag is missing, writes them back
// with the new ones (PUT orders/{id}.json): the REST API replaces the whole
// tag list. Adding tags the order already has makes no write.
func (a *addOrderTagsAction) Do(ctx context.Context, req connectors.Request) (connectors.Result, error) {
	id, err := orderIDParam(req.Params)
	if err != nil {
		return connectors.Result{}, invalidParam(ActionAddOrderTags, err)
	}
	tags, err := tagsParam(req.Params)
	if err != nil {
		return connectors.Result{}, invalidParam(ActionAddOrderTags, err)
	}
	o, err := a.c.readOrder(ctx, id, "id,tags")
	if err != nil {
		return connectors.Result{}, fmt.Errorf("%s: read order %s: %w", ActionAddOrderTags, id, err)
	}
	merged, added := mergeTags(splitTags(o.Tags.String()), tags)
	out := map[string]any{"order_id": id, "added": anySlice(added), "changed": len(added) > 0}
	if len(added) == 0 {
		out["tags"] = anySlice(merged)
		return connectors.Result{Output: out}, nil
	}
	updated, err := a.c.updateOrder(ctx, id, map[string]any{"tags": strings.Join(merged, ", ")})
	if err != nil {
		return connectors.Result{}, fmt.Errorf("%s: update order %s: %w", ActionAddOrderTags, id, err)
	}
	out["tags"] = anySlice(splitTags(updated.Tags.String()))
	return connectors.Result{Output: out}, nil
}

// SandboxResult reports the requested tags as added.
func (a *addOrderTagsAction) SandboxResult(req connectors.Request) connectors.Result {
	id, _ := orderIDParam(req.Params)
	tags, _ := tagsParam(req.Params)
	return connectors.Result{Output: map[string]any{
		"sandbox": true, "order_id": id, "tags": anySlice(tags), "added": anySlice(tags), "changed": len(tags) > 0,
	}}
}

// Do reads the order's note and, unless it already holds the text, writes
// it back with the text appended on a new line.
func (a *addOrderNoteAction) Do(ctx context.Context, req connectors.Request) (connectors.Result, error) {
	id, err := orderIDParam(req.Params)
	if err != nil {
		return connectors.Result{}, invalidParam(ActionAddOrderNote, err)
	}
	note, err := noteParam(req.Params)
	if err != nil {
		return connectors.Result{}, invalidParam(ActionAddOrderNote, err)
	}
	o, err := a.c.readOrder(ctx, id, "id,note")
	if err != nil {
		return connectors.Result{}, fmt.Errorf("%s: read order %s: %w", ActionAddOrderNote, id, err)
	}
	current := string(o.Note)
	if hasNote(current, note) {
		return connectors.Result{Output: map[string]any{"order_id": id, "note": current, "changed": false}}, nil
	}
	next := note
	if strings.TrimSpace(current) != "" {
		next = strings.TrimRight(current, "\r\n") + "\n" + note
	}
	updated, err := a.c.updateOrder(ctx, id, map[string]any{"note": next})
	if err != nil {
		return connectors.Result{}, fmt.Errorf("%s: update order %s: %w", ActionAddOrderNote, id, err)
	}
	return connectors.Result{Output: map[string]any{"order_id": id, "note": string(updated.Note), "changed": true}}, nil
}

// SandboxResult reports the note as written.
func (a *addOrderNoteAction) SandboxResult(req connectors.Request) connectors.Result {
	id, _ := orderIDParam(req.Params)
	note, _ := noteParam(req.Params)
	return connectors.Result{Output: map[string]any{"sandbox": true, "order_id": id, "note": note, "changed": true}}
}

// readOrder fetches one order (only fields, a comma-separated list, when
// given).
func (c *Connector) readOrder(ctx context.Context, id, fields string) (*order, error) {
	path := "/orders/" + id + ".json"
	if fields != "" {
		path += "?fields=" + fields
	}
	body, err := c.admin.call(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	return decodeOrder(body)
}

// updateOrder sets fields of one order and returns it as Shopify answers.
func (c *Connector) updateOrder(ctx context.Context, id string, fields map[string]any) (*order, error) {
	fields["id"] = json.Number(id)
	body, err := c.admin.call(ctx, http.MethodPut, "/orders/"+id+".json", map[string]any{"order": fields})
	if err != nil {
		return nil, err
	}
	return decodeOrder(body)
}

// decodeOrder reads an {"order": {...}} answer; anything else is a
// permanent "bad_response".
func decodeOrder(body []byte) (*order, error) {
	var env struct {
		Order *order `json:"order"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, connectors.Permanent(fmt.Errorf("decode the Admin API answer: %w", err), "bad_response")
	}
	if env.Order == nil {
		return nil, connectors.Permanent(errors.New("the Admin API answer has no order"), "bad_response")
	}
	return env.Order, nil
}

func invalidParam(action string, err error) error {
	return connectors.Permanent(fmt.Errorf("%s: %w", action, err), "invalid_param")
}

// orderIDParam reads order_id: digits, the gid://shopify/Order/<digits>
// form, or an integral number.
func orderIDParam(params map[string]any) (string, error) {
	bad := func(v any) error {
		return fmt.Errorf("param %q: want the numeric Shopify order id (event.data.order_id) or gid://shopify/Order/<id>, got %#v", ParamOrderID, v)
	}
	v, ok := params[ParamOrderID]
	if !ok || v == nil {
		return "", fmt.Errorf("param %q: required", ParamOrderID)
	}
	var s string
	switch x := v.(type) {
	case string:
		s = strings.TrimPrefix(strings.TrimSpace(x), gidOrderPrefix)
	case json.Number:
		s = x.String()
	case float64:
		if x != math.Trunc(x) || x <= 0 || x > 1<<53 {
			return "", bad(v)
		}
		s = strconv.FormatFloat(x, 'f', 0, 64)
	case int:
		s = strconv.Itoa(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	default:
		return "", bad(v)
	}
	if s == "" || len(s) > 20 || strings.Trim(s, "0123456789") != "" || strings.Trim(s, "0") == "" {
		return "", bad(v)
	}
	return s, nil
}

// tagsParam reads tags: a list of strings or one comma-separated string,
// each tag trimmed, at least one.
func tagsParam(params map[string]any) ([]string, error) {
	var tags []string
	switch x := params[ParamTags].(type) {
	case nil:
		return nil, fmt.Errorf("param %q: required", ParamTags)
	case string:
		tags = splitTags(x)
	case []string:
		for _, t := range x {
			tags = append(tags, splitTags(t)...)
		}
	case []any:
		for i, e := range x {
			t, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("param %q: item %d: want a string, got %T", ParamTags, i, e)
			}
			tags = append(tags, splitTags(t)...)
		}
	default:
		return nil, fmt.Errorf("param %q: want a list of strings or a comma-separated string, got %T", ParamTags, x)
	}
	if len(tags) == 0 {
		return nil, fmt.Errorf("param %q: no tag given", ParamTags)
	}
	return tags, nil
}

// noteParam reads note: a non-blank string, trimmed.
func noteParam(params map[string]any) (string, error) {
	v, ok := params[ParamNote].(string)
	if !ok {
		if params[ParamNote] == nil {
			return "", fmt.Errorf("param %q: required", ParamNote)
		}
		return "", fmt.Errorf("param %q: want a string, got %T", ParamNote, params[ParamNote])
	}
	v = strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n"))
	if v == "" {
		return "", fmt.Errorf("param %q: empty", ParamNote)
	}
	return v, nil
}

// mergeTags appends to current the tags it lacks (case-insensitively, each
// once) and returns the whole list and the ones added.
func mergeTags(current, add []string) (merged, added []string) {
	seen := make(map[string]bool, len(current)+len(add))
	merged = make([]string, 0, len(current)+len(add))
	for _, t := range current {
		if k := strings.ToLower(t); !seen[k] {
			seen[k] = true
			merged = append(merged, t)
		}
	}
	for _, t := range add {
		if k := strings.ToLower(t); !seen[k] {
			seen[k] = true
			merged = append(merged, t)
			added = append(added, t)
		}
	}
	return merged, added
}

// hasNote reports whether note already appears in current as whole lines.
func hasNote(current, note string) bool {
	c := "\n" + strings.ReplaceAll(current, "\r\n", "\n") + "\n"
	return strings.Contains(c, "\n"+note+"\n")
}
