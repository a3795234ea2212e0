package square

import (
	"math"
	"strings"
)

// money is Square's Money object: an amount in the currency's smallest unit
// (cents for USD, yen for JPY) and an ISO 4217 code.
type money struct {
	Amount   *int64 `json:"amount"`
	Currency string `json:"currency"`
}

// ok reports whether m carries an amount.
func (m *money) ok() bool { return m != nil && m.Amount != nil }

// major returns the amount in the currency's main unit (12.34 for 1234
// cents), the form Shopify and the REST API use for totals.
func (m *money) major() float64 {
	return float64(*m.Amount) / math.Pow10(exponent(m.Currency))
}

// minorUnits lists the ISO 4217 currencies whose minor unit is not the
// hundredth; every other code has two decimals.
var minorUnits = map[string]int{
	// No minor unit.
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0,
	"KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0,
	"XAF": 0, "XOF": 0, "XPF": 0,
	// Thousandths.
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	// Ten-thousandths.
	"CLF": 4, "UYW": 4,
}

// exponent is the number of decimals of currency's minor unit.
func exponent(currency string) int {
	if e, ok := minorUnits[strings.ToUpper(currency)]; ok {
		return e
	}
	return 2
}
