package main

import (
	"os"
	"testing"
)

// TestMain lets a test start this test binary as the switchboard command
// itself (SWITCHBOARD_RUN_MAIN=1), so subprocess tests need no separate
// build.
func TestMain(m *testing.M) {
	if os.Getenv("SWITCHBOARD_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}
