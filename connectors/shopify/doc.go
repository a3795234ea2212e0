// Package shopify is the Shopify connector: webhook deliveries in, Admin API
// actions out.
//
// # Inbound
//
// Verify checks X-Shopify-Hmac-Sha256, the base64 HMAC-SHA256 of the raw
// body keyed with the app's client secret (api_secret), in constant time,
// and refuses a delivery whose X-Shopify-Shop-Domain is not the configured
// shop_domain. Shopify signs only the body: headers and time are not
// covered, so replays are caught by deduplication, not by a time window.
//
// Parse makes one event per delivery. It needs X-Shopify-Topic,
// X-Shopify-Shop-Domain and X-Shopify-Event-Id (else X-Shopify-Webhook-Id),
// which becomes the DedupKey: Shopify gives every delivery of one event the
// same event id, across retries and across subscriptions. Topics map to:
//
//	orders/create                  -> order.created
//	orders/paid                    -> order.paid
//	orders/fulfilled               -> order.shipped (the order, tracking from its last fulfillment)
//	fulfillments/create            -> order.shipped (the fulfillment; a cancelled,
//	                                  error or failure one -> shopify.fulfillments.create)
//	orders/cancelled               -> order.cancelled
//	checkouts/create, /update      -> checkout.abandoned while completed_at is null,
//	                                  else shopify.checkouts.create / shopify.checkouts.update
//	customers/create               -> customer.created
//	orders/updated, orders/partially_fulfilled, fulfillments/update,
//	customers/update, /enable, /disable -> shopify.<topic>, data normalized as above
//	any other topic                -> shopify.<topic> with data.payload = the body
//
// where shopify.<topic> writes the topic's "/" as "." (shopify.orders.updated,
// shopify.products.create): stored and visible, and matched only by a
// pipeline that names it. A shop subscribed to both orders/fulfilled and
// fulfillments/create gets two order.shipped events for a fully shipped
// order (their event ids differ); subscribe to one of them.
//
// Event.Data holds the keys REST events and other commerce connectors use,
// with money and quantities as float64 and ids as strings:
//
//	order_id, order_name, total, currency, status,
//	customer {id, first_name, last_name, email, phone},
//	line_items [{sku, title, quantity, price}],
//	tracking {number, url, company}, tracking_url (= tracking.url),
//	order_status_url, checkout_url, topic, shop_domain
//
// and, by shape: financial_status, fulfillment_status, tags (a list), note,
// test, cancel_reason and fulfillment_id for orders; fulfillment_id,
// fulfillment_status and shipment_status for fulfillments (which carry no
// total or currency, and name the order "#1001" from the fulfillment's
// "#1001.1"); checkout_id, checkout_token, abandoned_checkout_url (=
// checkout_url) and buyer_accepts_marketing / buyer_accepts_sms_marketing
// for checkouts; customer_id, tags and email_marketing_consent /
// sms_marketing_consent (Shopify's consent states) for customers. status is
// paid, shipped and cancelled for those events; for other order events the
// order's state (cancelled, fulfilled, partially_fulfilled, else its
// financial status); abandoned or completed for checkouts; the customer's
// state for customers.
//
// The phone is the first valid number found in customer.phone, the order's
// (or checkout's) phone, the billing address, the shipping address (a
// fulfillment's destination) and the customer's default address, read in
// E.164 with the address's country code as region; when none is valid, the
// first one as written. Event.Contact carries the same person with
// ProviderIDs {"shopify": customer id}; Subject is the order id (checkout
// id or token, customer id, or a generic body's id); Time comes from the
// payload (created_at for creations, cancelled_at for cancellations, else
// updated_at), else from X-Shopify-Triggered-At; Raw is the body.
//
// # Outbound
//
// shopify.get_order, shopify.add_order_tags and shopify.add_order_note call
// the Admin REST API (GET and PUT /admin/api/{api_version}/orders/{id}.json
// with X-Shopify-Access-Token). Tags and notes are read, merged and written
// back, so repeating a call changes nothing; two writers racing on one
// order can still overwrite each other, as with any REST read-modify-write.
// The rate-limit key is the shop domain. The client mirrors the shop's
// leaky bucket from X-Shopify-Shop-Api-Call-Limit and spaces calls out when
// it is full; a 429's Retry-After (Shopify sends "2.0") is waited out
// in-process when short, else returned as a retryable error carrying the
// wait.
package shopify
