package square

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/connectortest"
	"github.com/switchboardhq/switchboard/connectors/square/fake"
)

func action(t *testing.T, c *Connector, name string) connectors.Action {
	t.Helper()
	for _, a := range c.Actions() {
		if a.Spec().Name == name {
			return a
		}
	}
	t.Fatalf("no action %s", name)
	return nil
}

func TestConformance(t *testing.T) {
	t.Parallel()
	cases := []struct {
		action, param, okID, path string
		check                     func(t *testing.T, res connectors.Result)
	}{
		{
			action: ActionGetCustomer, param: ParamCustomerID, okID: fake.CustomerID, path: "/v2/customers/",
			check: func(t *testing.T, res connectors.Result) {
				require.Equal(t, seededCustomer, res.Output["customer"])
			},
		},
		{
			action: ActionGetBooking, param: ParamBookingID, okID: fake.BookingID, path: "/v2/bookings/",
			check: func(t *testing.T, res connectors.Result) {
				bk := res.Output["booking"].(map[string]any)
				require.Equal(t, fake.BookingID, bk["id"])
				require.Equal(t, fake.BookingStartAt, bk["start_at"])
				require.Equal(t, fake.CustomerID, bk["customer_id"])
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.action, func(t *testing.T) {
			t.Parallel()
			connectortest.RunActionSuite(t, connectortest.ActionCase{
				Connector:  Name,
				RetryAfter: 30 * time.Second, // beyond RetryAfterMax: answered at once
				Setup: func(t *testing.T, s connectortest.Scenario) connectortest.Env {
					b := setup(t)
					id := tc.okID
					switch s {
					case connectortest.ScenarioOK:
					case connectortest.ScenarioRateLimited:
						b.srv.Throttle(30 * time.Second)
					case connectortest.ScenarioUnavailable:
						b.srv.FailNext(tc.path+id, 100, http.StatusServiceUnavailable)
					case connectortest.ScenarioRejected:
						id = "NO_SUCH_ID"
					}
					return connectortest.Env{
						Action:  action(t, b.c, tc.action),
						Request: connectors.Request{Params: map[string]any{tc.param: id}},
						Calls:   b.srv.Count,
					}
				},
				CheckOutput: tc.check,
			})
		})
	}
}

func TestActionOutput(t *testing.T) {
	t.Parallel()
	b := setup(t)
	res, err := action(t, b.c, ActionGetBooking).Do(t.Context(), connectors.Request{
		RunID: "run_1", StepID: "s", IdempotencyKey: "run_1/s", Params: map[string]any{ParamBookingID: " " + fake.BookingID + " "},
	})
	require.NoError(t, err)
	require.Equal(t, map[string]any{"booking": map[string]any{
		"id": fake.BookingID, "version": 1.0, "status": "ACCEPTED",
		"created_at": "2030-12-08T19:56:53Z", "updated_at": "2030-12-08T20:05:00Z",
		"start_at": fake.BookingStartAt, "location_id": fake.LocationID, "customer_id": fake.CustomerID,
		"customer_note": "I would like to sit near the window please", "location_type": "BUSINESS_LOCATION",
		"source": "FIRST_PARTY_BUYER", "duration_minutes": 60.0,
		"appointment_segments": []any{map[string]any{
			"duration_minutes": 60.0, "service_variation_id": "T3WUWYFJOVW2EU6XGRU5YG4A",
			"service_variation_version": 1605808735978.0, "team_member_id": "_4GsfYnqGHyurOwzWdKj",
		}},
	}}, res.Output)
	_, err = json.Marshal(res.Output)
	require.NoError(t, err)

	reqs := b.srv.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, http.MethodGet, reqs[0].Method)
	require.Equal(t, "/v2/bookings/"+fake.BookingID, reqs[0].Path)
	require.Equal(t, "Bearer "+fake.DefaultAccessToken, reqs[0].Header.Get("Authorization"))
	require.Equal(t, DefaultSquareVersion, reqs[0].Header.Get("Square-Version"))
	require.Empty(t, reqs[0].Header.Get("Idempotency-Key"), "Square's GET endpoints take no idempotency key")
}

func TestActionErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		action     string
		params     map[string]any
		arrange    func(*fake.Server)
		edit       func(*Config)
		wantErr    bool
		wantClass  connectors.Class
		wantReason string
		wantAfter  time.Duration
		wantMsg    string
		wantCalls  int
	}{
		{
			name: "missing id", action: ActionGetCustomer, params: map[string]any{}, wantErr: true,
			wantClass: connectors.ClassPermanent, wantReason: "invalid_param", wantMsg: `square.get_customer: param "customer_id": required`,
		},
		{
			name: "id not a string", action: ActionGetBooking, params: map[string]any{ParamBookingID: 42.0}, wantErr: true,
			wantClass: connectors.ClassPermanent, wantReason: "invalid_param", wantMsg: `param "booking_id": want a string, got float64`,
		},
		{
			name: "blank id", action: ActionGetBooking, params: map[string]any{ParamBookingID: "  "}, wantErr: true,
			wantClass: connectors.ClassPermanent, wantReason: "invalid_param", wantMsg: `param "booking_id": required, got an empty string`,
		},
		{
			name: "not found", action: ActionGetCustomer, params: map[string]any{ParamCustomerID: "NOPE"}, wantErr: true,
			wantClass: connectors.ClassPermanent, wantReason: "http_404",
			wantMsg: "square.get_customer: GET /v2/customers/NOPE: permanent (http_404): http 404 not found: INVALID_REQUEST_ERROR/NOT_FOUND: Customer with ID `NOPE` not found.", wantCalls: 1,
		},
		{
			name: "id with a slash stays one path segment", action: ActionGetCustomer, params: map[string]any{ParamCustomerID: "a/../b"}, wantErr: true,
			wantClass: connectors.ClassPermanent, wantReason: "http_404", wantMsg: "GET /v2/customers/a%2F..%2Fb", wantCalls: 1,
		},
		{
			name: "unauthorized", action: ActionGetCustomer, params: map[string]any{ParamCustomerID: fake.CustomerID},
			arrange: func(s *fake.Server) { s.SetAccessToken("rotated") }, wantErr: true,
			wantClass: connectors.ClassPermanent, wantReason: "http_401", wantMsg: "AUTHENTICATION_ERROR/UNAUTHORIZED", wantCalls: 1,
		},
		{
			name: "forbidden", action: ActionGetBooking, params: map[string]any{ParamBookingID: fake.BookingID},
			arrange: func(s *fake.Server) { s.FailNext("/v2/bookings/"+fake.BookingID, 1, http.StatusForbidden) }, wantErr: true,
			wantClass: connectors.ClassPermanent, wantReason: "http_403", wantMsg: "AUTHENTICATION_ERROR/FORBIDDEN", wantCalls: 1,
		},
		{
			name: "throttled beyond the in-process cap", action: ActionGetBooking, params: map[string]any{ParamBookingID: fake.BookingID},
			arrange: func(s *fake.Server) { s.Throttle(90 * time.Second) }, wantErr: true,
			wantClass: connectors.ClassRetryable, wantReason: "http_429", wantAfter: 90 * time.Second, wantMsg: "RATE_LIMIT_ERROR/RATE_LIMITED", wantCalls: 1,
		},
		{
			name: "5xx retried in-process until it works", action: ActionGetCustomer, params: map[string]any{ParamCustomerID: fake.CustomerID},
			arrange:   func(s *fake.Server) { s.FailNext("/v2/customers/"+fake.CustomerID, 2, http.StatusBadGateway) },
			wantCalls: 3,
		},
		{
			name: "429 without Retry-After retried in-process", action: ActionGetCustomer, params: map[string]any{ParamCustomerID: fake.CustomerID},
			arrange:   func(s *fake.Server) { s.FailNext("/v2/customers/"+fake.CustomerID, 1, http.StatusTooManyRequests) },
			wantCalls: 2,
		},
		{
			name: "5xx beyond the retries", action: ActionGetCustomer, params: map[string]any{ParamCustomerID: fake.CustomerID},
			arrange: func(s *fake.Server) { s.FailNext("/v2/customers/"+fake.CustomerID, 3, http.StatusInternalServerError) }, wantErr: true,
			wantClass: connectors.ClassRetryable, wantReason: "http_500", wantMsg: "API_ERROR/INTERNAL_SERVER_ERROR", wantCalls: 3,
		},
		{
			name: "no in-process retries when max_retries is -1", action: ActionGetCustomer, params: map[string]any{ParamCustomerID: fake.CustomerID},
			edit:    func(c *Config) { c.MaxRetries = -1 },
			arrange: func(s *fake.Server) { s.FailNext("/v2/customers/"+fake.CustomerID, 1, http.StatusServiceUnavailable) }, wantErr: true,
			wantClass: connectors.ClassRetryable, wantReason: "http_503", wantCalls: 1,
		},
		{
			name: "no access token", action: ActionGetCustomer, params: map[string]any{ParamCustomerID: fake.CustomerID},
			edit: func(c *Config) { c.AccessToken = "" }, wantErr: true,
			wantClass: connectors.ClassPermanent, wantReason: "not_configured", wantMsg: "connectors.square.access_token is not set",
		},
		{
			name: "unreachable API", action: ActionGetCustomer, params: map[string]any{ParamCustomerID: fake.CustomerID},
			edit: func(c *Config) { c.BaseURL = "http://127.0.0.1:1"; c.MaxRetries = -1 }, wantErr: true,
			wantClass: connectors.ClassRetryable, wantReason: "transport",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			edits := []func(*Config){}
			if tc.edit != nil {
				edits = append(edits, tc.edit)
			}
			b := setup(t, edits...)
			if tc.arrange != nil {
				tc.arrange(b.srv)
			}
			res, err := action(t, b.c, tc.action).Do(t.Context(), connectors.Request{Params: tc.params})
			require.Equal(t, tc.wantCalls, b.srv.Count())
			if !tc.wantErr {
				require.NoError(t, err)
				require.NotNil(t, res.Output)
				return
			}
			require.Error(t, err)
			var ce *connectors.ClassifiedError
			require.True(t, errors.As(err, &ce), "unclassified: %v", err)
			class, after, reason := connectors.Classify(err)
			require.Equal(t, tc.wantClass, class, "%v", err)
			require.Equal(t, tc.wantReason, reason, "%v", err)
			require.Equal(t, tc.wantAfter, after)
			require.ErrorContains(t, err, tc.wantMsg)
			require.NotContains(t, err.Error(), fake.DefaultAccessToken)
		})
	}
}

func TestActionSpecs(t *testing.T) {
	t.Parallel()
	c := newTestConnector(t)
	reg := connectors.NewRegistry()
	require.NoError(t, reg.Register(c))
	for _, tc := range []struct{ name, param string }{
		{ActionGetCustomer, ParamCustomerID},
		{ActionGetBooking, ParamBookingID},
	} {
		a, ok := reg.Action(tc.name)
		require.True(t, ok, tc.name)
		owner, _ := reg.ActionConnector(tc.name)
		require.Equal(t, Name, owner)
		spec := a.Spec()
		require.Len(t, spec.Params, 1)
		require.Equal(t, tc.param, spec.Params[0].Name)
		require.True(t, spec.Params[0].Required)
		require.Equal(t, connectors.TypeString, spec.Params[0].Type)
		require.Equal(t, "square", a.RateLimitKey(map[string]any{tc.param: "x"}))
		require.Equal(t, "square", a.RateLimitKey(nil))
	}
	in, ok := reg.Inbound(Name)
	require.True(t, ok)
	_, ok = in.(connectors.Enricher)
	require.True(t, ok)
}

func TestActionSandbox(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rec := &connectortest.Recorder{}
	for _, tc := range []struct {
		action string
		params map[string]any
		want   map[string]any
	}{
		{ActionGetCustomer, map[string]any{ParamCustomerID: "C1"}, map[string]any{"sandbox": true, "customer": map[string]any{
			"id": "C1", "first_name": "", "last_name": "", "email": "", "phone": "",
		}}},
		{ActionGetBooking, map[string]any{ParamBookingID: "B1"}, map[string]any{"sandbox": true, "booking": map[string]any{
			"id": "B1", "status": "", "start_at": "", "location_id": "", "customer_id": "",
		}}},
	} {
		sb := connectors.Sandbox(action(t, b.c, tc.action), Name, rec, nil)
		res, err := sb.Do(t.Context(), connectors.Request{RunID: "r", StepID: "s", Params: tc.params})
		require.NoError(t, err)
		require.Equal(t, tc.want, res.Output)
	}
	require.Zero(t, b.srv.Count())
	require.Len(t, rec.Records(), 2)
}
