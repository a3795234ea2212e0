// Package logging builds the hub's slog logger. Every string it writes
// passes through Mask, so phone numbers and email addresses (personal
// information) never reach a log in full.
package logging

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"strings"
)

var (
	emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	// Phone-like runs: an optional +, then 8 to 15 digits, allowing single
	// spaces, dots or dashes between digit groups.
	phonePattern = regexp.MustCompile(`\+?\d(?:[ .\-]?\d){7,14}`)
)

// Mask hides most of every email address and phone number in s: the email
// keeps its first character and domain, the phone its first three and last
// two digits.
func Mask(s string) string {
	if !strings.ContainsAny(s, "@0123456789") {
		return s
	}
	s = emailPattern.ReplaceAllStringFunc(s, func(m string) string {
		at := strings.LastIndexByte(m, '@')
		return m[:1] + "***" + m[at:]
	})
	return phonePattern.ReplaceAllStringFunc(s, func(m string) string {
		if len(m) < 8 {
			return m
		}
		return m[:3] + strings.Repeat("*", len(m)-5) + m[len(m)-2:]
	})
}

// maskingHandler masks the message and every string attribute.
type maskingHandler struct{ inner slog.Handler }

// NewHandler wraps h so that everything it writes is masked.
func NewHandler(h slog.Handler) slog.Handler { return maskingHandler{inner: h} }

func (m maskingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return m.inner.Enabled(ctx, l)
}

func (m maskingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Mask(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(maskAttr(a))
		return true
	})
	return m.inner.Handle(ctx, out)
}

func (m maskingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	masked := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		masked[i] = maskAttr(a)
	}
	return maskingHandler{inner: m.inner.WithAttrs(masked)}
}

func (m maskingHandler) WithGroup(name string) slog.Handler {
	return maskingHandler{inner: m.inner.WithGroup(name)}
}

func maskAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, Mask(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]any, len(g))
		for i, ga := range g {
			out[i] = maskAttr(ga)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, Mask(err.Error()))
		}
		if s, ok := v.Any().(interface{ String() string }); ok {
			return slog.String(a.Key, Mask(s.String()))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// New returns a masked logger writing text or JSON at level.
func New(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler
	if format == "json" {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(NewHandler(h))
}
