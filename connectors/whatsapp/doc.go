// Package whatsapp is the WhatsApp Cloud API connector.
//
// Inbound: Verify checks X-Hub-Signature-256 (HMAC-SHA256 of the raw body with
// the app secret), Handshake answers Meta's hub.challenge GET, and Parse turns
// a whatsapp_business_account webhook into normalized events:
//
//   - messages[]          -> message.received (DedupKey = wamid)
//   - statuses[]          -> message.status   (DedupKey = wamid:status)
//   - value.errors[]      -> whatsapp.error   (DedupKey = sha256 of the change)
//   - message_template_status_update -> template.status_changed
//   - user_preferences    -> consent.changed (marketing stop/resume)
//   - any other field     -> whatsapp.<field> (DedupKey = sha256 of the change)
//
// Every event's Raw is the JSON of the change it came from. WhatsApp message
// and status timestamps are strings of Unix seconds; entry.time is an integer
// of Unix seconds. Outbound actions come later.
package whatsapp
