package fakehttp

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestListener(t *testing.T) {
	t.Parallel()
	var l Listener
	require.Panics(t, func() { _ = l.URL() }, "no URL before Serve")
	l.Close() // harmless before Serve
	l.Serve(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	require.Panics(t, func() { l.Serve(http.NotFoundHandler()) }, "started twice")
	resp, err := http.Get(l.URL() + "/x")
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, "ok", string(b))
	l.Close()
	l.Close()
	_, err = http.Get(l.URL())
	require.Error(t, err, "closed")
}
