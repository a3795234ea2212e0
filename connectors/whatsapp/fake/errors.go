package fake

import (
	"fmt"
	"net/http"
)

// Meta error codes the fake answers with (shared/contracts/meta.md §3.7).
// Clients should branch on these, never on titles or HTTP statuses.
const (
	CodeTemporary             = 2      // temporary downtime or overload (HTTP 503)
	CodeInvalidParameter      = 100    // invalid parameter; subcode 33 for an unknown object id
	CodeAccessToken           = 190    // access token invalid or expired (HTTP 401)
	CodePolicyBlocked         = 368    // temporarily blocked for policy violations (HTTP 403)
	CodeUnknownPath           = 2500   // unknown path components
	CodeRateLimit             = 130429 // per-number throughput exceeded
	CodeUnknown               = 131000 // something went wrong (HTTP 500)
	CodeRequiredParameter     = 131008 // required parameter missing
	CodeInvalidParameterValue = 131009 // parameter value not valid
	CodeServiceUnavailable    = 131016 // service temporarily unavailable (HTTP 500)
	CodeRecipientIsSender     = 131021 // recipient cannot be sender
	CodeUndeliverable         = 131026 // message undeliverable
	CodeReEngagement          = 131047 // outside the 24 h customer service window
	CodePairRateLimit         = 131056 // too many messages to one recipient
	CodeTemplateParamCount    = 132000 // parameter count differs from the template
	CodeTemplateMissing       = 132001 // template missing in that language, or not approved (HTTP 404)
	CodeTemplateParamFormat   = 132012 // parameter format differs from the template
	CodeTemplatePaused        = 132015 // template paused
	CodeTemplateDisabled      = 132016 // template disabled
)

const (
	subcodeUnknownObject       = 33
	errorsHref                 = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
	errorType                  = "OAuthException"
	defaultErrorHTTPStatus     = http.StatusBadRequest
	defaultErrorTitle          = "Unknown error"
	defaultErrorDetails        = "The request could not be processed."
	messagingProductWhatsApp   = "whatsapp"
	unsupportedRequestTemplate = "Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation."
)

// codeInfo is one row of Meta's error table: title, HTTP status (from the
// table's older revision; non-contractual but what clients meet) and the
// details the fake uses when it has nothing more specific to say.
type codeInfo struct {
	title   string
	status  int
	details string
}

var codeTable = map[int]codeInfo{
	0:      {"AuthException", http.StatusUnauthorized, "We were unable to authenticate the app user."},
	1:      {"API Unknown", http.StatusBadRequest, "Invalid request or possible server error."},
	2:      {"API Service", http.StatusServiceUnavailable, "Temporary due to downtime or due to being overloaded."},
	3:      {"API Method", http.StatusInternalServerError, "Capability or permissions issue."},
	4:      {"API Too Many Calls", http.StatusBadRequest, "The app has reached its API call rate limit."},
	10:     {"Permission Denied", http.StatusForbidden, "Permission is either not granted or has been removed."},
	100:    {"Invalid parameter", http.StatusBadRequest, "The request included one or more unsupported or misspelled parameters."},
	190:    {"Error validating access token", http.StatusUnauthorized, "Your access token has expired or is invalid."},
	200:    {"API Permission", http.StatusForbidden, "Permission is either not granted or has been removed."},
	368:    {"Temporarily blocked for policies violations", http.StatusForbidden, "The WhatsApp Business Account associated with the app has been restricted or disabled for violating a platform policy."},
	2500:   {"Unknown path components", http.StatusBadRequest, "The request path is not a known Graph API path."},
	80007:  {"Rate limit issues", http.StatusBadRequest, "The WhatsApp Business Account has reached its rate limit."},
	130429: {"Rate limit hit", http.StatusBadRequest, "Cloud API message throughput has been reached."},
	130472: {"User's number is part of an experiment", http.StatusBadRequest, "Failed to send message because this user's phone number is part of an experiment"},
	130497: {"Business account is restricted from messaging users in this country", http.StatusForbidden, "The WhatsApp Business Account is restricted from messaging users in this country."},
	131000: {"Something went wrong", http.StatusInternalServerError, "Message failed to send due to an unknown error."},
	131005: {"Access denied", http.StatusForbidden, "Permission is either not granted or has been removed."},
	131008: {"Required parameter is missing", http.StatusBadRequest, "The request is missing a required parameter."},
	131009: {"Parameter value is not valid", http.StatusBadRequest, "One or more parameter values are invalid."},
	131016: {"Service unavailable", http.StatusInternalServerError, "A service is temporarily unavailable. Please check our status page before trying again."},
	131021: {"Recipient cannot be sender", http.StatusBadRequest, "Sender and recipient phone number is the same."},
	131026: {"Message Undeliverable", http.StatusBadRequest, "Unable to deliver message."},
	131031: {"Account has been locked", http.StatusForbidden, "The WhatsApp Business Account associated with the app has been restricted or disabled."},
	131047: {"Re-engagement message", http.StatusBadRequest, "Message failed to send because more than 24 hours have passed since the customer last replied to this number."},
	131048: {"Spam rate limit hit", http.StatusBadRequest, "Message failed to send because there are restrictions on how many messages can be sent from this phone number."},
	131049: {"This message was not delivered to maintain healthy ecosystem engagement.", http.StatusBadRequest, "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."},
	131050: {"User has stopped marketing messages", http.StatusBadRequest, "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business."},
	131051: {"Unsupported message type", http.StatusBadRequest, "Unsupported message type."},
	131052: {"Media download error", http.StatusBadRequest, "Unable to download the media sent by the user."},
	131053: {"Media upload error", http.StatusBadRequest, "Unable to upload the media used in the message."},
	131056: {"(Business Account, Consumer Account) pair rate limit hit", http.StatusBadRequest, "Too many messages sent from the sender phone number to the same recipient phone number in a short period of time."},
	131057: {"Account in maintenance mode", http.StatusInternalServerError, "Business account is in maintenance mode."},
	132000: {"Number of parameters does not match the expected number of params", http.StatusBadRequest, "The number of variable parameter values included in the request did not match the number of variable parameters defined in the template."},
	132001: {"Template name does not exist in the translation", http.StatusNotFound, "The template does not exist in the specified language or the template has not been approved."},
	132005: {"Translated text too long", http.StatusBadRequest, "Translated text is too long."},
	132007: {"Template Format Character Policy Violated", http.StatusBadRequest, "Template content violates a WhatsApp policy."},
	132012: {"Parameter format does not match format in the created template", http.StatusBadRequest, "Variable parameter values formatted incorrectly."},
	132015: {"Template is Paused", http.StatusBadRequest, "Template is paused due to low quality so it cannot be sent in a template message."},
	132016: {"Template is Disabled", http.StatusBadRequest, "Template has been paused too many times due to low quality and is now permanently disabled."},
	133004: {"Server Temporarily Unavailable", http.StatusServiceUnavailable, "Server is temporarily unavailable."},
	133010: {"Phone number Not Registered", http.StatusBadRequest, "Phone number not registered on the WhatsApp Business Platform."},
}

// ErrorTitle is Meta's title for an error code, the part after "(#code) " in
// an error message. Unknown codes get a generic title.
func ErrorTitle(code int) string {
	if ci, ok := codeTable[code]; ok {
		return ci.title
	}
	if code >= 200 && code <= 299 {
		return codeTable[200].title
	}
	return defaultErrorTitle
}

// ErrorHTTPStatus is the HTTP status the fake answers an error code with:
// 401 for 0 and 190, 403 for 10, 200-299 and 368, 404 for 132001, 500 for
// 3, 131000, 131016 and 131057, 503 for 2 and 133004, 400 otherwise
// (including the throttling codes 4, 80007, 130429 and 131056).
func ErrorHTTPStatus(code int) int {
	if ci, ok := codeTable[code]; ok {
		return ci.status
	}
	if code >= 200 && code <= 299 {
		return http.StatusForbidden
	}
	return defaultErrorHTTPStatus
}

func defaultDetails(code int) string {
	if ci, ok := codeTable[code]; ok {
		return ci.details
	}
	return defaultErrorDetails
}

// apiError is a refusal, rendered in Graph's error shape.
type apiError struct {
	code    int
	subcode int
	details string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("(#%d) %s: %s", e.code, ErrorTitle(e.code), e.details)
}

func newAPIError(code int, format string, args ...any) *apiError {
	d := format
	if len(args) > 0 {
		d = fmt.Sprintf(format, args...)
	}
	if d == "" {
		d = defaultDetails(code)
	}
	return &apiError{code: code, details: d}
}

// required is 131008 naming the missing field.
func required(field string) *apiError {
	return newAPIError(CodeRequiredParameter, "%s is required", field)
}

// invalid is 131009 naming the field and what is wrong with it.
func invalid(field, format string, args ...any) *apiError {
	return newAPIError(CodeInvalidParameterValue, field+": "+format, args...)
}

// errorEnvelope is Graph's error body. Field order follows Meta's example:
// message, type, code, error_data, error_subcode, fbtrace_id.
type errorEnvelope struct {
	Error errorObject `json:"error"`
}

type errorObject struct {
	Message      string    `json:"message"`
	Type         string    `json:"type"`
	Code         int       `json:"code"`
	ErrorData    errorData `json:"error_data"`
	ErrorSubcode int       `json:"error_subcode,omitempty"`
	FBTraceID    string    `json:"fbtrace_id"`
}

type errorData struct {
	MessagingProduct string `json:"messaging_product"`
	Details          string `json:"details"`
}

func (e *apiError) body(traceID string) errorEnvelope {
	return errorEnvelope{Error: errorObject{
		Message:      fmt.Sprintf("(#%d) %s", e.code, ErrorTitle(e.code)),
		Type:         errorType,
		Code:         e.code,
		ErrorData:    errorData{MessagingProduct: messagingProductWhatsApp, Details: e.details},
		ErrorSubcode: e.subcode,
		FBTraceID:    traceID,
	}}
}
