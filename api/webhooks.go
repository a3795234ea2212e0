package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/switchboardhq/switchboard/connectors"
)

// webhook is the provider ingress: find the connector, verify the raw body,
// parse it into events, accept them (durable), answer 200. A failure on our
// side is a 503 so the provider retries.
func (s *Server) webhook(c *gin.Context) {
	name := c.Param("connector")
	in, ok := s.opts.Inbound(name)
	if !ok {
		abortError(c, http.StatusNotFound, codeNoSuchConnect, "no inbound connector "+strconv.Quote(name), "connector")
		return
	}
	body, ok := s.readBody(c, name)
	if !ok {
		return
	}
	if err := in.Verify(c.Request.Header, body); err != nil {
		reason := refusedBadSignature
		if errors.Is(err, connectors.ErrMissingSignature) {
			reason = refusedMissingSignature
		} else if errors.Is(err, connectors.ErrStale) {
			reason = refusedStale
		}
		s.refuse(c, name, reason, http.StatusUnauthorized, codeBadSignature, err, "")
		return
	}
	evs, err := in.Parse(c.Request.Header, body)
	if err != nil {
		s.refuse(c, name, refusedUnparseable, http.StatusBadRequest, codeUnparseable, err, "")
		return
	}
	s.webhooks.received(name, time.Now().UTC())
	results, ok := s.accept(c, name, evs)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, gin.H{"accepted": acceptedItems(evs, results)})
}

// handshake answers a provider's GET verification of the callback URL.
func (s *Server) handshake(c *gin.Context) {
	name := c.Param("connector")
	in, ok := s.opts.Inbound(name)
	if !ok {
		abortError(c, http.StatusNotFound, codeNoSuchConnect, "no inbound connector "+strconv.Quote(name), "connector")
		return
	}
	h, ok := in.(connectors.Handshaker)
	if !ok {
		abortError(c, http.StatusMethodNotAllowed, codeBadRequest, "connector "+strconv.Quote(name)+" has no GET handshake", "")
		return
	}
	reply, err := h.Handshake(c.Request.URL.Query())
	if err != nil {
		s.refuse(c, name, refusedWrongVerifyToken, http.StatusForbidden, codeForbidden, err, "hub.verify_token")
		return
	}
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(reply))
}
