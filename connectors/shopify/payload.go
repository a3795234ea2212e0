package shopify

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// The REST resource shapes Shopify delivers as webhook bodies, reduced to the
// fields the connector reads. Leaf fields are lenient (a string, a number or
// null), so that a field Shopify renders differently in some API version does
// not make a whole delivery unparseable.

// flexString holds a JSON string, number (its literal text, so ids beyond
// 2^53 stay exact), boolean ("true"/"false") or null ("").
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*f = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case string(b) == "true" || string(b) == "false":
		*f = flexString(b)
	case b[0] == '{' || b[0] == '[':
		return errors.New("want a string or a number, got an object or array")
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*f = flexString(n.String())
	}
	return nil
}

func (f flexString) String() string { return strings.TrimSpace(string(f)) }

// number parses f as a finite float64 (Shopify renders money as decimal
// strings, "59.99").
func (f flexString) number() (float64, bool) {
	s := f.String()
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// bool reads "true" (JSON true or the string) as true.
func (f flexString) bool() bool { return strings.EqualFold(f.String(), "true") }

// time parses an RFC 3339 timestamp ("2021-12-31T19:00:00-05:00"), in UTC.
func (f flexString) time() time.Time {
	return parseTime(f.String())
}

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

type address struct {
	FirstName   flexString `json:"first_name"`
	LastName    flexString `json:"last_name"`
	Phone       flexString `json:"phone"`
	CountryCode flexString `json:"country_code"`
}

type consent struct {
	State flexString `json:"state"`
}

type customer struct {
	ID                    flexString `json:"id"`
	Email                 flexString `json:"email"`
	Phone                 flexString `json:"phone"`
	FirstName             flexString `json:"first_name"`
	LastName              flexString `json:"last_name"`
	State                 flexString `json:"state"`
	Tags                  flexString `json:"tags"`
	CreatedAt             flexString `json:"created_at"`
	UpdatedAt             flexString `json:"updated_at"`
	DefaultAddress        *address   `json:"default_address"`
	EmailMarketingConsent *consent   `json:"email_marketing_consent"`
	SMSMarketingConsent   *consent   `json:"sms_marketing_consent"`
}

type moneySet struct {
	ShopMoney struct {
		Amount       flexString `json:"amount"`
		CurrencyCode flexString `json:"currency_code"`
	} `json:"shop_money"`
}

type lineItem struct {
	SKU      flexString `json:"sku"`
	Title    flexString `json:"title"`
	Name     flexString `json:"name"`
	Quantity flexString `json:"quantity"`
	Price    flexString `json:"price"`
	PriceSet *moneySet  `json:"price_set"`
}

type fulfillment struct {
	ID              flexString   `json:"id"`
	OrderID         flexString   `json:"order_id"`
	Name            flexString   `json:"name"`
	Status          flexString   `json:"status"`
	ShipmentStatus  flexString   `json:"shipment_status"`
	CreatedAt       flexString   `json:"created_at"`
	UpdatedAt       flexString   `json:"updated_at"`
	Email           flexString   `json:"email"`
	TrackingCompany flexString   `json:"tracking_company"`
	TrackingNumber  flexString   `json:"tracking_number"`
	TrackingNumbers []flexString `json:"tracking_numbers"`
	TrackingURL     flexString   `json:"tracking_url"`
	TrackingURLs    []flexString `json:"tracking_urls"`
	Destination     *address     `json:"destination"`
	LineItems       []lineItem   `json:"line_items"`
}

type order struct {
	ID                flexString    `json:"id"`
	Name              flexString    `json:"name"`
	Email             flexString    `json:"email"`
	ContactEmail      flexString    `json:"contact_email"`
	Phone             flexString    `json:"phone"`
	CreatedAt         flexString    `json:"created_at"`
	UpdatedAt         flexString    `json:"updated_at"`
	CancelledAt       flexString    `json:"cancelled_at"`
	CancelReason      flexString    `json:"cancel_reason"`
	Currency          flexString    `json:"currency"`
	TotalPrice        flexString    `json:"total_price"`
	TotalPriceSet     *moneySet     `json:"total_price_set"`
	FinancialStatus   flexString    `json:"financial_status"`
	FulfillmentStatus flexString    `json:"fulfillment_status"`
	OrderStatusURL    flexString    `json:"order_status_url"`
	Note              flexString    `json:"note"`
	Tags              flexString    `json:"tags"`
	Test              flexString    `json:"test"`
	Customer          *customer     `json:"customer"`
	BillingAddress    *address      `json:"billing_address"`
	ShippingAddress   *address      `json:"shipping_address"`
	LineItems         []lineItem    `json:"line_items"`
	Fulfillments      []fulfillment `json:"fulfillments"`
}

type checkout struct {
	ID                       flexString `json:"id"`
	Token                    flexString `json:"token"`
	Email                    flexString `json:"email"`
	Phone                    flexString `json:"phone"`
	SMSMarketingPhone        flexString `json:"sms_marketing_phone"`
	AbandonedCheckoutURL     flexString `json:"abandoned_checkout_url"`
	CreatedAt                flexString `json:"created_at"`
	UpdatedAt                flexString `json:"updated_at"`
	CompletedAt              flexString `json:"completed_at"`
	Currency                 flexString `json:"currency"`
	TotalPrice               flexString `json:"total_price"`
	BuyerAcceptsMarketing    flexString `json:"buyer_accepts_marketing"`
	BuyerAcceptsSMSMarketing flexString `json:"buyer_accepts_sms_marketing"`
	Customer                 *customer  `json:"customer"`
	BillingAddress           *address   `json:"billing_address"`
	ShippingAddress          *address   `json:"shipping_address"`
	LineItems                []lineItem `json:"line_items"`
}
