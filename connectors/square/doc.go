// Package square is the Square connector: bookings, payments, orders and
// customers from Square webhooks, enriched through the Square v2 API.
//
// # Verify
//
// x-square-hmacsha256-signature is base64(HMAC-SHA256(signature_key,
// notification_url + raw body)), compared in constant time. The
// notification URL is part of the signed message, so notification_url must be
// byte for byte the URL registered on the subscription. A missing header wraps
// connectors.ErrMissingSignature, a mismatch connectors.ErrBadSignature.
// Square sends no timestamp to check a replay window against; repeats are
// caught by the dedup key.
//
// # Parse
//
// One delivery is one event. DedupKey is the envelope's event_id, Time its
// created_at, Raw the body. Type by Square type:
//
//	booking.created                                  -> booking.created
//	booking.updated, status CANCELLED_BY_CUSTOMER,
//	  CANCELLED_BY_SELLER or DECLINED                -> booking.cancelled
//	booking.updated, any other status                -> booking.updated
//	payment.updated, status COMPLETED, no refund     -> payment.completed
//	payment.updated (other), payment.created         -> square.payment.updated / square.payment.created
//	order.created (state not DRAFT)                  -> order.created
//	order.updated, state COMPLETED                   -> order.paid
//	order.updated, state CANCELED                    -> order.cancelled
//	order.updated, state OPEN or DRAFT               -> square.order.updated
//	order.fulfillment.updated                        -> square.order.fulfillment.updated
//	customer.created                                 -> customer.created
//	anything else (customer.updated, webhooks.test_notification, ...)
//	                                                 -> square.<type>
//
// Square's OrderState says "completed orders are fully paid", hence
// order.paid; an OPEN order.updated is any change to an open order, not its
// creation, so it opens no order.created run (Square's order.created does).
// No Square notification says a fulfillment is a shipment (the fulfillment
// type is not in it), so none is mapped to order.shipped. A payment.updated
// that carries a refund (refunded_money or refund_ids) is not a completion.
// Square may send more than one payment.updated with status COMPLETED for
// one payment (a later change, such as the processing fee, repeats the
// status); each has its own event_id, so each is a payment.completed event.
//
// square.* types have no canonical meaning: they are stored and visible,
// and a pipeline may still name them (on: square/square.order.updated).
//
// Data uses the keys every commerce source shares (order_id, total,
// currency, status, customer {id, first_name, last_name, email, phone},
// line_items [{sku, title, quantity, price}]), money as float64. Every event
// has square_type (Square's type), merchant_id and location_id (when sent).
// status is a lower-case word: "cancelled" for booking.cancelled and
// order.cancelled, "paid" for order.paid, else Square's status or state in
// lower case ("accepted", "completed", "open"); square_status keeps Square's
// own value (CANCELLED_BY_SELLER, COMPLETED, ...). By kind:
//
//   - booking: booking_id, status, square_status, start_at, customer and
//     booking {id, status, start_at, location_id, customer_id, version,
//     created_at, updated_at, customer_note, seller_note, location_type,
//     source, all_day, duration_minutes, appointment_segments
//     [{duration_minutes, service_variation_id, service_variation_version,
//     team_member_id, ...}]} (booking.status as Square sent it);
//   - payment: payment_id, status, square_status, order_id, amount
//     (amount_money), total (total_money, else amount_money), currency,
//     tip, refunded, receipt_url, receipt_number, source_type, card_brand,
//     last_4, note, reference_id, created_at, updated_at, customer (id and
//     buyer_email_address);
//   - order: order_id, status, square_status, version, created_at,
//     updated_at, fulfillment_updates [{uid, old_state, new_state}],
//     customer (empty until Enrich);
//   - customer: customer {id, first_name, last_name, email, phone, country,
//     company_name, nickname, reference_id, created_at, updated_at};
//   - other: object_type, object_id and object (data.object as sent).
//
// data.customer always has its five keys ("" when unknown). Amounts are
// numbers in the currency's main unit: Square's integer amount in the
// smallest unit divided by 10^exponent (2 for most currencies, 0 for JPY or
// KRW, 3 for KWD or BHD). Subject is the object's id (booking, payment,
// order, customer, else data.id); Contact carries the customer id as
// ProviderIDs["square"] and any email the payload gives.
//
// # Enrich
//
// Booking, payment and order webhooks name the customer only by id, and
// order.updated does not carry the order. Enrich (connectors.Enricher)
// fetches the booking (GET /v2/bookings/{id}) when it has no start_at, the
// order (GET /v2/orders/{id}) when data has no total, then the customer (GET
// /v2/customers/{id}), filling data.customer {id, first_name, last_name,
// email, phone} and event.Contact, the phone in E.164 read in the country of
// the customer's address, else DefaultRegion. An order also gains total,
// currency, reference_id, line_items [{sku (""), title, quantity, price
// (unit), total}] and fulfillments [{uid, type, state}]. A successful run sets data.enriched;
// Enrich skips events that have it (or a data.customer.phone), and changes
// nothing unless every call succeeded. Calls send Authorization: Bearer
// <access_token> and Square-Version, and are not retried in-process: a
// failure is returned classified (429 and 5xx retryable, a missing customer,
// booking or order permanent) for the engine to redeliver.
//
// # Actions
//
// square.get_customer (customer_id) and square.get_booking (booking_id) fetch
// one object; output {"customer": {...}} or {"booking": {...}} with the
// shapes above. 429 and 5xx are retryable (with Retry-After when sent),
// 401, 403, 404 and other 4xx permanent. Both are GETs, for which Square
// takes no idempotency key.
package square
