package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/switchboardhq/switchboard/store"
)

// exportLimit bounds each list in a contact export.
const exportLimit = 10000

// exportContact is GET /v1/contacts/{id}/export (admin): everything the hub
// holds about a contact, as one JSON document (a Privacy Act access
// request).
func (s *Server) exportContact(c *gin.Context) {
	ctx, id := c.Request.Context(), c.Param("id")
	contact, err := s.opts.Store.GetContact(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		abortError(c, http.StatusNotFound, codeNotFound, "no contact with id "+strconv.Quote(id), "id")
		return
	}
	if err != nil {
		s.internal(c, "export contact", err)
		return
	}
	consents, err := s.opts.Engine.ConsentHistory(ctx, id)
	if err != nil {
		s.internal(c, "export contact consents", err)
		return
	}
	messages, err := s.opts.Store.ListMessages(ctx, store.MessageFilter{ContactID: id, Limit: exportLimit})
	if err != nil {
		s.internal(c, "export contact messages", err)
		return
	}
	events, err := s.opts.Store.ContactEvents(ctx, id, exportLimit)
	if err != nil {
		s.internal(c, "export contact events", err)
		return
	}
	runs, err := s.opts.Store.ContactRuns(ctx, id, exportLimit)
	if err != nil {
		s.internal(c, "export contact runs", err)
		return
	}
	c.JSON(http.StatusOK, gin.H{
		"exported_at": time.Now().UTC(), "contact": contact, "consents": nonNil(consents),
		"messages": nonNil(messages), "events": nonNil(events), "runs": nonNil(runs),
	})
}

// eraseContact is DELETE /v1/contacts/{id} (admin): it erases the
// contact's personal details and message texts; the consent audit stays,
// under a keyed hash, so an opted-out person stays opted out.
func (s *Server) eraseContact(c *gin.Context) {
	id := c.Param("id")
	err := s.opts.Store.EraseContact(c.Request.Context(), id, time.Now())
	if errors.Is(err, store.ErrNotFound) {
		abortError(c, http.StatusNotFound, codeNotFound, "no contact with id "+strconv.Quote(id), "id")
		return
	}
	if err != nil {
		s.internal(c, "erase contact", err)
		return
	}
	s.log.Info("contact erased", "contact_id", id, "api_key", c.GetString("api_key"))
	c.JSON(http.StatusOK, gin.H{"contact_id": id, "erased": true})
}
