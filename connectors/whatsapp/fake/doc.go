// Package fake is a faithful stand-in for the WhatsApp Cloud API, for tests,
// benchmarks and local runs. It honours the contract written down in
// shared/contracts/meta.md (§3, §4.2, §4.4, §7): a client that works against
// it speaks to Meta the same way.
//
// Outbound, POST /{version}/{phone number id}/messages takes text,
// template, interactive (button, list, cta_url), media (image, video,
// audio, document, sticker), location, reaction and contacts messages, and
// mark-as-read requests. Checks run in this order, the first failing one
// answering in Graph's error shape
//
//	{"error":{"message":"(#<code>) <title>","type":"OAuthException","code":<code>,
//	  "error_data":{"messaging_product":"whatsapp","details":"..."},"fbtrace_id":"..."}}
//
// with the HTTP status of ErrorHTTPStatus:
//
//  1. the access token (190, HTTP 401);
//  2. the path: a version like v23.0 (2500) and the phone number id and
//     method (100 with error_subcode 33);
//  3. the body: one JSON object (100) with messaging_product "whatsapp"
//     (100); a body with "status" is a mark-read, answered {"success":true}
//     for a message the number received (SendInbound, MarkReadable) and
//     131009 otherwise, and it skips the steps below;
//  4. FailNext;
//  5. the number's throughput (130429) and the pair rate (131056);
//  6. the content: missing fields (131008), invalid values and limits
//     (131009, naming the field), an unknown type (100); for templates
//     existence in that language and status (132001, HTTP 404; 132015
//     paused; 132016 disabled), then parameters against the placeholders of
//     the HEADER, the BODY and the URL buttons (132000 count, 132012 format,
//     NAMED templates need parameter_name); for every other type the 24 h
//     customer service window (131047).
//
// Rate limits are token buckets spent only by accepted sends (Meta counts
// messages sent): an over-rate request is refused with 130429 whatever its
// content, but a request refused for its content spends nothing. Mark-read
// requests and inbound messages are not counted.
//
// An accepted send is answered {"messaging_product":"whatsapp",
// "contacts":[{"input":<to>,"wa_id":<digits>}],"messages":[{"id":"wamid..."}]}
// and, when a webhook URL is set, followed by status webhooks (sent,
// delivered, read by default; see Options.Statuses and FailDelivery) with
// the envelope of §4.4: string Unix-second timestamps, conversation and PMP
// pricing on sent and delivered, biz_opaque_callback_data echoed. One worker
// delivers the queued webhooks in order, each signed with
// X-Hub-Signature-256 over the exact bytes sent, which are compact JSON with
// non-ASCII escaped as \uXXXX; a non-2xx answer is retried with backoff.
//
// GET /{version}/{WABA id}/message_templates lists the templates with
// Graph's cursor paging.
//
// A Server is safe for concurrent use; its lock is held only for
// bookkeeping, never across I/O.
package fake
