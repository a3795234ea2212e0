// Package httpx is the HTTP field group every outbound connector shares (the
// Benthos httpclient idea): one Config for base URL, timeout and retries, one
// retrying client built from it, and one status classifier that turns a
// provider's answer into a connectors.ClassifiedError.
//
// The division of labour on failures is:
//
//   - inside one Action.Do, the client retries transport errors, 429 and 5xx
//     a few times (Config.MaxRetries, default 2) with a short backoff, honouring
//     a Retry-After up to Config.RetryAfterMax;
//   - when it gives up, the last response is handed back (never an opaque
//     "giving up" error), so ClassifyResponse can tell the engine how long to
//     wait; a Retry-After longer than RetryAfterMax, or past the ctx deadline,
//     is not waited out in-process at all but returned at once;
//   - the engine then does durable retries from the classification.
//
// Provider packages add their own classifiers on top (a provider error code in
// a 400 body that is really retryable, say) and fall back to ClassifyResponse.
package httpx
