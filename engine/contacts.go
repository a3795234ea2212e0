package engine

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/switchboardhq/switchboard/event"
	"github.com/switchboardhq/switchboard/store"
)

// contactInput normalizes what an event says about a person: the phone to
// E.164 (numbers without a country code read in the default region; one
// that does not parse as a valid number is dropped), the email trimmed and
// lower-cased. REST events may also carry the person in data.customer or
// data.contact, or name them by subject.
func contactInput(e *event.Event, region string) *store.ContactInput {
	ref := e.Contact
	if ref.Empty() {
		ref = contactFromData(e)
	}
	if ref.Empty() {
		return nil
	}
	in := &store.ContactInput{
		Phone:       NormalizePhone(ref.Phone, region),
		Email:       normalizeEmail(ref.Email),
		FirstName:   strings.TrimSpace(ref.FirstName),
		LastName:    strings.TrimSpace(ref.LastName),
		ProviderIDs: ref.ProviderIDs,
		InboundAt:   ref.InboundAt,
	}
	if in.Phone == "" && in.Email == "" && len(in.ProviderIDs) == 0 {
		return nil
	}
	return in
}

func contactFromData(e *event.Event) *event.ContactRef {
	for _, key := range []string{"contact", "customer"} {
		m, ok := e.Data[key].(map[string]any)
		if !ok {
			continue
		}
		ref := &event.ContactRef{
			Phone: str(m["phone"]), Email: str(m["email"]),
			FirstName: str(m["first_name"]), LastName: str(m["last_name"]),
		}
		if id := str(m["id"]); id != "" && e.Source != "" {
			ref.ProviderIDs = map[string]string{e.Source: id}
		}
		if !ref.Empty() {
			return ref
		}
	}
	switch s := e.Subject; {
	case strings.Contains(s, "@"):
		return &event.ContactRef{Email: s}
	case strings.HasPrefix(s, "+"):
		return &event.ContactRef{Phone: s}
	}
	return nil
}

func str(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case float64: // a phone number sent as a JSON number
		return strconv.FormatFloat(s, 'f', -1, 64)
	}
	return ""
}

// NormalizePhone returns the E.164 form of raw, reading numbers without a
// country code in region, or "" when raw is not a valid number.
func NormalizePhone(raw, region string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	num, err := phonenumbers.Parse(raw, region)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return ""
	}
	return phonenumbers.Format(num, phonenumbers.E164)
}

func normalizeEmail(raw string) string {
	raw = strings.ToLower(strings.TrimSpace(raw))
	if i := strings.IndexByte(raw, '@'); i <= 0 || i == len(raw)-1 {
		return ""
	}
	return raw
}
