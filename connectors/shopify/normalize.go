package shopify

import (
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/switchboardhq/switchboard/event"
)

// maxPhoneLen bounds what is handed to the phone number parser.
const maxPhoneLen = 64

// person is what a payload says about the customer.
type person struct {
	id, email, firstName, lastName string
	phone                          string // E.164 when it could be normalized
}

// phoneCandidate is a phone as found in a payload, with the regions (ISO
// country codes) to read it in when it has no country code, best first.
type phoneCandidate struct {
	raw     string
	regions []string
}

// pickPhone returns the first candidate that is a valid number, in E.164;
// when none is, the first non-empty raw value (trimmed), so the hub can
// still try its default region; "" when there is none.
func pickPhone(cands ...phoneCandidate) string {
	first := ""
	for _, c := range cands {
		raw := strings.TrimSpace(c.raw)
		if raw == "" {
			continue
		}
		if first == "" {
			first = raw
		}
		if e := toE164(raw, c.regions); e != "" {
			return e
		}
	}
	return first
}

// toE164 parses raw in each region in turn (a number with a "+" country
// code needs none) and returns the first valid reading in E.164, or "".
func toE164(raw string, regions []string) string {
	if len(raw) > maxPhoneLen {
		return ""
	}
	tried := make(map[string]bool, len(regions)+1)
	for i := 0; i <= len(regions); i++ {
		r := "ZZ" // unknown region: only numbers with a "+" country code parse
		if i < len(regions) {
			r = strings.ToUpper(strings.TrimSpace(regions[i]))
		}
		if len(r) != 2 || tried[r] {
			continue
		}
		tried[r] = true
		num, err := phonenumbers.Parse(raw, r)
		if err != nil || !phonenumbers.IsValidNumber(num) {
			continue
		}
		return phonenumbers.Format(num, phonenumbers.E164)
	}
	return ""
}

func country(a *address) string {
	if a == nil {
		return ""
	}
	return a.CountryCode.String()
}

func addrPhone(a *address) string {
	if a == nil {
		return ""
	}
	return a.Phone.String()
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// names returns the first (first, last) pair with a non-empty part.
func names(pairs ...[2]string) (string, string) {
	for _, p := range pairs {
		f, l := strings.TrimSpace(p[0]), strings.TrimSpace(p[1])
		if f != "" || l != "" {
			return f, l
		}
	}
	return "", ""
}

func addrNames(a *address) [2]string {
	if a == nil {
		return [2]string{}
	}
	return [2]string{a.FirstName.String(), a.LastName.String()}
}

func custNames(c *customer) [2]string {
	if c == nil {
		return [2]string{}
	}
	return [2]string{c.FirstName.String(), c.LastName.String()}
}

// buyer is what an order or checkout says about its buyer. Phones are
// searched in this order: customer.phone, the order's own phone, the
// billing address, the shipping address, the customer's default address;
// each is read in its own address's country first. extra candidates (a
// checkout's SMS marketing phone) come right after the order's phone.
func buyer(c *customer, phone, email, contactEmail string, billing, shipping *address, extra ...phoneCandidate) person {
	var def *address
	var p person
	if c != nil {
		def = c.DefaultAddress
		p.id = c.ID.String()
		p.email = c.Email.String()
	}
	p.email = firstNonEmpty(p.email, email, contactEmail)
	p.firstName, p.lastName = names(custNames(c), addrNames(billing), addrNames(shipping))
	dc, bc, sc := country(def), country(billing), country(shipping)
	cands := []phoneCandidate{}
	if c != nil {
		cands = append(cands, phoneCandidate{c.Phone.String(), []string{dc, bc, sc}})
	}
	cands = append(cands, phoneCandidate{phone, []string{sc, bc, dc}})
	cands = append(cands, extra...)
	cands = append(cands,
		phoneCandidate{addrPhone(billing), []string{bc, sc, dc}},
		phoneCandidate{addrPhone(shipping), []string{sc, bc, dc}},
		phoneCandidate{addrPhone(def), []string{dc, bc, sc}},
	)
	p.phone = pickPhone(cands...)
	return p
}

// data is the normalized customer object: id, first_name, last_name, email,
// phone, every key present ("" when unknown).
func (p person) data() map[string]any {
	return map[string]any{
		"id":         p.id,
		"first_name": p.firstName,
		"last_name":  p.lastName,
		"email":      p.email,
		"phone":      p.phone,
	}
}

// contact is the event's ContactRef, or nil when the payload names nobody.
func (p person) contact() *event.ContactRef {
	ref := &event.ContactRef{Phone: p.phone, Email: p.email, FirstName: p.firstName, LastName: p.lastName}
	if p.id != "" {
		ref.ProviderIDs = map[string]string{Name: p.id}
	}
	if ref.Empty() {
		return nil
	}
	return ref
}

// lineItems normalizes line items to [{sku, title, quantity, price}] with
// numbers as float64 (0 when absent).
func lineItems(items []lineItem) []any {
	out := make([]any, 0, len(items))
	for _, li := range items {
		qty, _ := li.Quantity.number()
		price, ok := li.Price.number()
		if !ok && li.PriceSet != nil {
			price, _ = li.PriceSet.ShopMoney.Amount.number()
		}
		out = append(out, map[string]any{
			"sku":      li.SKU.String(),
			"title":    firstNonEmpty(li.Title.String(), li.Name.String()),
			"quantity": qty,
			"price":    price,
		})
	}
	return out
}

// tracking is a fulfillment's tracking: {number, url, company}, every key
// present.
func (f *fulfillment) tracking() map[string]any {
	number := f.TrackingNumber.String()
	if number == "" && len(f.TrackingNumbers) > 0 {
		number = f.TrackingNumbers[0].String()
	}
	url := f.TrackingURL.String()
	if url == "" && len(f.TrackingURLs) > 0 {
		url = f.TrackingURLs[0].String()
	}
	return map[string]any{"number": number, "url": url, "company": f.TrackingCompany.String()}
}

func (f *fulfillment) hasTracking() bool {
	t := f.tracking()
	return t["number"] != "" || t["url"] != ""
}

func emptyTracking() map[string]any {
	return map[string]any{"number": "", "url": "", "company": ""}
}

// splitTags splits Shopify's comma-separated tags, trimmed, empties dropped.
func splitTags(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// orderStatus is the order's state in one word: cancelled, fulfilled,
// partially_fulfilled, else its financial status (pending, authorized,
// paid, partially_paid, refunded, partially_refunded, voided), else open.
func (o *order) status() string {
	switch {
	case o.CancelledAt.String() != "":
		return "cancelled"
	case o.FulfillmentStatus.String() == "fulfilled":
		return "fulfilled"
	case o.FulfillmentStatus.String() == "partial":
		return "partially_fulfilled"
	case o.FinancialStatus.String() != "":
		return o.FinancialStatus.String()
	}
	return "open"
}

func (o *order) buyer() person {
	return buyer(o.Customer, o.Phone.String(), o.Email.String(), o.ContactEmail.String(), o.BillingAddress, o.ShippingAddress)
}

// data is the normalized order (the keys REST events and other commerce
// connectors use) and the buyer it names.
func (o *order) data() (map[string]any, person) {
	p := o.buyer()
	d := map[string]any{
		"order_id":           o.ID.String(),
		"order_name":         o.Name.String(),
		"currency":           o.Currency.String(),
		"status":             o.status(),
		"financial_status":   o.FinancialStatus.String(),
		"fulfillment_status": o.FulfillmentStatus.String(),
		"customer":           p.data(),
		"line_items":         lineItems(o.LineItems),
		"order_status_url":   o.OrderStatusURL.String(),
		"tags":               anySlice(splitTags(o.Tags.String())),
		"note":               o.Note.String(),
		"test":               o.Test.bool(),
	}
	total, ok := o.TotalPrice.number()
	if !ok && o.TotalPriceSet != nil {
		total, ok = o.TotalPriceSet.ShopMoney.Amount.number()
	}
	if ok {
		d["total"] = total
	}
	if d["currency"] == "" && o.TotalPriceSet != nil {
		d["currency"] = o.TotalPriceSet.ShopMoney.CurrencyCode.String()
	}
	if r := o.CancelReason.String(); r != "" {
		d["cancel_reason"] = r
	}
	tr := emptyTracking()
	for i := len(o.Fulfillments) - 1; i >= 0; i-- {
		if f := &o.Fulfillments[i]; f.hasTracking() {
			tr = f.tracking()
			d["fulfillment_id"] = f.ID.String()
			break
		}
	}
	d["tracking"] = tr
	d["tracking_url"] = tr["url"]
	return d, p
}

// orderName derives an order's name from a fulfillment's ("#1001.1" is the
// first fulfillment of "#1001").
func orderName(fulfillmentName string) string {
	if i := strings.LastIndexByte(fulfillmentName, '.'); i > 0 {
		return fulfillmentName[:i]
	}
	return fulfillmentName
}

// data is the normalized shipment of a fulfillment payload: the order's id
// and name, tracking, the shipped line items and the recipient (the
// fulfillment's destination and email). A fulfillment carries no order
// total.
func (f *fulfillment) data() (map[string]any, person) {
	dest := f.Destination
	p := person{email: f.Email.String()}
	p.firstName, p.lastName = names(addrNames(dest))
	p.phone = pickPhone(phoneCandidate{addrPhone(dest), []string{country(dest)}})
	tr := f.tracking()
	d := map[string]any{
		"order_id":           f.OrderID.String(),
		"order_name":         orderName(f.Name.String()),
		"fulfillment_id":     f.ID.String(),
		"status":             "shipped",
		"fulfillment_status": f.Status.String(),
		"shipment_status":    f.ShipmentStatus.String(),
		"customer":           p.data(),
		"line_items":         lineItems(f.LineItems),
		"tracking":           tr,
		"tracking_url":       tr["url"],
	}
	return d, p
}

// data is the normalized checkout; status is "abandoned" until completed_at
// is set, then "completed".
func (c *checkout) data() (map[string]any, person) {
	p := buyer(c.Customer, c.Phone.String(), c.Email.String(), "", c.BillingAddress, c.ShippingAddress,
		phoneCandidate{c.SMSMarketingPhone.String(), []string{country(c.ShippingAddress), country(c.BillingAddress)}})
	status := "abandoned"
	if c.CompletedAt.String() != "" {
		status = "completed"
	}
	d := map[string]any{
		"checkout_id":                 c.ID.String(),
		"checkout_token":              c.Token.String(),
		"currency":                    c.Currency.String(),
		"status":                      status,
		"customer":                    p.data(),
		"line_items":                  lineItems(c.LineItems),
		"checkout_url":                c.AbandonedCheckoutURL.String(),
		"abandoned_checkout_url":      c.AbandonedCheckoutURL.String(),
		"buyer_accepts_marketing":     c.BuyerAcceptsMarketing.bool(),
		"buyer_accepts_sms_marketing": c.BuyerAcceptsSMSMarketing.bool(),
	}
	if total, ok := c.TotalPrice.number(); ok {
		d["total"] = total
	}
	return d, p
}

// data is the normalized customer resource.
func (c *customer) data() (map[string]any, person) {
	def := c.DefaultAddress
	p := person{id: c.ID.String(), email: c.Email.String()}
	p.firstName, p.lastName = names(custNames(c), addrNames(def))
	p.phone = pickPhone(
		phoneCandidate{c.Phone.String(), []string{country(def)}},
		phoneCandidate{addrPhone(def), []string{country(def)}},
	)
	d := map[string]any{
		"customer_id": p.id,
		"customer":    p.data(),
		"status":      c.State.String(),
		"tags":        anySlice(splitTags(c.Tags.String())),
	}
	if c.EmailMarketingConsent != nil {
		d["email_marketing_consent"] = c.EmailMarketingConsent.State.String()
	}
	if c.SMSMarketingConsent != nil {
		d["sms_marketing_consent"] = c.SMSMarketingConsent.State.String()
	}
	return d, p
}
