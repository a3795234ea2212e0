package diag

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEditDistance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"when", "when", 0},
		{"whne", "when", 1}, // a transposition counts once
		{"adr", "addr", 1},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, EditDistance(tc.a, tc.b), "%q %q", tc.a, tc.b)
	}
}

func TestDiagnosticsPrintSortedByPosition(t *testing.T) {
	t.Parallel()
	ds := Diagnostics{
		{File: "b.yaml", Line: 2, Col: 1, Path: "steps[0].id", Msg: "duplicate"},
		{File: "a.yaml", Line: 9, Col: 3, Msg: "bad"},
		{File: "a.yaml", Line: 1, Warning: true, Msg: "unknown type"},
	}
	require.Equal(t, "a.yaml:9:3: bad\nb.yaml:2:1: steps[0].id: duplicate", ds.Err().Error())
	require.Equal(t, "a.yaml:1: warning: unknown type", ds.Warnings()[0].String())
	require.NoError(t, Diagnostics{{Warning: true}}.Err())
}
