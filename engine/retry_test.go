package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBackoff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		attempt    int
		retryAfter time.Duration
		min, max   time.Duration
	}{
		{"first retry", 1, 0, 500 * time.Millisecond, time.Second},
		{"doubles", 3, 0, 2 * time.Second, 4 * time.Second},
		{"capped", 20, 0, 30 * time.Second, time.Minute},
		{"retry-after is a floor", 1, 7 * time.Second, 7 * time.Second, 7 * time.Second},
		{"retry-after below the backoff changes nothing", 3, time.Second, 2 * time.Second, 4 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for range 200 {
				d := backoff(tc.attempt, time.Second, time.Minute, tc.retryAfter)
				require.GreaterOrEqual(t, d, tc.min)
				require.LessOrEqual(t, d, tc.max)
			}
		})
	}
}
