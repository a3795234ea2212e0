package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/switchboardhq/switchboard/event"
	"github.com/switchboardhq/switchboard/store"
)

// MaxBatch is the most events one POST /v1/events may carry.
const MaxBatch = 500

var (
	typePattern   = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)
	sourcePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)
)

// ingestEvent is one event as a store posts it.
type ingestEvent struct {
	ID      string            `json:"id"`
	Type    string            `json:"type"`
	Source  string            `json:"source"`
	Time    string            `json:"time"`
	Subject string            `json:"subject"`
	Data    map[string]any    `json:"data"`
	Contact *event.ContactRef `json:"contact"`
}

type acceptedItem struct {
	ID        string `json:"id"`
	EventID   string `json:"event_id"`
	Duplicate bool   `json:"duplicate"`
}

// fieldError is a 400 naming the offending field.
type fieldError struct {
	field, msg string
}

func (e *fieldError) Error() string { return e.field + ": " + e.msg }

// postEvents takes one event object or an array of up to MaxBatch, and
// answers 202 only after all are committed (200 when every one was a
// repeat). Any invalid event rejects the whole request: nothing is stored.
func (s *Server) postEvents(c *gin.Context) {
	body, ok := s.readBody(c, "rest")
	if !ok {
		return
	}
	keyName := c.GetString("api_key")
	evs, err := decodeEvents(body, keyName, time.Now())
	if err != nil {
		var fe *fieldError
		if errors.As(err, &fe) {
			s.metrics.EventsRejected.WithLabelValues("rest", "invalid").Inc()
			abortError(c, http.StatusBadRequest, codeInvalidField, err.Error(), fe.field)
			return
		}
		s.metrics.EventsRejected.WithLabelValues("rest", "malformed").Inc()
		abortError(c, http.StatusBadRequest, codeBadRequest, err.Error(), "")
		return
	}
	results, ok := s.accept(c, "rest", evs)
	if !ok {
		return
	}
	c.JSON(acceptStatus(results), gin.H{"accepted": acceptedItems(evs, results)})
}

// accept counts the events received, stores them (durably) through the
// engine and counts the time it took; on failure it answers 503 itself, so
// the caller (or the provider) retries.
func (s *Server) accept(c *gin.Context, source string, evs []event.Event) ([]store.AcceptResult, bool) {
	for i := range evs {
		s.metrics.EventsReceived.WithLabelValues(evs[i].Source, evs[i].Type).Inc()
	}
	start := time.Now()
	results, err := s.opts.Engine.Accept(c.Request.Context(), evs)
	if err != nil {
		s.log.Error("accept events", "source", source, "count", len(evs), "err", err)
		abortError(c, http.StatusServiceUnavailable, codeUnavailable, "events could not be stored; retry", "")
		return nil, false
	}
	s.metrics.AcceptLatency.WithLabelValues(source).Observe(time.Since(start).Seconds())
	return results, true
}

func acceptStatus(results []store.AcceptResult) int {
	for _, r := range results {
		if !r.Duplicate {
			return http.StatusAccepted
		}
	}
	return http.StatusOK
}

func acceptedItems(evs []event.Event, results []store.AcceptResult) []acceptedItem {
	items := make([]acceptedItem, len(results))
	for i, r := range results {
		items[i] = acceptedItem{ID: evs[i].DedupKey, EventID: r.EventID, Duplicate: r.Duplicate}
	}
	return items
}

// readBody checks the media type and reads the body within the size bound,
// answering 415 or 413 itself.
func (s *Server) readBody(c *gin.Context, source string) ([]byte, bool) {
	if ct := c.GetHeader("Content-Type"); ct != "" || c.Request.ContentLength != 0 {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			s.metrics.EventsRejected.WithLabelValues(source, "media_type").Inc()
			abortError(c, http.StatusUnsupportedMediaType, codeMediaType,
				fmt.Sprintf("Content-Type must be application/json, got %q", ct), "Content-Type")
			return nil, false
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, s.opts.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.metrics.EventsRejected.WithLabelValues(source, "too_large").Inc()
			abortError(c, http.StatusRequestEntityTooLarge, codeTooLarge,
				fmt.Sprintf("body exceeds %d bytes", s.opts.MaxBodyBytes), "")
			return nil, false
		}
		abortError(c, http.StatusBadRequest, codeBadRequest, "reading body: "+err.Error(), "")
		return nil, false
	}
	return body, true
}

// decodeEvents parses and validates a REST ingest body. defaultSource (the
// API key's name) is used where an event names no source.
func decodeEvents(body []byte, defaultSource string, now time.Time) ([]event.Event, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, errors.New("empty body: send one event object or an array of events")
	}
	var elems []json.RawMessage
	prefix := func(i int) string { return "" }
	switch trimmed[0] {
	case '{':
		elems = []json.RawMessage{trimmed}
	case '[':
		if err := json.Unmarshal(trimmed, &elems); err != nil {
			return nil, fmt.Errorf("malformed JSON: %w", err)
		}
		if len(elems) == 0 {
			return nil, errors.New("empty array: send at least one event")
		}
		if len(elems) > MaxBatch {
			return nil, &fieldError{"events", fmt.Sprintf("at most %d events per request, got %d", MaxBatch, len(elems))}
		}
		prefix = func(i int) string { return fmt.Sprintf("[%d].", i) }
	default:
		return nil, errors.New("body must be a JSON object or array of objects")
	}
	evs := make([]event.Event, len(elems))
	for i, raw := range elems {
		ev, err := decodeEvent(raw, prefix(i), defaultSource, now)
		if err != nil {
			return nil, err
		}
		evs[i] = ev
	}
	return evs, nil
}

func decodeEvent(raw json.RawMessage, prefix, defaultSource string, now time.Time) (event.Event, error) {
	var in ingestEvent
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return event.Event{}, jsonFieldError(err, prefix)
	}
	if dec.More() {
		return event.Event{}, errors.New("malformed JSON: trailing data after the event")
	}
	field := func(name, msg string) error { return &fieldError{prefix + name, msg} }
	switch {
	case in.ID == "":
		return event.Event{}, field("id", "required: the event's id in your system (used to drop repeats)")
	case len(in.ID) > 256:
		return event.Event{}, field("id", "at most 256 characters")
	case in.Type == "":
		return event.Event{}, field("type", "required, e.g. \"order.shipped\"")
	case !typePattern.MatchString(in.Type):
		return event.Event{}, field("type", fmt.Sprintf("must look like \"order.shipped\" (lower-case words joined by dots), got %q", in.Type))
	}
	if in.Source == "" {
		in.Source = defaultSource
	}
	if !sourcePattern.MatchString(in.Source) {
		return event.Event{}, field("source", fmt.Sprintf("must be lower-case letters, digits, '.', '_' or '-' (up to 64), got %q", in.Source))
	}
	t := now
	if in.Time != "" {
		var err error
		if t, err = time.Parse(time.RFC3339Nano, in.Time); err != nil {
			return event.Event{}, field("time", fmt.Sprintf("must be RFC 3339, e.g. \"2026-11-24T09:30:00Z\", got %q", in.Time))
		}
	}
	if in.Data == nil {
		in.Data = map[string]any{}
	}
	return event.Event{
		Source: in.Source, Type: in.Type, Subject: in.Subject, Time: t.UTC(), DedupKey: in.ID,
		Data: in.Data, Raw: raw, Contact: in.Contact,
	}, nil
}

// jsonFieldError turns a decoding error into a message naming the field.
func jsonFieldError(err error, prefix string) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		name := te.Field
		if name == "" {
			return fmt.Errorf("malformed event: expected a JSON object, got %s", te.Value)
		}
		return &fieldError{prefix + name, fmt.Sprintf("must be %s, got %s", jsonKind(te.Type.Kind().String()), te.Value)}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return &fieldError{prefix + name, "unknown field (known: id, type, source, time, subject, data, contact)"}
	}
	return fmt.Errorf("malformed event: %w", err)
}

func jsonKind(k string) string {
	switch k {
	case "map", "struct", "ptr":
		return "an object"
	case "slice":
		return "an array"
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	}
	return "a number"
}
