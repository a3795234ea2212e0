package fake

// The Square objects the fake serves and the notifications it builds, with
// Square's JSON field names. Empty fields are left out, as Square does.

// Money is an amount in the currency's smallest unit.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// Address is a Square address.
type Address struct {
	AddressLine1                 string `json:"address_line_1,omitempty"`
	AddressLine2                 string `json:"address_line_2,omitempty"`
	Locality                     string `json:"locality,omitempty"`
	AdministrativeDistrictLevel1 string `json:"administrative_district_level_1,omitempty"`
	PostalCode                   string `json:"postal_code,omitempty"`
	Country                      string `json:"country,omitempty"`
}

// CustomerPreferences is a customer's marketing preferences.
type CustomerPreferences struct {
	EmailUnsubscribed bool `json:"email_unsubscribed"`
}

// Customer is a customer profile (RetrieveCustomer's "customer").
type Customer struct {
	ID             string               `json:"id"`
	CreatedAt      string               `json:"created_at,omitempty"`
	UpdatedAt      string               `json:"updated_at,omitempty"`
	GivenName      string               `json:"given_name,omitempty"`
	FamilyName     string               `json:"family_name,omitempty"`
	Nickname       string               `json:"nickname,omitempty"`
	CompanyName    string               `json:"company_name,omitempty"`
	EmailAddress   string               `json:"email_address,omitempty"`
	Address        *Address             `json:"address,omitempty"`
	PhoneNumber    string               `json:"phone_number,omitempty"`
	ReferenceID    string               `json:"reference_id,omitempty"`
	Note           string               `json:"note,omitempty"`
	Preferences    *CustomerPreferences `json:"preferences,omitempty"`
	CreationSource string               `json:"creation_source,omitempty"`
	Version        int64                `json:"version,omitempty"`
}

// AppointmentSegment is one service of a booking.
type AppointmentSegment struct {
	DurationMinutes         int    `json:"duration_minutes,omitempty"`
	ServiceVariationID      string `json:"service_variation_id,omitempty"`
	ServiceVariationVersion int64  `json:"service_variation_version,omitempty"`
	TeamMemberID            string `json:"team_member_id,omitempty"`
	AnyTeamMember           bool   `json:"any_team_member,omitempty"`
}

// CreatorDetails says who made a booking.
type CreatorDetails struct {
	CreatorType  string `json:"creator_type,omitempty"`
	TeamMemberID string `json:"team_member_id,omitempty"`
	CustomerID   string `json:"customer_id,omitempty"`
}

// Booking is an appointment (RetrieveBooking's "booking", and the object of
// booking.created and booking.updated). Status is one of PENDING, ACCEPTED,
// CANCELLED_BY_CUSTOMER, CANCELLED_BY_SELLER, DECLINED, NO_SHOW.
type Booking struct {
	ID                    string               `json:"id"`
	Version               int                  `json:"version,omitempty"`
	Status                string               `json:"status,omitempty"`
	CreatedAt             string               `json:"created_at,omitempty"`
	UpdatedAt             string               `json:"updated_at,omitempty"`
	StartAt               string               `json:"start_at,omitempty"`
	LocationID            string               `json:"location_id,omitempty"`
	CustomerID            string               `json:"customer_id,omitempty"`
	CustomerNote          string               `json:"customer_note,omitempty"`
	SellerNote            string               `json:"seller_note,omitempty"`
	LocationType          string               `json:"location_type,omitempty"`
	AllDay                bool                 `json:"all_day,omitempty"`
	TransitionTimeMinutes int                  `json:"transition_time_minutes,omitempty"`
	AppointmentSegments   []AppointmentSegment `json:"appointment_segments,omitempty"`
	CreatorDetails        *CreatorDetails      `json:"creator_details,omitempty"`
	Source                string               `json:"source,omitempty"`
}

// Card is the card of a card payment.
type Card struct {
	CardBrand string `json:"card_brand,omitempty"`
	Last4     string `json:"last_4,omitempty"`
	ExpMonth  int    `json:"exp_month,omitempty"`
	ExpYear   int    `json:"exp_year,omitempty"`
	CardType  string `json:"card_type,omitempty"`
}

// CardDetails describes a card payment.
type CardDetails struct {
	Status      string `json:"status,omitempty"`
	Card        *Card  `json:"card,omitempty"`
	EntryMethod string `json:"entry_method,omitempty"`
}

// Payment is the object of payment.created and payment.updated. Status is
// one of APPROVED, PENDING, COMPLETED, CANCELED, FAILED.
type Payment struct {
	ID                string       `json:"id"`
	CreatedAt         string       `json:"created_at,omitempty"`
	UpdatedAt         string       `json:"updated_at,omitempty"`
	AmountMoney       *Money       `json:"amount_money,omitempty"`
	TipMoney          *Money       `json:"tip_money,omitempty"`
	TotalMoney        *Money       `json:"total_money,omitempty"`
	ApprovedMoney     *Money       `json:"approved_money,omitempty"`
	RefundedMoney     *Money       `json:"refunded_money,omitempty"`
	Status            string       `json:"status,omitempty"`
	SourceType        string       `json:"source_type,omitempty"`
	CardDetails       *CardDetails `json:"card_details,omitempty"`
	LocationID        string       `json:"location_id,omitempty"`
	OrderID           string       `json:"order_id,omitempty"`
	CustomerID        string       `json:"customer_id,omitempty"`
	RefundIDs         []string     `json:"refund_ids,omitempty"`
	BuyerEmailAddress string       `json:"buyer_email_address,omitempty"`
	Note              string       `json:"note,omitempty"`
	ReceiptNumber     string       `json:"receipt_number,omitempty"`
	ReceiptURL        string       `json:"receipt_url,omitempty"`
	VersionToken      string       `json:"version_token,omitempty"`
}

// LineItem is one line of an order. Quantity is a decimal string.
type LineItem struct {
	UID            string `json:"uid,omitempty"`
	Name           string `json:"name,omitempty"`
	Quantity       string `json:"quantity"`
	BasePriceMoney *Money `json:"base_price_money,omitempty"`
	TotalMoney     *Money `json:"total_money,omitempty"`
}

// Fulfillment is one fulfillment of an order (Type PICKUP, SHIPMENT,
// DELIVERY; State PROPOSED, RESERVED, PREPARED, COMPLETED, CANCELED, FAILED).
type Fulfillment struct {
	UID   string `json:"uid,omitempty"`
	Type  string `json:"type,omitempty"`
	State string `json:"state,omitempty"`
}

// Order is a full order (RetrieveOrder's "order"). State is one of OPEN,
// COMPLETED, CANCELED, DRAFT.
type Order struct {
	ID                 string        `json:"id"`
	LocationID         string        `json:"location_id,omitempty"`
	ReferenceID        string        `json:"reference_id,omitempty"`
	CustomerID         string        `json:"customer_id,omitempty"`
	LineItems          []LineItem    `json:"line_items,omitempty"`
	Fulfillments       []Fulfillment `json:"fulfillments,omitempty"`
	CreatedAt          string        `json:"created_at,omitempty"`
	UpdatedAt          string        `json:"updated_at,omitempty"`
	State              string        `json:"state,omitempty"`
	Version            int           `json:"version,omitempty"`
	TotalMoney         *Money        `json:"total_money,omitempty"`
	TotalTaxMoney      *Money        `json:"total_tax_money,omitempty"`
	TotalDiscountMoney *Money        `json:"total_discount_money,omitempty"`
}

// FulfillmentUpdate is one fulfillment's state change in
// order.fulfillment.updated.
type FulfillmentUpdate struct {
	FulfillmentUID string `json:"fulfillment_uid"`
	OldState       string `json:"old_state,omitempty"`
	NewState       string `json:"new_state"`
}

// OrderChange is the summary an order notification carries instead of the
// order (order_created, order_updated, order_fulfillment_updated).
type OrderChange struct {
	OrderID           string              `json:"order_id"`
	Version           int                 `json:"version,omitempty"`
	LocationID        string              `json:"location_id,omitempty"`
	State             string              `json:"state,omitempty"`
	CreatedAt         string              `json:"created_at,omitempty"`
	UpdatedAt         string              `json:"updated_at,omitempty"`
	FulfillmentUpdate []FulfillmentUpdate `json:"fulfillment_update,omitempty"`
}

// Event is a webhook notification's envelope.
type Event struct {
	MerchantID string    `json:"merchant_id"`
	LocationID string    `json:"location_id,omitempty"`
	Type       string    `json:"type"`
	EventID    string    `json:"event_id"`
	CreatedAt  string    `json:"created_at"`
	Data       EventData `json:"data"`
}

// EventData is the envelope's data: the object's type and id, and the object
// under its key (e.g. {"booking": {...}}).
type EventData struct {
	Type   string         `json:"type"`
	ID     string         `json:"id"`
	Object map[string]any `json:"object,omitempty"`
}

// Error is one entry of Square's error body.
type Error struct {
	Category string `json:"category"`
	Code     string `json:"code"`
	Detail   string `json:"detail,omitempty"`
	Field    string `json:"field,omitempty"`
}

// ErrorBody is Square's error answer.
type ErrorBody struct {
	Errors []Error `json:"errors"`
}
