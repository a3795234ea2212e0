package whatsapp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard/connectors"
	"github.com/switchboardhq/switchboard/connectors/httpx"
)

// MetaError is a Graph API error body: {"error":{"message","type","code",
// "error_subcode","error_data":{"details"},"fbtrace_id"}}.
type MetaError struct {
	HTTPStatus int    `json:"-"`
	Message    string `json:"message"`
	Type       string `json:"type"`
	Code       int    `json:"code"`
	Subcode    int    `json:"error_subcode,omitempty"`
	ErrorData  struct {
		Details string `json:"details"`
	} `json:"error_data"`
	UserTitle string `json:"error_user_title,omitempty"`
	UserMsg   string `json:"error_user_msg,omitempty"`
	FBTraceID string `json:"fbtrace_id,omitempty"`
}

func (e *MetaError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "(#" + strconv.Itoa(e.Code) + ")"
	}
	if e.ErrorData.Details != "" {
		msg += ": " + e.ErrorData.Details
	}
	return fmt.Sprintf("whatsapp: HTTP %d: %s", e.HTTPStatus, msg)
}

// parseMetaError reads a Graph error body; ok is false when body is not one.
func parseMetaError(status int, body []byte) (*MetaError, bool) {
	var env struct {
		Error *MetaError `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Error == nil || env.Error.Code == 0 {
		return nil, false
	}
	env.Error.HTTPStatus = status
	return env.Error, true
}

// Reason codes of classified WhatsApp errors.
const (
	ReasonRateLimited       = "rate_limited"
	ReasonPairRateLimited   = "pair_rate_limited"
	ReasonOutsideWindow     = "outside_window"
	ReasonTemplate          = "template_rejected"
	ReasonMarketingOptOut   = "marketing_opt_out"
	ReasonUndeliverable     = "undeliverable"
	ReasonAuth              = "auth"
	ReasonConfig            = "config"
	ReasonInvalid           = "invalid_request"
	ReasonPolicy            = "policy"
	ReasonProviderUnavail   = "provider_unavailable"
	ReasonTemplateNotFound  = "template_not_found"
	ReasonTemplateNotApprov = "template_not_approved"
	ReasonTemplateParams    = "template_params"
)

// metaClass is how the hub treats one Meta error code.
type metaClass struct {
	class  connectors.Class
	reason string
	hint   string
}

// metaCodes classifies Meta's error codes (contracts/meta.md §3.7). Meta says
// to key logic on the code, not on titles or the HTTP status.
var metaCodes = map[int]metaClass{
	0:      {connectors.ClassPermanent, ReasonAuth, "the access token is not valid: create a new one and update connectors.whatsapp.access_token"},
	190:    {connectors.ClassPermanent, ReasonAuth, "the access token has expired: create a new one (a System User token does not expire) and update connectors.whatsapp.access_token"},
	3:      {connectors.ClassPermanent, ReasonConfig, "the app lacks a capability: check the app's WhatsApp permissions"},
	10:     {connectors.ClassPermanent, ReasonConfig, "permission not granted: give the token whatsapp_business_messaging"},
	1:      {connectors.ClassRetryable, ReasonProviderUnavail, ""},
	2:      {connectors.ClassRetryable, ReasonProviderUnavail, ""},
	4:      {connectors.ClassRetryable, ReasonRateLimited, ""},
	80007:  {connectors.ClassRetryable, ReasonRateLimited, ""},
	130429: {connectors.ClassRetryable, ReasonRateLimited, ""},
	131056: {connectors.ClassRetryable, ReasonPairRateLimited, ""},
	131000: {connectors.ClassRetryable, ReasonProviderUnavail, ""},
	131016: {connectors.ClassRetryable, ReasonProviderUnavail, ""},
	131057: {connectors.ClassRetryable, ReasonProviderUnavail, ""},
	133004: {connectors.ClassRetryable, ReasonProviderUnavail, ""},
	131047: {connectors.ClassBlocked, ReasonOutsideWindow, "more than 24 hours have passed since the customer last wrote: send an approved template instead (set fallback_template on the step)"},
	131050: {connectors.ClassPermanent, ReasonMarketingOptOut, "the person stopped marketing messages from this business inside WhatsApp; it is recorded as a marketing opt-out"},
	131026: {connectors.ClassPermanent, ReasonUndeliverable, "the number is not on WhatsApp, or the person has not accepted the terms or uses an old client"},
	130403: {connectors.ClassPermanent, ReasonUndeliverable, "the business has blocked this user"},
	131021: {connectors.ClassPermanent, ReasonInvalid, "the recipient is the sender's own number"},
	132000: {connectors.ClassPermanent, ReasonTemplate, "the number of parameters does not match the template: compare the step's parameters with the template's placeholders"},
	132001: {connectors.ClassPermanent, ReasonTemplate, "the template does not exist in that language or is not approved"},
	132005: {connectors.ClassPermanent, ReasonTemplate, "the translated text is too long"},
	132007: {connectors.ClassPermanent, ReasonTemplate, "the template's content violates WhatsApp policy"},
	132012: {connectors.ClassPermanent, ReasonTemplate, "a parameter's format does not match the template"},
	132015: {connectors.ClassPermanent, ReasonTemplate, "the template is paused for low quality: edit it and have it approved again"},
	132016: {connectors.ClassPermanent, ReasonTemplate, "the template is permanently disabled: create a new one"},
	131048: {connectors.ClassPermanent, ReasonPolicy, "spam rate limit: the number's quality is low; check the quality rating in WhatsApp Manager"},
	131049: {connectors.ClassPermanent, ReasonPolicy, "Meta held the message back to keep engagement healthy; do not resend within 24 hours"},
	131064: {connectors.ClassPermanent, ReasonPolicy, "messaging limit after template classification violations"},
	368:    {connectors.ClassPermanent, ReasonPolicy, "the account is temporarily blocked for policy violations: check WhatsApp Manager"},
	131031: {connectors.ClassPermanent, ReasonPolicy, "the account is locked: check WhatsApp Manager"},
	130497: {connectors.ClassPermanent, ReasonPolicy, "the account may not message users in this country"},
	133010: {connectors.ClassPermanent, ReasonConfig, "the phone number is not registered with the Cloud API"},
	100:    {connectors.ClassPermanent, ReasonInvalid, ""},
	131008: {connectors.ClassPermanent, ReasonInvalid, ""},
	131009: {connectors.ClassPermanent, ReasonInvalid, ""},
	131051: {connectors.ClassPermanent, ReasonInvalid, "unsupported message type"},
	131052: {connectors.ClassPermanent, ReasonInvalid, "the media could not be downloaded"},
	131053: {connectors.ClassPermanent, ReasonInvalid, "the media could not be uploaded"},
}

// classifyMeta turns a Graph error into a classified error. attempt (from 1)
// sets the pair-rate backoff Meta suggests: 4^(attempt-1) seconds.
func classifyMeta(me *MetaError, attempt int) error {
	mc, ok := metaCodes[me.Code]
	if !ok {
		switch {
		case me.Code >= 200 && me.Code <= 299:
			mc = metaClass{connectors.ClassPermanent, ReasonConfig, "an API permission is missing"}
		case me.HTTPStatus >= 500:
			mc = metaClass{connectors.ClassRetryable, ReasonProviderUnavail, ""}
		default:
			mc = metaClass{connectors.ClassPermanent, "meta_" + strconv.Itoa(me.Code), ""}
		}
	}
	var err error = me
	if mc.hint != "" {
		err = fmt.Errorf("%w (%s)", me, mc.hint)
	}
	switch mc.class {
	case connectors.ClassRetryable:
		after := time.Second
		if me.Code == 131056 {
			after = pairBackoff(attempt)
		}
		return connectors.Retryable(err, after, mc.reason)
	case connectors.ClassBlocked:
		return connectors.Blocked(err, mc.reason)
	}
	return connectors.Permanent(err, mc.reason)
}

// pairBackoff is 4^(attempt-1) seconds, capped at 16 minutes.
func pairBackoff(attempt int) time.Duration {
	d := time.Second
	for i := 1; i < attempt && d < 16*time.Minute; i++ {
		d *= 4
	}
	return min(d, 16*time.Minute)
}

// classifyHTTP classifies a non-2xx answer: Meta's error body when there is
// one, else the HTTP status (a 5xx or 429 retryable).
func classifyHTTP(resp *http.Response, body []byte, attempt int) (error, *MetaError) {
	if me, ok := parseMetaError(resp.StatusCode, body); ok {
		return classifyMeta(me, attempt), me
	}
	return httpx.ClassifyResponse(resp, body), nil
}
