package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/store"
)

func TestMessageStatusesOnlyMoveForward(t *testing.T) {
	t.Parallel()
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	tests := []struct {
		name       string
		sendFirst  bool
		statuses   []string
		wantStatus string
		wantSet    []string
	}{
		{"in order", true, []string{"sent", "delivered", "read"}, "read", []string{"sent", "delivered", "read"}},
		{"out of order", true, []string{"read", "sent", "delivered"}, "read", []string{"sent", "delivered", "read"}},
		{"duplicates", true, []string{"sent", "sent", "delivered", "delivered"}, "delivered", []string{"sent", "delivered"}},
		{"status before the send is recorded", false, []string{"sent", "delivered"}, "delivered", []string{"sent", "delivered"}},
		{"failed after sent", true, []string{"sent", "failed"}, "failed", []string{"sent", "failed"}},
		{"late sent after failed", true, []string{"failed", "sent"}, "failed", []string{"sent", "failed"}},
	}
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i, tc := range tests {
			id := "wamid.test" + string(rune('A'+i))
			record := func() {
				require.NoError(t, s.RecordSentMessage(ctx, store.SentMessage{
					ID: id, Connector: "whatsapp", ContactID: "c1", RunID: "r1", StepID: "notify", Pipeline: "p",
					Action: "whatsapp.send_template", Template: "shipping_update", TemplateLanguage: "en_AU", AcceptedAt: t0,
				}, t0))
			}
			if tc.sendFirst {
				record()
			}
			for j, st := range tc.statuses {
				u := store.MessageStatusUpdate{ID: id, Connector: "whatsapp", Status: st, At: at(j + 1)}
				if st == "failed" {
					u.ErrorCode, u.ErrorTitle = "131026", "Message undeliverable"
				}
				require.NoError(t, s.RecordMessageStatus(ctx, u, at(j+1)), tc.name)
			}
			if !tc.sendFirst {
				record()
			}
			m, err := s.GetMessage(ctx, id)
			require.NoError(t, err, tc.name)
			require.Equal(t, tc.wantStatus, m.Status, tc.name)
			require.Equal(t, "shipping_update", *m.Template, tc.name)
			require.Equal(t, "r1", *m.RunID, tc.name)
			set := map[string]*time.Time{"sent": m.SentAt, "delivered": m.DeliveredAt, "read": m.ReadAt, "failed": m.FailedAt}
			for _, st := range tc.wantSet {
				require.NotNil(t, set[st], "%s: %s_at", tc.name, st)
			}
			if tc.name == "duplicates" {
				require.Equal(t, at(1), m.SentAt.UTC(), "a repeat keeps the first time")
			}
			if tc.wantStatus == "failed" {
				require.Equal(t, "131026", *m.ErrorCode)
			}
		}
		require.Error(t, s.RecordMessageStatus(ctx, store.MessageStatusUpdate{ID: "x", Connector: "whatsapp", Status: "bounced"}, t0))
		ms, err := s.ListMessages(ctx, store.MessageFilter{RunID: "r1"})
		require.NoError(t, err)
		require.Len(t, ms, len(tests))
		counts, err := s.MessageCounts(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(2), counts["read"])
	})
}

func TestTemplatesReplaceAndLoad(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ts, at, err := s.LoadTemplates(ctx, "whatsapp")
		require.NoError(t, err)
		require.Empty(t, ts)
		require.True(t, at.IsZero(), "never synced")

		comps := store.JSON(`[{"type":"BODY","text":"Hi {{1}}"}]`)
		require.NoError(t, s.ReplaceTemplates(ctx, "whatsapp", []store.Template{
			{Name: "b", Language: "en", Status: "APPROVED", Category: "UTILITY", Components: comps, UpdatedAt: t0},
			{Name: "a", Language: "en_AU", Status: "PENDING", Category: "MARKETING", UpdatedAt: t0},
		}, t0))
		require.NoError(t, s.ReplaceTemplates(ctx, "other", []store.Template{{Name: "z", Language: "en", UpdatedAt: t0}}, t0))
		ts, at, err = s.LoadTemplates(ctx, "whatsapp")
		require.NoError(t, err)
		require.Equal(t, t0, at.UTC())
		require.Len(t, ts, 2)
		require.Equal(t, "a", ts[0].Name)
		require.JSONEq(t, string(comps), string(ts[1].Components))

		later := t0.Add(time.Hour)
		require.NoError(t, s.ReplaceTemplates(ctx, "whatsapp", nil, later))
		ts, at, err = s.LoadTemplates(ctx, "whatsapp")
		require.NoError(t, err)
		require.Empty(t, ts)
		require.Equal(t, later, at.UTC(), "an empty sync is still a sync")
	})
}
