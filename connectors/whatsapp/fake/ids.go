package fake

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
)

var idCounter atomic.Uint64

// newWamid builds a message id in the shape Meta uses: "wamid." and the
// standard base64 of a small protobuf-like record holding the user's number
// and a hex message key (outbound keys are 18 hex digits, inbound 20). Ids
// are unique within the process; like real ones they may contain '+', '/'
// and '=' padding.
func newWamid(waID string, inbound bool) string {
	if len(waID) > 64 {
		waID = waID[:64]
	}
	n := idCounter.Add(1)
	var key string
	var tag []byte
	if inbound {
		key = fmt.Sprintf("%08X%012X", uint32(n), rand.Uint64()&(1<<48-1))
		tag = []byte{0x15, 0x02, 0x00, 0x12, 0x18, byte(len(key))}
	} else {
		key = fmt.Sprintf("%08X%010X", uint32(n), rand.Uint64()&(1<<40-1))
		tag = []byte{0x15, 0x02, 0x00, 0x11, 0x18, byte(len(key))}
	}
	raw := make([]byte, 0, 3+len(waID)+len(tag)+len(key)+1)
	raw = append(raw, 0x1c, 0x18, byte(len(waID)))
	raw = append(raw, waID...)
	raw = append(raw, tag...)
	raw = append(raw, key...)
	raw = append(raw, 0x00)
	return "wamid." + base64.StdEncoding.EncodeToString(raw)
}

const traceAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// newTraceID is a random fbtrace_id (23 characters, like Meta's).
func newTraceID() string {
	var b strings.Builder
	b.Grow(23)
	for range 23 {
		b.WriteByte(traceAlphabet[rand.IntN(len(traceAlphabet))])
	}
	return b.String()
}

// randomHex is n random bytes in lower-case hex.
func randomHex(n int) string {
	var b strings.Builder
	b.Grow(2 * n)
	for range n {
		fmt.Fprintf(&b, "%02x", byte(rand.Uint32()))
	}
	return b.String()
}
