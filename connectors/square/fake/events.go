package fake

import (
	"crypto/rand"
	"fmt"
	"time"
)

// Ids and values of the seeded data.
const (
	MerchantID = "MLEFBHHSJGVHD"
	LocationID = "L9R0X9X5SGDBJ"

	// CustomerID is an Australian customer with a mobile number written
	// nationally ("0412 345 678", E.164 +61412345678).
	CustomerID    = "JDKYHBWT1D4F8MFH63DBMEN8Y4"
	CustomerPhone = "0412 345 678"
	CustomerE164  = "+61412345678"
	CustomerEmail = "amelia.earhart@example.com"
	// CustomerUSID is a customer in the United States whose number has no
	// country code ("(206) 555-0100", E.164 +12065550100).
	CustomerUSID   = "N1XD2DC8JH4RQ2V9T8ZZKA0WY4"
	CustomerUSE164 = "+12065550100"
	// CustomerNoPhoneID has an email address and no phone number.
	CustomerNoPhoneID = "P2A7Z4SMMC3Y9K1RR6VGN8TQE8"

	// BookingID is an accepted booking of CustomerID.
	BookingID      = "i2id2g3enyspi7"
	BookingStartAt = "2030-12-17T16:00:00Z"
	// OrderID is an open order of CustomerID for AUD 42.50.
	OrderID = "eA3vssLHKJrv9H0IdJCM3gNqfdcZY"
	// PaymentID is a completed payment of OrderID.
	PaymentID = "hYy9pRFVxpDsO1FB05SunFWUe9JZY"
)

// SeedCustomers returns the customers a new Server holds.
func SeedCustomers() []Customer {
	return []Customer{
		{
			ID: CustomerID, CreatedAt: "2024-03-01T09:12:44.196Z", UpdatedAt: "2024-03-01T09:12:44Z",
			GivenName: "Amelia", FamilyName: "Earhart", EmailAddress: CustomerEmail,
			PhoneNumber: CustomerPhone, ReferenceID: "YOUR_REFERENCE_ID",
			Address: &Address{
				AddressLine1: "500 Collins St", Locality: "Melbourne",
				AdministrativeDistrictLevel1: "VIC", PostalCode: "3000", Country: "AU",
			},
			Preferences: &CustomerPreferences{}, CreationSource: "THIRD_PARTY", Version: 1,
		},
		{
			ID: CustomerUSID, CreatedAt: "2024-05-20T17:02:11.512Z", UpdatedAt: "2024-05-20T17:02:11Z",
			GivenName: "John", FamilyName: "Doe", EmailAddress: "john.doe@example.com",
			PhoneNumber: "(206) 555-0100",
			Address:     &Address{AddressLine1: "1455 Market St", Locality: "San Francisco", AdministrativeDistrictLevel1: "CA", PostalCode: "94103", Country: "US"},
			Preferences: &CustomerPreferences{}, CreationSource: "DIRECTORY", Version: 3,
		},
		{
			ID: CustomerNoPhoneID, CreatedAt: "2024-06-02T08:00:00Z", UpdatedAt: "2024-06-02T08:00:00Z",
			GivenName: "Grace", FamilyName: "Hopper", EmailAddress: "grace@example.com",
			Preferences: &CustomerPreferences{EmailUnsubscribed: true}, CreationSource: "APPOINTMENTS", Version: 1,
		},
	}
}

// SeedBooking returns the seeded booking, as RetrieveBooking answers it.
func SeedBooking() Booking {
	return Booking{
		ID: BookingID, Version: 1, Status: "ACCEPTED",
		CreatedAt: "2030-12-08T19:56:53Z", UpdatedAt: "2030-12-08T20:05:00Z",
		StartAt: BookingStartAt, LocationID: LocationID, CustomerID: CustomerID,
		CustomerNote: "I would like to sit near the window please",
		LocationType: "BUSINESS_LOCATION",
		AppointmentSegments: []AppointmentSegment{{
			DurationMinutes: 60, ServiceVariationID: "T3WUWYFJOVW2EU6XGRU5YG4A",
			ServiceVariationVersion: 1605808735978, TeamMemberID: "_4GsfYnqGHyurOwzWdKj",
		}},
		CreatorDetails: &CreatorDetails{CreatorType: "CUSTOMER", CustomerID: CustomerID},
		Source:         "FIRST_PARTY_BUYER",
	}
}

// SeedOrder returns the seeded order, as RetrieveOrder answers it.
func SeedOrder() Order {
	return Order{
		ID: OrderID, LocationID: LocationID, ReferenceID: "my-order-0001", CustomerID: CustomerID,
		LineItems: []LineItem{
			{UID: "8uSwfzvUImn3IRrvciqlXC", Name: "Flat White", Quantity: "2",
				BasePriceMoney: &Money{Amount: 550, Currency: "AUD"}, TotalMoney: &Money{Amount: 1100, Currency: "AUD"}},
			{UID: "v8ZuEXpOJpb0bazLuvrLDB", Name: "Coffee Beans 1kg", Quantity: "1",
				BasePriceMoney: &Money{Amount: 3150, Currency: "AUD"}, TotalMoney: &Money{Amount: 3150, Currency: "AUD"}},
		},
		Fulfillments: []Fulfillment{{UID: "bWOLVkUNhwbr0oSmVDQEeB", Type: "SHIPMENT", State: "PROPOSED"}},
		CreatedAt:    "2030-04-16T23:14:26.129Z", UpdatedAt: "2030-04-16T23:14:26.359Z",
		State: "OPEN", Version: 2,
		TotalMoney:    &Money{Amount: 4250, Currency: "AUD"},
		TotalTaxMoney: &Money{Amount: 386, Currency: "AUD"},
	}
}

// SeedPayment returns a completed card payment of the seeded order by the
// seeded customer (the shape of Square's payment.updated example).
func SeedPayment() Payment {
	return Payment{
		ID: PaymentID, CreatedAt: "2030-04-16T23:14:30.086Z", UpdatedAt: "2030-04-16T23:14:31.831Z",
		AmountMoney: &Money{Amount: 4250, Currency: "AUD"}, TotalMoney: &Money{Amount: 4250, Currency: "AUD"},
		ApprovedMoney: &Money{Amount: 4250, Currency: "AUD"},
		Status:        "COMPLETED", SourceType: "CARD",
		CardDetails: &CardDetails{Status: "CAPTURED", EntryMethod: "KEYED",
			Card: &Card{CardBrand: "MASTERCARD", Last4: "9029", ExpMonth: 11, ExpYear: 2032, CardType: "CREDIT"}},
		LocationID: LocationID, OrderID: OrderID, CustomerID: CustomerID,
		BuyerEmailAddress: CustomerEmail, ReceiptNumber: "hYy9",
		ReceiptURL:   "https://squareup.com/receipt/preview/hYy9pRFVxpDsO1FB05SunFWUe9JZY",
		VersionToken: "FfQhQJf9r3VSQIgyWBk1oqhIwiznLwVwJbVVA0bdyEv6o",
	}
}

// NewEventID returns a random UUID, the form of Square's event_id.
func NewEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func newEvent(typ, dataType, id string, object map[string]any) Event {
	return Event{
		MerchantID: MerchantID,
		Type:       typ,
		EventID:    NewEventID(),
		CreatedAt:  time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		Data:       EventData{Type: dataType, ID: id, Object: object},
	}
}

// BookingEvent builds a booking.created or booking.updated notification for
// b (data.id is "<id>:<version>" as Square sends it). A Booking with only
// an ID gives a thin notification, which the connector completes with
// RetrieveBooking.
func BookingEvent(typ string, b Booking) Event {
	id := b.ID
	if b.Version > 0 {
		id = fmt.Sprintf("%s:%d", b.ID, b.Version)
	}
	ev := newEvent(typ, "booking", id, map[string]any{"booking": b})
	ev.LocationID = b.LocationID
	return ev
}

// BookingCreated is BookingEvent("booking.created", b).
func BookingCreated(b Booking) Event { return BookingEvent("booking.created", b) }

// BookingUpdated is BookingEvent("booking.updated", b); a cancellation is a
// booking.updated with a CANCELLED_BY_* or DECLINED status.
func BookingUpdated(b Booking) Event { return BookingEvent("booking.updated", b) }

// PaymentEvent builds a payment.created or payment.updated notification.
func PaymentEvent(typ string, p Payment) Event {
	return newEvent(typ, "payment", p.ID, map[string]any{"payment": p})
}

// PaymentUpdated is PaymentEvent("payment.updated", p).
func PaymentUpdated(p Payment) Event { return PaymentEvent("payment.updated", p) }

// OrderEvent builds an order.created, order.updated or
// order.fulfillment.updated notification: the summary under order_created,
// order_updated or order_fulfillment_updated, not the order.
func OrderEvent(typ string, o OrderChange) Event {
	key := map[string]string{
		"order.created":             "order_created",
		"order.updated":             "order_updated",
		"order.fulfillment.updated": "order_fulfillment_updated",
	}[typ]
	if key == "" {
		key = "order_updated"
	}
	return newEvent(typ, "order", o.OrderID, map[string]any{key: o})
}

// OrderUpdated builds an order.updated notification for orderID in the
// given state (OPEN, COMPLETED, CANCELED) at the seeded location.
func OrderUpdated(orderID, state string, version int) Event {
	return OrderEvent("order.updated", OrderChange{
		OrderID: orderID, Version: version, LocationID: LocationID, State: state,
		CreatedAt: "2030-04-16T23:14:26.129Z", UpdatedAt: time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
	})
}

// CustomerCreated builds a customer.created notification.
func CustomerCreated(c Customer) Event {
	return newEvent("customer.created", "customer", c.ID, map[string]any{"customer": c})
}
