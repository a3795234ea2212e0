// Package pipelines loads, validates and evaluates pipeline files.
//
// A pipeline is a YAML document that names the event it listens to (`on`), an
// optional condition (`when`) and a list of steps, each calling one action from
// a [Catalog] with inputs (`with`) built from the event:
//
//	name: order-shipped
//	on: order.shipped                    # or "shopify/order.shipped"
//	when: event.data.total > vars.threshold && contact.phone != ""
//	vars: {threshold: 50}
//	steps:
//	  - id: notify
//	    action: http.request
//	    when: contact.email != ""
//	    with:
//	      url: "https://example.com/hook"
//	      body: {order: "${{ event.data.order_name }}", total: "${{ event.data.total }}"}
//	    retry: {max_attempts: 5}
//	    on_error: continue               # dead_letter (default) | continue | stop
//	    wait: 10m                        # parsed into Step.Wait
//
// # Loading
//
// [Load] and [LoadFS] walk the yaml.v3 node tree and report every finding as a
// [diag.Diagnostic] with file, line, column and key path ("steps[0].with.url"):
// unknown keys (with a did-you-mean hint), wrong types, duplicate step ids,
// unknown actions, missing, unknown or mistyped action params, and expression
// errors. Expressions are compiled once, at load, against the typed [Env], so
// a typo such as `event.dta.total` is a load error positioned on the exact
// character, never a runtime surprise. A non-canonical event type in `on` is
// only a warning: custom sources may send custom types.
//
// # Expressions
//
// `when` is a bare expr-lang expression (https://expr-lang.org) that must be a
// bool. In `with`, values are literals and "${{ expr }}" interpolates; a value
// that is exactly one "${{ expr }}" keeps the expression's type (a number stays
// a number), otherwise the parts are joined into a string (nil renders as "",
// maps and lists as JSON). There is no escape for a literal "${{".
//
// The environment holds `event` (id, source, type, subject, time, data),
// `contact` (id, phone, email, first_name, last_name, provider_ids,
// last_inbound_at), `steps.<id>` (status, output; only earlier steps may be
// named), `vars` (the pipeline's vars; unknown names are load errors) and
// `now` (passed in by the caller; the package never reads the clock).
//
// Helper functions, in addition to expr's pure builtins:
//
//	lower(s), upper(s), trim(s)  string case and whitespace
//	default(v, fallback)         fallback when v is nil or ""
//	has(m, key)                  whether map m holds key (false for a nil map)
//	json(v)                      v encoded as a JSON string
//	duration(s)                  time.ParseDuration, e.g. now - duration("24h")
//
// Substring tests use expr's operator, `s contains sub`: expr reserves the
// word `contains`, so it cannot also be a function. The builtins now, date
// and timezone (clock and time-zone database) and repeat (unbounded memory)
// are disabled, and an expression may hold at most [MaxExprNodes] nodes.
//
// The package is pure: it reads only the bytes or the fs.FS it is handed,
// never the clock, and keeps no global state. A loaded [Pipeline] is immutable
// and safe for concurrent use.
package pipelines
