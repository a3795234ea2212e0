package fake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Webhook headers, lower-case as Square sends them.
const (
	SignatureHeader   = "x-square-hmacsha256-signature"
	EnvironmentHeader = "square-environment"
)

// Marshal renders a notification as Square sends it: compact JSON with no
// trailing newline and with <, > and & left as they are (Go's default
// \u003c escaping would change the signed bytes). A []byte,
// json.RawMessage or string payload is taken as the exact bytes.
func Marshal(payload any) ([]byte, error) {
	switch p := payload.(type) {
	case []byte:
		return p, nil
	case json.RawMessage:
		return p, nil
	case string:
		return []byte(p), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(payload); err != nil {
		return nil, fmt.Errorf("fake: marshal notification: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Sign is Square's signature: base64 of HMAC-SHA256, keyed with the
// signature key, over the notification URL followed by the body.
func Sign(signatureKey, notificationURL string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(signatureKey))
	mac.Write([]byte(notificationURL))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// NewWebhookRequest builds the POST Square would send to url for body,
// signed for notificationURL (the URL as registered, which may differ from
// where a test server listens) with signatureKey. Change its body or header
// afterwards to provoke a bad signature.
func NewWebhookRequest(ctx context.Context, url, notificationURL, signatureKey, environment string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("fake: webhook request: %w", err)
	}
	// Set directly, so the names go out lower-case as Square's do.
	req.Header["content-type"] = []string{"application/json"}
	req.Header[SignatureHeader] = []string{Sign(signatureKey, notificationURL, body)}
	if environment != "" {
		req.Header[EnvironmentHeader] = []string{environment}
	}
	return req, nil
}

// WebhookError is a non-2xx answer to a delivery.
type WebhookError struct {
	StatusCode int
	Body       string
}

func (e *WebhookError) Error() string {
	return fmt.Sprintf("fake: webhook answered %d: %s", e.StatusCode, strings.TrimSpace(e.Body))
}

// SendWebhook delivers payload (an Event, or any value, or exact bytes; see
// Marshal) to url, signed for notificationURL with the server's signature
// key. A non-2xx answer is a *WebhookError.
func (s *Server) SendWebhook(ctx context.Context, url, notificationURL string, payload any) error {
	body, err := Marshal(payload)
	if err != nil {
		return err
	}
	s.mu.Lock()
	key, env, client := s.signatureKey, s.environment, s.client
	s.mu.Unlock()
	req, err := NewWebhookRequest(ctx, url, notificationURL, key, env, body)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("fake: deliver webhook: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &WebhookError{StatusCode: resp.StatusCode, Body: string(answer)}
	}
	return nil
}
