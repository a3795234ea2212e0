package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/store"
)

func TestConsentLedgerIsAppendOnly(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c1, c2 := "c1", "c2"
		rec := func(contact *string, hash, purpose, status string, at time.Duration, eventID string) bool {
			added, err := s.RecordConsent(ctx, store.ConsentRecord{ContactID: contact, SubjectHash: hash, Channel: "whatsapp",
				Purpose: purpose, Status: status, Source: "web_form", Words: "Yes, send me offers", EventID: eventID, GivenAt: t0.Add(at)}, t0.Add(at))
			require.NoError(t, err)
			return added
		}
		require.True(t, rec(&c1, "h1", "marketing", store.ConsentOptedIn, 0, "e1"))
		require.False(t, rec(&c1, "h1", "marketing", store.ConsentOptedIn, 0, "e1"), "a redelivered event is kept once")
		require.True(t, rec(&c1, "h1", "marketing", store.ConsentOptedOut, time.Hour, "e2"))
		require.True(t, rec(&c1, "h1", "transactional", store.ConsentOptedIn, 2*time.Hour, ""))
		// A late-arriving record given earlier does not win.
		require.True(t, rec(&c1, "h1", "marketing", store.ConsentOptedIn, 30*time.Minute, "e3"))

		cur, err := s.CurrentConsent(ctx, c1, "h1", "whatsapp")
		require.NoError(t, err)
		require.Equal(t, store.ConsentOptedOut, cur["marketing"].Status)
		require.Equal(t, store.ConsentOptedIn, cur["transactional"].Status)

		// Another contact with the same subject (an erased person who came
		// back) sees the same state; an unrelated one sees nothing.
		cur, err = s.CurrentConsent(ctx, c2, "h1", "whatsapp")
		require.NoError(t, err)
		require.Equal(t, store.ConsentOptedOut, cur["marketing"].Status)
		cur, err = s.CurrentConsent(ctx, c2, "h2", "whatsapp")
		require.NoError(t, err)
		require.Empty(t, cur)

		hist, err := s.ConsentHistory(ctx, c1)
		require.NoError(t, err)
		require.Len(t, hist, 4)
		require.Equal(t, "e1", hist[0].EventID)

		for _, q := range []string{`UPDATE consent_events SET status = 'opted_in'`, `DELETE FROM consent_events`} {
			_, err := s.SQLDB().ExecContext(ctx, q)
			require.ErrorContains(t, err, "append-only", q)
		}
		hist, err = s.ConsentHistory(ctx, c1)
		require.NoError(t, err)
		require.Len(t, hist, 4)
	})
}

func TestMarketingSendsAndSecret(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i, p := range []string{"marketing", "marketing", "transactional"} {
			require.NoError(t, s.RecordSentMessage(ctx, store.SentMessage{ID: "w" + string(rune('a'+i)), Connector: "whatsapp", ContactID: "c1",
				Purpose: p, AcceptedAt: t0.Add(time.Duration(i) * 24 * time.Hour)}, t0))
		}
		got, err := s.MarketingSends(ctx, "c1", "whatsapp", t0.Add(time.Hour))
		require.NoError(t, err)
		require.Len(t, got, 1)
		got, err = s.MarketingSends(ctx, "c1", "whatsapp", t0)
		require.NoError(t, err)
		require.Len(t, got, 2)

		a, err := s.Secret(ctx, "subject_hash_key")
		require.NoError(t, err)
		require.Len(t, a, 32)
		b, err := s.Secret(ctx, "subject_hash_key")
		require.NoError(t, err)
		require.Equal(t, a, b, "created once")
	})
}
