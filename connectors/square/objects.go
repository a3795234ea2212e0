package square

import (
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/switchboardhq/switchboard/event"
)

// The Square objects this connector reads, as the webhooks and the v2 API
// send them. Only the fields the normalized data uses are declared.

type customer struct {
	ID           string   `json:"id"`
	GivenName    string   `json:"given_name"`
	FamilyName   string   `json:"family_name"`
	Nickname     string   `json:"nickname"`
	CompanyName  string   `json:"company_name"`
	EmailAddress string   `json:"email_address"`
	PhoneNumber  string   `json:"phone_number"`
	ReferenceID  string   `json:"reference_id"`
	Address      *address `json:"address"`
	CreatedAt    string   `json:"created_at"`
	UpdatedAt    string   `json:"updated_at"`
}

type address struct {
	Country string `json:"country"`
}

type segment struct {
	DurationMinutes         *int64 `json:"duration_minutes"`
	ServiceVariationID      string `json:"service_variation_id"`
	ServiceVariationVersion *int64 `json:"service_variation_version"`
	TeamMemberID            string `json:"team_member_id"`
	AnyTeamMember           *bool  `json:"any_team_member"`
	IntermissionMinutes     *int64 `json:"intermission_minutes"`
}

type booking struct {
	ID                    string    `json:"id"`
	Version               *int64    `json:"version"`
	Status                string    `json:"status"`
	CreatedAt             string    `json:"created_at"`
	UpdatedAt             string    `json:"updated_at"`
	StartAt               string    `json:"start_at"`
	LocationID            string    `json:"location_id"`
	CustomerID            string    `json:"customer_id"`
	CustomerNote          string    `json:"customer_note"`
	SellerNote            string    `json:"seller_note"`
	LocationType          string    `json:"location_type"`
	Source                string    `json:"source"`
	AllDay                *bool     `json:"all_day"`
	TransitionTimeMinutes *int64    `json:"transition_time_minutes"`
	AppointmentSegments   []segment `json:"appointment_segments"`
}

type payment struct {
	ID                string   `json:"id"`
	Status            string   `json:"status"`
	OrderID           string   `json:"order_id"`
	CustomerID        string   `json:"customer_id"`
	LocationID        string   `json:"location_id"`
	ReceiptURL        string   `json:"receipt_url"`
	ReceiptNumber     string   `json:"receipt_number"`
	BuyerEmailAddress string   `json:"buyer_email_address"`
	SourceType        string   `json:"source_type"`
	Note              string   `json:"note"`
	ReferenceID       string   `json:"reference_id"`
	CreatedAt         string   `json:"created_at"`
	UpdatedAt         string   `json:"updated_at"`
	AmountMoney       *money   `json:"amount_money"`
	TotalMoney        *money   `json:"total_money"`
	TipMoney          *money   `json:"tip_money"`
	RefundedMoney     *money   `json:"refunded_money"`
	RefundIDs         []string `json:"refund_ids"`
	CardDetails       *struct {
		Card *struct {
			CardBrand string `json:"card_brand"`
			Last4     string `json:"last_4"`
		} `json:"card"`
	} `json:"card_details"`
}

// orderChange is the object of order.created (order_created), order.updated
// (order_updated) and order.fulfillment.updated (order_fulfillment_updated):
// a summary, not the order.
type orderChange struct {
	OrderID           string `json:"order_id"`
	Version           *int64 `json:"version"`
	LocationID        string `json:"location_id"`
	State             string `json:"state"`
	CreatedAt         string `json:"created_at"`
	UpdatedAt         string `json:"updated_at"`
	FulfillmentUpdate []struct {
		FulfillmentUID string `json:"fulfillment_uid"`
		OldState       string `json:"old_state"`
		NewState       string `json:"new_state"`
	} `json:"fulfillment_update"`
}

// order is the full order of RetrieveOrder.
type order struct {
	ID          string `json:"id"`
	LocationID  string `json:"location_id"`
	ReferenceID string `json:"reference_id"`
	CustomerID  string `json:"customer_id"`
	State       string `json:"state"`
	Version     *int64 `json:"version"`
	TotalMoney  *money `json:"total_money"`
	LineItems   []struct {
		Name           string `json:"name"`
		Quantity       string `json:"quantity"`
		BasePriceMoney *money `json:"base_price_money"`
		TotalMoney     *money `json:"total_money"`
	} `json:"line_items"`
	Fulfillments []struct {
		UID   string `json:"uid"`
		Type  string `json:"type"`
		State string `json:"state"`
	} `json:"fulfillments"`
}

// num converts an integer to the float64 that JSON numbers decode to, so
// data looks the same before and after a round trip through the store.
func num(n int64) float64 { return float64(n) }

// customerData is the normalized customer: the same keys Shopify and the
// REST API use. The phone is E.164 when it parses as a valid number, else as
// Square has it.
func customerData(c customer) map[string]any {
	phone := normalizePhone(c.PhoneNumber, c.country())
	if phone == "" {
		phone = strings.TrimSpace(c.PhoneNumber)
	}
	d := map[string]any{
		"id":         c.ID,
		"first_name": c.GivenName,
		"last_name":  c.FamilyName,
		"email":      c.EmailAddress,
		"phone":      phone,
	}
	for k, v := range map[string]string{
		"company_name": c.CompanyName,
		"nickname":     c.Nickname,
		"reference_id": c.ReferenceID,
		"country":      c.country(),
		"created_at":   c.CreatedAt,
		"updated_at":   c.UpdatedAt,
	} {
		if v != "" {
			d[k] = v
		}
	}
	return d
}

// contact is what c tells about the person.
func (c customer) contact() *event.ContactRef {
	ref := &event.ContactRef{
		Phone:     normalizePhone(c.PhoneNumber, c.country()),
		Email:     strings.TrimSpace(c.EmailAddress),
		FirstName: strings.TrimSpace(c.GivenName),
		LastName:  strings.TrimSpace(c.FamilyName),
	}
	if c.ID != "" {
		ref.ProviderIDs = map[string]string{Name: c.ID}
	}
	return ref
}

func (c customer) country() string {
	if c.Address == nil {
		return ""
	}
	return strings.ToUpper(strings.TrimSpace(c.Address.Country))
}

// normalizePhone returns raw in E.164, reading a number without a country
// code in country (an ISO 3166 alpha-2 code) or else DefaultRegion; "" when
// it is not a valid number.
func normalizePhone(raw, country string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	region := DefaultRegion
	if len(country) == 2 {
		region = country
	}
	n, err := phonenumbers.Parse(raw, region)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return ""
	}
	return phonenumbers.Format(n, phonenumbers.E164)
}

// bookingData is the normalized booking. id, status, start_at, location_id
// and customer_id are always present (empty when unknown); the rest when
// Square sent them.
func bookingData(b booking) map[string]any {
	d := map[string]any{
		"id":          b.ID,
		"status":      b.Status,
		"start_at":    b.StartAt,
		"location_id": b.LocationID,
		"customer_id": b.CustomerID,
	}
	for k, v := range map[string]string{
		"created_at":    b.CreatedAt,
		"updated_at":    b.UpdatedAt,
		"customer_note": b.CustomerNote,
		"seller_note":   b.SellerNote,
		"location_type": b.LocationType,
		"source":        b.Source,
	} {
		if v != "" {
			d[k] = v
		}
	}
	if b.Version != nil {
		d["version"] = num(*b.Version)
	}
	if b.AllDay != nil {
		d["all_day"] = *b.AllDay
	}
	if b.TransitionTimeMinutes != nil {
		d["transition_time_minutes"] = num(*b.TransitionTimeMinutes)
	}
	if len(b.AppointmentSegments) > 0 {
		var total int64
		segs := make([]any, 0, len(b.AppointmentSegments))
		for _, s := range b.AppointmentSegments {
			seg := map[string]any{}
			if s.DurationMinutes != nil {
				seg["duration_minutes"] = num(*s.DurationMinutes)
				total += *s.DurationMinutes
			}
			if s.ServiceVariationID != "" {
				seg["service_variation_id"] = s.ServiceVariationID
			}
			if s.ServiceVariationVersion != nil {
				seg["service_variation_version"] = num(*s.ServiceVariationVersion)
			}
			if s.TeamMemberID != "" {
				seg["team_member_id"] = s.TeamMemberID
			}
			if s.AnyTeamMember != nil {
				seg["any_team_member"] = *s.AnyTeamMember
			}
			if s.IntermissionMinutes != nil {
				seg["intermission_minutes"] = num(*s.IntermissionMinutes)
			}
			segs = append(segs, seg)
		}
		d["appointment_segments"] = segs
		d["duration_minutes"] = num(total)
	}
	return d
}

// thin reports whether a booking lacks what a pipeline needs (its start), so
// Enrich must fetch it.
func (b booking) thin() bool { return b.StartAt == "" }
