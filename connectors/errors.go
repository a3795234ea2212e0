package connectors

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors of the inbound side.
var (
	ErrMissingSignature = errors.New("missing signature")
	ErrBadSignature     = errors.New("signature does not match")
	ErrStale            = errors.New("delivery outside the replay window")
	ErrUnparseable      = errors.New("unparseable body")
)

// Class says what the engine should do with a failed action.
type Class int

const (
	// ClassRetryable: try again later (after RetryAfter when set).
	ClassRetryable Class = iota
	// ClassPermanent: retrying cannot help; the step goes to the dead letters.
	ClassPermanent
	// ClassBlocked: policy forbids the call; the step ends blocked, not
	// retried and not dead-lettered.
	ClassBlocked
)

func (c Class) String() string {
	switch c {
	case ClassRetryable:
		return "retryable"
	case ClassPermanent:
		return "permanent"
	case ClassBlocked:
		return "blocked"
	}
	return fmt.Sprintf("class(%d)", int(c))
}

// ClassifiedError carries a Class with the underlying error.
type ClassifiedError struct {
	Class Class
	// RetryAfter is the provider's requested wait (Retry-After), if any.
	RetryAfter time.Duration
	// Reason is a short machine-readable code, e.g. "http_400",
	// "template_not_approved".
	Reason string
	// Deferred marks a retryable call that was never made (the hub's own
	// rate limiter held it back): it does not count as an attempt.
	Deferred bool
	Err      error
}

func (e *ClassifiedError) Error() string {
	if e.Reason != "" {
		return e.Class.String() + " (" + e.Reason + "): " + e.Err.Error()
	}
	return e.Class.String() + ": " + e.Err.Error()
}

func (e *ClassifiedError) Unwrap() error { return e.Err }

// Retryable marks err as worth retrying, after at least `after` when > 0.
func Retryable(err error, after time.Duration, reason string) error {
	return &ClassifiedError{Class: ClassRetryable, RetryAfter: after, Reason: reason, Err: err}
}

// Deferred marks a call the hub itself held back before making it (its
// own rate limiter): it is retried after `after` without counting as an
// attempt.
func Deferred(err error, after time.Duration, reason string) error {
	return &ClassifiedError{Class: ClassRetryable, RetryAfter: after, Reason: reason, Deferred: true, Err: err}
}

// IsDeferred reports whether err is a Deferred call.
func IsDeferred(err error) bool {
	var ce *ClassifiedError
	return errors.As(err, &ce) && ce.Deferred
}

// Permanent marks err as not worth retrying.
func Permanent(err error, reason string) error {
	return &ClassifiedError{Class: ClassPermanent, Reason: reason, Err: err}
}

// Blocked marks a call refused by policy; reason is a code such as
// "no_consent" and err says what a person can do about it.
func Blocked(err error, reason string) error {
	return &ClassifiedError{Class: ClassBlocked, Reason: reason, Err: err}
}

// Classify returns the class of err: its ClassifiedError's, or retryable for
// anything unclassified.
func Classify(err error) (Class, time.Duration, string) {
	var ce *ClassifiedError
	if errors.As(err, &ce) {
		return ce.Class, ce.RetryAfter, ce.Reason
	}
	return ClassRetryable, 0, ""
}
