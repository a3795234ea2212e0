// Package testenv finds the real services integration tests run against
// (PostgreSQL and NATS), and decides what a test does when one is missing:
// skip, saying so, when the service is truly absent on a developer's
// machine; fail when CI=true, where the services must be there.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// PostgresDSN returns SWITCHBOARD_TEST_POSTGRES_DSN or the local default.
func PostgresDSN() string {
	if v := os.Getenv("SWITCHBOARD_TEST_POSTGRES_DSN"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// NATSURL returns SWITCHBOARD_TEST_NATS_URL or the local default.
func NATSURL() string {
	if v := os.Getenv("SWITCHBOARD_TEST_NATS_URL"); v != "" {
		return v
	}
	return "nats://127.0.0.1:4222"
}

// InCI reports whether CI=true: services must then be present.
func InCI() bool { return os.Getenv("CI") == "true" }

// Require skips (or, in CI, fails) the test unless a TCP listener answers at
// hostport.
func Require(t testing.TB, service, hostport string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", hostport, 2*time.Second)
	if err == nil {
		_ = conn.Close()
		return
	}
	if InCI() {
		t.Fatalf("%s is required in CI but does not answer at %s: %v", service, hostport, err)
	}
	t.Skipf("%s does not answer at %s (%v): skipping; start it to run this test", service, hostport, err)
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "127.0.0.1:5432"
	}
	return u.Host
}

// RequireNATS skips or fails unless NATS answers; it returns its URL.
func RequireNATS(t testing.TB) string {
	t.Helper()
	u := NATSURL()
	Require(t, "NATS", hostOf(u))
	return u
}

// PostgresSchema creates a fresh schema for the test on the local Postgres,
// drops it when the test ends, and returns a DSN whose search_path is that
// schema. It skips or fails when Postgres is absent.
func PostgresSchema(t testing.TB) string {
	t.Helper()
	base := PostgresDSN()
	Require(t, "PostgreSQL", hostOf(base))
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		_ = db.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
		_ = db.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}
