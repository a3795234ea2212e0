package engine

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/switchboardhq/switchboard/pipelines"
)

// KeywordReplies are the texts sent back to STOP, START and HELP.
type KeywordReplies struct {
	Stop, Start, Help string
}

// DefaultKeywordReplies are sent when the config sets none.
var DefaultKeywordReplies = KeywordReplies{
	Stop:  "You're unsubscribed: you will get no more marketing messages from us here. Reply START to subscribe again.",
	Start: "You're subscribed again. Reply STOP at any time to unsubscribe.",
	Help:  "Reply STOP to unsubscribe from marketing messages, or START to subscribe again.",
}

const keywordReplyPipeline = `name: whatsapp-keyword-reply
description: Confirms a STOP or START sent on WhatsApp.
on: whatsapp/consent.changed
when: event.data.source == "whatsapp_keyword"
vars:
  stop: %s
  start: %s
steps:
  - id: reply
    action: whatsapp.send_text
    with:
      body: '${{ event.data.status == "opted_out" ? vars.stop : vars.start }}'
      purpose: transactional
      opt_out_confirmation: '${{ event.data.status == "opted_out" }}'
`

const helpReplyPipeline = `name: whatsapp-help-reply
description: Answers HELP sent on WhatsApp.
on: whatsapp/consent.help_requested
vars:
  help: %s
steps:
  - id: reply
    action: whatsapp.send_text
    with:
      body: ${{ vars.help }}
      purpose: transactional
`

const confirmOptInPipeline = `name: whatsapp-confirm-opt-in
description: Asks a person whose opt-in is pending to confirm it (double opt-in).
on: consent.changed
when: event.data.status == "pending" && event.data.channel == "whatsapp"
steps:
  - id: ask
    action: whatsapp.send_template
    with:
      template: %s
      language: %s
      purpose: transactional
`

// SystemPipelines returns the hub's own pipelines for the actions in cat:
// the WhatsApp replies to STOP, START and HELP, and, with double opt-in on
// WhatsApp, the confirmation request. Their names start with
// SystemPrefix, which no pipeline file can use (names have no dots); only
// they may send the opt-out confirmation to an opted-out person.
func SystemPipelines(cat pipelines.Catalog, r KeywordReplies, d DoubleOptIn) ([]*pipelines.Pipeline, error) {
	if _, ok := cat["whatsapp.send_text"]; !ok {
		return nil, nil
	}
	if r.Stop == "" {
		r.Stop = DefaultKeywordReplies.Stop
	}
	if r.Start == "" {
		r.Start = DefaultKeywordReplies.Start
	}
	if r.Help == "" {
		r.Help = DefaultKeywordReplies.Help
	}
	var out []*pipelines.Pipeline
	srcs := []string{
		fmt.Sprintf(keywordReplyPipeline, strconv.Quote(r.Stop), strconv.Quote(r.Start)),
		fmt.Sprintf(helpReplyPipeline, strconv.Quote(r.Help)),
	}
	if slices.Contains(d.Channels, "whatsapp") {
		if d.Template == "" {
			return nil, fmt.Errorf("engine: double opt-in on whatsapp needs its confirmation template")
		}
		srcs = append(srcs, fmt.Sprintf(confirmOptInPipeline, strconv.Quote(d.Template), strconv.Quote(d.Language)))
	}
	for _, src := range srcs {
		p, diags := pipelines.Load("system.yaml", []byte(src), cat)
		if err := diags.Err(); err != nil {
			return nil, fmt.Errorf("engine: system pipeline: %w", err)
		}
		p.Name = SystemPrefix + p.Name
		out = append(out, p)
	}
	return out, nil
}
