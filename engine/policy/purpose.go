package policy

import (
	"fmt"
	"strings"
)

// Purpose is why a message is sent; consent is given and withdrawn per
// purpose.
type Purpose string

// Purposes. The values match connectors.PurposeMarketing and
// connectors.PurposeTransactional.
const (
	// Marketing is a commercial electronic message in the Spam Act's sense:
	// offers, promotions, abandoned-cart nudges.
	Marketing Purpose = "marketing"
	// Transactional is a message the person needs about something they
	// started: an order update, a booking reminder, a login code.
	Transactional Purpose = "transactional"
)

// Valid reports whether p is one of the known purposes.
func (p Purpose) Valid() bool { return p == Marketing || p == Transactional }

// ParsePurpose reads a purpose as a pipeline step writes it, ignoring case
// and surrounding space. An empty string is an error: the caller decides
// what an unset purpose means (see PurposeFor).
func ParsePurpose(s string) (Purpose, error) {
	switch p := Purpose(strings.ToLower(strings.TrimSpace(s))); p {
	case Marketing, Transactional:
		return p, nil
	}
	return "", fmt.Errorf("unknown purpose %q (want %q or %q)", s, Marketing, Transactional)
}

// Channel is a messaging channel on which consent is held.
type Channel string

// Channels.
const (
	WhatsApp  Channel = "whatsapp"
	Instagram Channel = "instagram"
	Messenger Channel = "messenger"
	Email     Channel = "email"
	SMS       Channel = "sms"
)

// Channels lists every known channel, for messages and iteration; Valid
// does not read it.
var Channels = []Channel{WhatsApp, Instagram, Messenger, Email, SMS}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	switch c {
	case WhatsApp, Instagram, Messenger, Email, SMS:
		return true
	}
	return false
}

// Status is the state of one consent (contact, channel, purpose).
type Status string

// Consent statuses.
const (
	// OptedIn: the person agreed, and the agreement is current.
	OptedIn Status = "opted_in"
	// OptedOut: the person withdrew (a STOP keyword, an unsubscribe link,
	// WhatsApp's own "stop promotions" button).
	OptedOut Status = "opted_out"
	// Pending: a double opt-in was asked for and not yet confirmed. It is
	// not consent.
	Pending Status = "pending"
	// Unknown: there is no record. The empty Status means the same.
	Unknown Status = "unknown"
)

// Valid reports whether s is a known status; the empty Status is valid and
// means Unknown.
func (s Status) Valid() bool {
	switch s {
	case OptedIn, OptedOut, Pending, Unknown, "":
		return true
	}
	return false
}

// WhatsApp template categories, as the Cloud API names them.
const (
	CategoryMarketing      = "MARKETING"
	CategoryUtility        = "UTILITY"
	CategoryAuthentication = "AUTHENTICATION"
)

// PurposeFor says what a message step sends.
//
// For a template (isTemplate) the template's category decides: MARKETING is
// marketing, UTILITY and AUTHENTICATION are transactional (case and
// surrounding space are ignored). A step's purpose may make a template
// stricter (purpose: marketing on a UTILITY template) but never looser: a
// MARKETING template with purpose: transactional is an error. A template
// whose category is not known yet counts as the step's purpose, or as
// marketing when the step sets none.
//
// For a free-form message the step's purpose decides, and an unset purpose
// counts as marketing; a template category on a free-form message is an
// error.
//
// An unknown category or purpose is an error naming the value.
func PurposeFor(templateCategory, stepPurpose string, isTemplate bool) (Purpose, error) {
	var step Purpose
	if strings.TrimSpace(stepPurpose) != "" {
		p, err := ParsePurpose(stepPurpose)
		if err != nil {
			return "", fmt.Errorf("step purpose: %w", err)
		}
		step = p
	}
	category := strings.ToUpper(strings.TrimSpace(templateCategory))
	if !isTemplate {
		if category != "" {
			return "", fmt.Errorf("template category %q given for a free-form message", templateCategory)
		}
		if step == "" {
			return Marketing, nil
		}
		return step, nil
	}
	var fromCategory Purpose
	switch category {
	case "":
		if step == "" {
			return Marketing, nil
		}
		return step, nil
	case CategoryMarketing:
		fromCategory = Marketing
	case CategoryUtility, CategoryAuthentication:
		fromCategory = Transactional
	default:
		return "", fmt.Errorf("unknown template category %q (want %s, %s or %s)",
			templateCategory, CategoryMarketing, CategoryUtility, CategoryAuthentication)
	}
	if fromCategory == Marketing && step == Transactional {
		return "", fmt.Errorf("a %s template cannot be sent with purpose %q: its category makes it marketing",
			CategoryMarketing, Transactional)
	}
	if step == Marketing {
		return Marketing, nil
	}
	return fromCategory, nil
}
