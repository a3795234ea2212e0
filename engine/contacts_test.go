package engine

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/event"
	"github.com/switchboardhq/switchboard/store"
)

func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	tests := []struct{ raw, region, want string }{
		{"0412 345 678", "AU", "+61412345678"},
		{"+61 412 345 678", "US", "+61412345678"},
		{"(02) 9876 5432", "AU", "+61298765432"},
		{"+40 721 234 567", "AU", "+40721234567"},
		{"12", "AU", ""},
		{"not a number", "AU", ""},
		{"", "AU", ""},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, NormalizePhone(tc.raw, tc.region))
		})
	}
}

func TestContactInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ev   event.Event
		want *store.ContactInput
	}{
		{"explicit contact wins", event.Event{
			Contact: &event.ContactRef{Email: " Jo@Example.COM ", FirstName: " Jo "},
			Data:    map[string]any{"customer": map[string]any{"email": "other@example.com"}},
		}, &store.ContactInput{Email: "jo@example.com", FirstName: "Jo"}},
		{"customer in data, with its provider id", event.Event{Source: "shop", Data: map[string]any{
			"customer": map[string]any{"id": 42.0, "phone": "0412345678", "last_name": "Citizen"},
		}}, &store.ContactInput{Phone: "+61412345678", LastName: "Citizen", ProviderIDs: map[string]string{"shop": "42"}}},
		{"subject as email", event.Event{Subject: "a@b.co", Data: map[string]any{}}, &store.ContactInput{Email: "a@b.co"}},
		{"subject as phone", event.Event{Subject: "+61412345678", Data: map[string]any{}}, &store.ContactInput{Phone: "+61412345678"}},
		{"nothing usable", event.Event{Subject: "order-7", Data: map[string]any{"customer": map[string]any{"phone": "x"}}}, nil},
		{"invalid email and phone", event.Event{Contact: &event.ContactRef{Email: "nope", Phone: "12"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, contactInput(&tc.ev, "AU"))
		})
	}
}
