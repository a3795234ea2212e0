// Package httpcall is the generic outbound connector: its one action,
// "http.request", calls any HTTP(S) endpoint a pipeline names, with a JSON or
// raw body, custom headers and the step's Idempotency-Key.
//
// Failures are classified by httpx.ClassifyResponse: 429 (with its
// Retry-After), 408 and 5xx are retryable, other 4xx permanent; timeouts and
// transport failures are retryable; bad parameters (an invalid URL, a
// non-string header value) are permanent and name the parameter.
//
// The connector takes URLs from pipeline authors and does not restrict
// destinations; deployments that need to keep it off internal networks must
// do so at the network layer.
package httpcall
