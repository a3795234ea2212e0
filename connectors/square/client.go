package square

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/httpx"
)

// maxResponseBody bounds what is read of one API answer.
const maxResponseBody = 1 << 20

// APIError is a non-2xx answer of the Square API: the HTTP status and the
// errors of Square's body {"errors":[{"category","code","detail","field"}]}
// (empty when the body had none). It is the underlying error of the
// classified errors the connector returns.
type APIError struct {
	StatusCode int
	Errors     []ErrorDetail
}

// ErrorDetail is one entry of a Square error body.
type ErrorDetail struct {
	Category string `json:"category"`
	Code     string `json:"code"`
	Detail   string `json:"detail"`
	Field    string `json:"field,omitempty"`
}

func (e *APIError) Error() string {
	msg := "http " + strconv.Itoa(e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		msg += " " + strings.ToLower(t)
	}
	if len(e.Errors) > 0 {
		first := e.Errors[0]
		msg += ": " + first.Category + "/" + first.Code
		if first.Detail != "" {
			msg += ": " + first.Detail
		}
		if first.Field != "" {
			msg += " (field " + first.Field + ")"
		}
		if len(e.Errors) > 1 {
			msg += fmt.Sprintf(" (and %d more)", len(e.Errors)-1)
		}
	}
	return msg
}

// Code returns the first error's code (e.g. "NOT_FOUND"), or "".
func (e *APIError) Code() string {
	if len(e.Errors) == 0 {
		return ""
	}
	return e.Errors[0].Code
}

// errNoToken is returned by calls made without an access token.
var errNoToken = errors.New("connectors.square.access_token is not set")

// apiClient makes the connector's calls to the Square v2 API.
type apiClient struct {
	baseURL string
	token   string
	version string
	logger  *slog.Logger
	// actionClient retries in-process; enrichClient does not (the engine
	// redelivers a failed enrichment).
	actionClient *retryablehttp.Client
	enrichClient *retryablehttp.Client
}

// get fetches baseURL+path and decodes the 2xx answer into out. Errors are
// classified: no token is permanent ("not_configured"); a non-2xx answer as
// httpx.ClassifyResponse says (429 and 5xx retryable with Retry-After, other
// 4xx permanent), with Square's error body as the message; a missing answer
// as httpx.ClassifyTransportError; an undecodable 2xx retryable
// ("bad_response"). Each error says which call failed.
func (a *apiClient) get(ctx context.Context, client *retryablehttp.Client, path string, out any) error {
	where := "GET " + path
	if a.token == "" {
		return connectors.Permanent(fmt.Errorf("%s: %w", where, errNoToken), "not_configured")
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(a.baseURL, "/")+path, nil)
	if err != nil {
		return connectors.Permanent(fmt.Errorf("%s: %w", where, err), "invalid_request")
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Square-Version", a.version)
	req.Header.Set("Accept", "application/json")

	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", where, httpx.ClassifyTransportError(err))
	}
	body, _, readErr := httpx.ReadBody(resp, maxResponseBody)
	a.logger.Debug("square api call", "path", path, "status", resp.StatusCode)
	if err := classify(resp, body); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	if readErr != nil {
		return fmt.Errorf("%s: %w", where, httpx.ClassifyTransportError(readErr))
	}
	if err := json.Unmarshal(body, out); err != nil {
		return connectors.Retryable(fmt.Errorf("%s: decoding the answer: %w", where, err), 0, "bad_response")
	}
	return nil
}

// classify is httpx.ClassifyResponse with Square's error body as the
// underlying *APIError.
func classify(resp *http.Response, body []byte) error {
	err := httpx.ClassifyResponse(resp, nil)
	if err == nil {
		return nil
	}
	apiErr := &APIError{StatusCode: resp.StatusCode}
	var eb struct {
		Errors []ErrorDetail `json:"errors"`
	}
	if json.Unmarshal(body, &eb) == nil {
		apiErr.Errors = eb.Errors
	}
	class, after, reason := connectors.Classify(err)
	switch class {
	case connectors.ClassRetryable:
		return connectors.Retryable(apiErr, after, reason)
	default:
		return connectors.Permanent(apiErr, reason)
	}
}

// customerPath and the others build the v2 paths, escaping the id.
func customerPath(id string) string { return "/v2/customers/" + url.PathEscape(id) }
func bookingPath(id string) string  { return "/v2/bookings/" + url.PathEscape(id) }
func orderPath(id string) string    { return "/v2/orders/" + url.PathEscape(id) }

// errNoObject is returned when a 2xx answer lacks the object asked for.
func errNoObject(path, what string) error {
	return connectors.Retryable(fmt.Errorf("GET %s: the answer has no %s", path, what), 0, "bad_response")
}

// retrieveCustomer is RetrieveCustomer (GET /v2/customers/{id}).
func (a *apiClient) retrieveCustomer(ctx context.Context, client *retryablehttp.Client, id string) (customer, error) {
	var resp struct {
		Customer *customer `json:"customer"`
	}
	p := customerPath(id)
	if err := a.get(ctx, client, p, &resp); err != nil {
		return customer{}, err
	}
	if resp.Customer == nil {
		return customer{}, errNoObject(p, "customer")
	}
	return *resp.Customer, nil
}

// retrieveBooking is RetrieveBooking (GET /v2/bookings/{id}).
func (a *apiClient) retrieveBooking(ctx context.Context, client *retryablehttp.Client, id string) (booking, error) {
	var resp struct {
		Booking *booking `json:"booking"`
	}
	p := bookingPath(id)
	if err := a.get(ctx, client, p, &resp); err != nil {
		return booking{}, err
	}
	if resp.Booking == nil {
		return booking{}, errNoObject(p, "booking")
	}
	return *resp.Booking, nil
}

// retrieveOrder is RetrieveOrder (GET /v2/orders/{id}).
func (a *apiClient) retrieveOrder(ctx context.Context, client *retryablehttp.Client, id string) (order, error) {
	var resp struct {
		Order *order `json:"order"`
	}
	p := orderPath(id)
	if err := a.get(ctx, client, p, &resp); err != nil {
		return order{}, err
	}
	if resp.Order == nil {
		return order{}, errNoObject(p, "order")
	}
	return *resp.Order, nil
}
