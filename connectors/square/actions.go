package square

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboardhq/switchboard/connectors"
)

// Action names.
const (
	ActionGetCustomer = "square.get_customer"
	ActionGetBooking  = "square.get_booking"
)

// Parameter names.
const (
	ParamCustomerID = "customer_id"
	ParamBookingID  = "booking_id"
)

// RateLimitKey is the bucket every Square call draws from: Square limits an
// application as a whole, not per endpoint.
const RateLimitKey = Name

// Both actions are GETs, which Square's API takes no idempotency key for (it
// accepts one only on creating calls such as CreatePayment), so
// Request.IdempotencyKey is not sent; repeating a GET is harmless.

var getCustomerSpec = connectors.ActionSpec{
	Name:        ActionGetCustomer,
	Description: "Fetch a Square customer (RetrieveCustomer). Output: customer {id, first_name, last_name, email, phone (E.164 when valid), company_name, nickname, reference_id, country, created_at, updated_at}.",
	Params: []connectors.ParamSpec{{
		Name: ParamCustomerID, Type: connectors.TypeString, Required: true,
		Description: "The Square customer id.",
		Example:     "${{ event.data.customer.id }}",
	}},
}

var getBookingSpec = connectors.ActionSpec{
	Name:        ActionGetBooking,
	Description: "Fetch a Square booking (RetrieveBooking). Output: booking {id, status, start_at, location_id, customer_id, version, duration_minutes, appointment_segments, customer_note, seller_note, ...}.",
	Params: []connectors.ParamSpec{{
		Name: ParamBookingID, Type: connectors.TypeString, Required: true,
		Description: "The Square booking id.",
		Example:     "${{ event.data.booking_id }}",
	}},
}

// idParam returns the named string parameter, or a permanent error.
func idParam(action string, params map[string]any, name string) (string, error) {
	v, ok := params[name]
	if !ok || v == nil {
		return "", connectors.Permanent(fmt.Errorf("%s: param %q: required", action, name), "invalid_param")
	}
	s, ok := v.(string)
	if !ok {
		return "", connectors.Permanent(fmt.Errorf("%s: param %q: want a string, got %T", action, name, v), "invalid_param")
	}
	if s = strings.TrimSpace(s); s == "" {
		return "", connectors.Permanent(fmt.Errorf("%s: param %q: required, got an empty string", action, name), "invalid_param")
	}
	return s, nil
}

type getCustomerAction struct{ api *apiClient }

var (
	_ connectors.Action           = (*getCustomerAction)(nil)
	_ connectors.SandboxResponder = (*getCustomerAction)(nil)
)

func (a *getCustomerAction) Spec() connectors.ActionSpec { return getCustomerSpec }

// RateLimitKey is RateLimitKey ("square").
func (a *getCustomerAction) RateLimitKey(map[string]any) string { return RateLimitKey }

// Do fetches the customer. A bad parameter is permanent ("invalid_param");
// Square's answer is classified by status: 429 and 5xx retryable (with
// Retry-After), 401, 403 and 404 permanent.
func (a *getCustomerAction) Do(ctx context.Context, req connectors.Request) (connectors.Result, error) {
	id, err := idParam(ActionGetCustomer, req.Params, ParamCustomerID)
	if err != nil {
		return connectors.Result{}, err
	}
	cu, err := a.api.retrieveCustomer(ctx, a.api.actionClient, id)
	if err != nil {
		return connectors.Result{}, fmt.Errorf("%s: %w", ActionGetCustomer, err)
	}
	return connectors.Result{Output: map[string]any{"customer": customerData(cu)}}, nil
}

// SandboxResult returns a customer with the requested id and empty fields.
func (a *getCustomerAction) SandboxResult(req connectors.Request) connectors.Result {
	id, _ := req.Params[ParamCustomerID].(string)
	return connectors.Result{Output: map[string]any{
		"sandbox":  true,
		"customer": customerData(customer{ID: id}),
	}}
}

type getBookingAction struct{ api *apiClient }

var (
	_ connectors.Action           = (*getBookingAction)(nil)
	_ connectors.SandboxResponder = (*getBookingAction)(nil)
)

func (a *getBookingAction) Spec() connectors.ActionSpec { return getBookingSpec }

// RateLimitKey is RateLimitKey ("square").
func (a *getBookingAction) RateLimitKey(map[string]any) string { return RateLimitKey }

// Do fetches the booking; errors are classified as for square.get_customer.
func (a *getBookingAction) Do(ctx context.Context, req connectors.Request) (connectors.Result, error) {
	id, err := idParam(ActionGetBooking, req.Params, ParamBookingID)
	if err != nil {
		return connectors.Result{}, err
	}
	b, err := a.api.retrieveBooking(ctx, a.api.actionClient, id)
	if err != nil {
		return connectors.Result{}, fmt.Errorf("%s: %w", ActionGetBooking, err)
	}
	return connectors.Result{Output: map[string]any{"booking": bookingData(b)}}, nil
}

// SandboxResult returns a booking with the requested id and empty fields.
func (a *getBookingAction) SandboxResult(req connectors.Request) connectors.Result {
	id, _ := req.Params[ParamBookingID].(string)
	return connectors.Result{Output: map[string]any{
		"sandbox": true,
		"booking": bookingData(booking{ID: id}),
	}}
}
