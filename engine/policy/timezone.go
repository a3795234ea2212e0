package policy

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// auArea08 names the zone of Australian numbers in the 08 area, for which
// the phone-number metadata names both Adelaide and Perth. Keys are
// prefixes of the national significant number, longest first: 08 89 is the
// Northern Territory, 08 7 and 08 8 South Australia (and Broken Hill, on
// Adelaide time), 08 6 and 08 9 Western Australia.
var auArea08 = []struct{ prefix, zone string }{
	{"889", "Australia/Darwin"},
	{"86", "Australia/Perth"},
	{"87", "Australia/Adelaide"},
	{"88", "Australia/Adelaide"},
	{"89", "Australia/Perth"},
}

// TimeZoneFor returns the time zone of the person with phone number
// e164Phone ("+61 2 9374 4000" and other spacings are read too), or the
// fallback zone (DefaultTimeZone when fallback is empty) when the number
// does not say.
//
// The zone comes from the number's prefix in the phone-number metadata. When
// the prefix names one zone, that is the answer (+61 2: Sydney, +61 7:
// Brisbane, +40: Bucharest, +1 212: New York); Australian 08 numbers are
// split by their area (+61 8 9: Perth). When it names several (a mobile or
// non-geographic number in a country with several zones), the fallback is
// used if it is one of them, else the first. A number that does not parse,
// or a zone this system's time-zone database lacks, gives the fallback.
//
// The error is for a fallback that is not a known zone.
func TimeZoneFor(e164Phone, fallback string) (*time.Location, error) {
	if fallback == "" {
		fallback = DefaultTimeZone
	}
	def, err := loadLocation(fallback)
	if err != nil {
		return nil, fmt.Errorf("fallback time zone %q: %w", fallback, err)
	}
	zone := zoneForNumber(e164Phone, fallback)
	if zone == "" || zone == fallback {
		return def, nil
	}
	loc, err := loadLocation(zone)
	if err != nil {
		return def, nil
	}
	return loc, nil
}

// zoneForNumber picks the zone name for phone, or "" when the number does
// not say.
func zoneForNumber(phone, fallback string) string {
	phone = strings.TrimSpace(phone)
	if !strings.HasPrefix(phone, "+") {
		return ""
	}
	num, err := phonenumbers.Parse(phone, "")
	if err != nil {
		return ""
	}
	zones, err := phonenumbers.GetTimezonesForNumber(num)
	if err != nil {
		return ""
	}
	zones = slices.DeleteFunc(slices.Clone(zones), func(z string) bool {
		return z == "" || z == phonenumbers.UNKNOWN_TIMEZONE
	})
	switch {
	case len(zones) == 0:
		return ""
	case len(zones) == 1:
		return zones[0]
	}
	if phonenumbers.GetRegionCodeForNumber(num) == "AU" {
		nsn := phonenumbers.GetNationalSignificantNumber(num)
		for _, a := range auArea08 {
			if strings.HasPrefix(nsn, a.prefix) {
				return a.zone
			}
		}
	}
	if slices.Contains(zones, fallback) {
		return fallback
	}
	return zones[0]
}

// locations caches loaded zones by name: time.LoadLocation reads the zone
// file every time, and a zone's rules do not change while the process runs.
var locations sync.Map // string -> *time.Location

func loadLocation(name string) (*time.Location, error) {
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	locations.Store(name, loc)
	return loc, nil
}
