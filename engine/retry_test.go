package engine

import (
	"sync"
	"sync/atomic"
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

func TestKeyedMutexSerializesPerKey(t *testing.T) {
	t.Parallel()
	var k keyedMutex
	var wg sync.WaitGroup
	var counter [2]int
	var inside atomic.Int32
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			key := []string{"a", "b"}[i%2]
			unlock := k.Lock(key)
			defer unlock()
			if key == "a" {
				require.Equal(t, int32(1), inside.Add(1), "two holders of one key")
				defer inside.Add(-1)
			}
			counter[i%2]++ // guarded by the key's lock only: -race checks it
		}(i)
	}
	wg.Wait()
	require.Equal(t, [2]int{100, 100}, counter)
	require.Empty(t, k.locks, "idle keys are dropped")
}
