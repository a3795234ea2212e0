package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/switchboardhq/switchboard/store"
)

var messageStatuses = map[string]bool{store.MessageAccepted: true, store.MessageSent: true, store.MessageDelivered: true, store.MessageRead: true, store.MessageFailed: true}

// listMessages is GET /v1/messages[?run_id=&contact_id=&status=&limit=].
func (s *Server) listMessages(c *gin.Context) {
	f := store.MessageFilter{RunID: c.Query("run_id"), ContactID: c.Query("contact_id"), Status: c.Query("status"), Limit: 100}
	if f.Status != "" && !messageStatuses[f.Status] {
		abortError(c, http.StatusBadRequest, codeInvalidField, "status must be accepted, sent, delivered, read or failed, got "+strconv.Quote(f.Status), "status")
		return
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			abortError(c, http.StatusBadRequest, codeInvalidField, "limit must be a whole number from 1 to 1000, got "+strconv.Quote(v), "limit")
			return
		}
		f.Limit = n
	}
	ms, err := s.opts.Store.ListMessages(c.Request.Context(), f)
	if err != nil {
		s.internal(c, "list messages", err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"messages": nonNil(ms)})
}

// getMessage is GET /v1/messages/{id}: one message and its delivery state.
func (s *Server) getMessage(c *gin.Context) {
	m, err := s.opts.Store.GetMessage(c.Request.Context(), c.Param("id"))
	if errors.Is(err, store.ErrNotFound) {
		abortError(c, http.StatusNotFound, codeNotFound, "no message with id "+strconv.Quote(c.Param("id")), "id")
		return
	}
	if err != nil {
		s.internal(c, "get message", err)
		return
	}
	c.JSON(http.StatusOK, m)
}
