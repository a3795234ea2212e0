package logging

import (
	"bytes"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMask(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"no personal data", "no personal data"},
		{"jo.citizen@example.com", "j***@example.com"},
		{"call +61412345678 now", "call +61*******78 now"},
		{"0412 345 678", "041*******78"},
		{"order 1234", "order 1234"},
		{"to=+61412345678 email=a@b.co", "to=+61*******78 email=a***@b.co"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, Mask(tc.in))
		})
	}
}

func TestHandlerMasksAttributesAndErrors(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := New(&buf, "debug", "text").With("contact", "jo@example.com")
	log.Info("sent to +61412345678", "err", errors.New("bad number +61412345678"), slog.Group("g", "email", "x@y.org"))
	out := buf.String()
	require.NotContains(t, out, "jo@example.com")
	require.NotContains(t, out, "61412345678")
	require.NotContains(t, out, "x@y.org")
	require.Contains(t, out, "j***@example.com")
}
