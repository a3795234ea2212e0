package fake

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

const (
	defaultListLimit = 25
	cursorPrefix     = "tpl:"
)

// listResponse is the management API's answer to GET message_templates.
type listResponse struct {
	Data   []templateJSON `json:"data"`
	Paging *paging        `json:"paging,omitempty"`
}

type paging struct {
	Cursors  cursors `json:"cursors"`
	Next     string  `json:"next,omitempty"`
	Previous string  `json:"previous,omitempty"`
}

type cursors struct {
	Before string `json:"before"`
	After  string `json:"after"`
}

func encodeCursor(id string) string {
	return base64.StdEncoding.EncodeToString([]byte(cursorPrefix + id))
}

func decodeCursor(c string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), cursorPrefix) {
		return "", false
	}
	return strings.TrimPrefix(string(b), cursorPrefix), true
}

// listTemplates answers GET /{version}/{WABA id}/message_templates with
// cursor paging: limit (default 25), after and before cursors, and the
// optional filters name, language, status and category. paging.next (an
// absolute URL) is there only when more templates follow, paging.previous
// only when some precede.
func (s *Server) listTemplates(r *http.Request, version, wabaID string) result {
	if e := s.authorize(r); e != nil {
		return errorResult(e)
	}
	if e := s.checkPath(r, version, wabaID, s.opts.WABAID, http.MethodGet); e != nil {
		return errorResult(e)
	}
	q := r.URL.Query()
	limit := defaultListLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return errorResult(newAPIError(CodeInvalidParameter, "limit must be a positive integer, got %q", v))
		}
		limit = n
	}
	match := func(t templateJSON) bool {
		return (q.Get("name") == "" || t.Name == q.Get("name")) &&
			(q.Get("language") == "" || t.Language == q.Get("language")) &&
			(q.Get("status") == "" || strings.EqualFold(t.Status, q.Get("status"))) &&
			(q.Get("category") == "" || strings.EqualFold(t.Category, q.Get("category")))
	}
	s.mu.Lock()
	all := make([]templateJSON, 0, len(s.templateOrder))
	for _, k := range s.templateOrder {
		if t := s.templates[k].templateJSON; match(t) {
			all = append(all, t)
		}
	}
	s.mu.Unlock()

	position := func(cursor string) (int, bool) {
		id, ok := decodeCursor(cursor)
		if !ok {
			return 0, false
		}
		for i, t := range all {
			if t.ID == id {
				return i, true
			}
		}
		return 0, false
	}
	start, end := 0, min(limit, len(all))
	switch {
	case q.Get("after") != "":
		i, ok := position(q.Get("after"))
		if !ok {
			return errorResult(newAPIError(CodeInvalidParameter, "after: %q is not a valid cursor", q.Get("after")))
		}
		start, end = i+1, min(i+1+limit, len(all))
	case q.Get("before") != "":
		i, ok := position(q.Get("before"))
		if !ok {
			return errorResult(newAPIError(CodeInvalidParameter, "before: %q is not a valid cursor", q.Get("before")))
		}
		start, end = max(0, i-limit), i
	}
	resp := listResponse{Data: all[start:end]}
	if start < end {
		p := &paging{Cursors: cursors{Before: encodeCursor(all[start].ID), After: encodeCursor(all[end-1].ID)}}
		if end < len(all) {
			p.Next = s.pageURL(r, "after", p.Cursors.After)
		}
		if start > 0 {
			p.Previous = s.pageURL(r, "before", p.Cursors.Before)
		}
		resp.Paging = p
	}
	return result{status: http.StatusOK, body: resp}
}

// pageURL is the request's absolute URL with the paging cursor replaced.
func (s *Server) pageURL(r *http.Request, key, cursor string) string {
	q := r.URL.Query()
	q.Del("after")
	q.Del("before")
	q.Set(key, cursor)
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	return s.srv.URL + u.String()
}
