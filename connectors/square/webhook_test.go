package square

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/square/fake"
	"github.com/switchboardhq/switchboard/event"
)

// hub is the webhook ingress in miniature: verify, parse, keep, answer (401
// for a bad signature, 400 for a bad body), as api's handler does.
type hub struct {
	c    *Connector
	mu   sync.Mutex
	evs  []event.Event
	errs []error
}

func (h *hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := h.c.Verify(r.Header, body); err != nil {
		h.mu.Lock()
		h.errs = append(h.errs, err)
		h.mu.Unlock()
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	evs, err := h.c.Parse(r.Header, body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.evs = append(h.evs, evs...)
	h.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (h *hub) events() []event.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]event.Event(nil), h.evs...)
}

// TestWebhookEndToEnd sends the fake's notifications to a hub that listens
// at another address than the notification URL registered with Square, and
// enriches what it accepted against the fake API.
func TestWebhookEndToEnd(t *testing.T) {
	t.Parallel()
	b := setup(t)
	h := &hub{c: b.c}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	notificationURL := b.c.Config().NotificationURL

	thin := fake.SeedBooking()
	thin.StartAt, thin.AppointmentSegments = "", nil
	sends := []struct {
		payload  any
		wantType string
	}{
		{fake.BookingCreated(fake.SeedBooking()), event.BookingCreated},
		{fake.BookingUpdated(thin), event.BookingUpdated},
		{fake.PaymentUpdated(fake.SeedPayment()), event.PaymentCompleted},
		{fake.OrderUpdated(fake.OrderID, "COMPLETED", 5), event.OrderPaid},
		{fake.CustomerCreated(fake.SeedCustomers()[1]), event.CustomerCreated},
	}
	for _, s := range sends {
		require.NoError(t, b.srv.SendWebhook(t.Context(), ts.URL+"/webhooks/square", notificationURL, s.payload))
	}
	evs := h.events()
	require.Len(t, evs, len(sends))
	for i := range evs {
		ev := &evs[i]
		require.Equal(t, sends[i].wantType, ev.Type)
		require.Equal(t, sends[i].payload.(fake.Event).EventID, ev.DedupKey)
		require.NoError(t, b.c.Enrich(t.Context(), ev))
		require.NotNil(t, ev.Contact, ev.Type)
		require.NotEmpty(t, ev.Contact.Phone, ev.Type)
		require.NotEmpty(t, ev.Contact.ProviderIDs["square"], ev.Type)
	}
	require.Equal(t, fake.CustomerE164, evs[0].Contact.Phone)
	require.Equal(t, fake.BookingStartAt, evs[1].Data["start_at"])
	require.Equal(t, 42.5, evs[3].Data["total"])
	require.Equal(t, fake.CustomerUSE164, evs[4].Contact.Phone)

	// A notification signed for another URL, or with another key, is refused.
	err := b.srv.SendWebhook(t.Context(), ts.URL, ts.URL, sends[0].payload)
	var we *fake.WebhookError
	require.True(t, errors.As(err, &we), "%v", err)
	require.Equal(t, http.StatusUnauthorized, we.StatusCode)
	b.srv.SetSignatureKey("rotated-key")
	err = b.srv.SendWebhook(t.Context(), ts.URL, notificationURL, sends[0].payload)
	require.True(t, errors.As(err, &we), "%v", err)
	require.Equal(t, http.StatusUnauthorized, we.StatusCode)
	h.mu.Lock()
	require.Len(t, h.errs, 2)
	for _, e := range h.errs {
		require.ErrorIs(t, e, connectors.ErrBadSignature)
	}
	h.mu.Unlock()
	require.Len(t, h.events(), len(sends))
}
