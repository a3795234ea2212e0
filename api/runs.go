package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/switchboardhq/switchboard/store"
)

// page reads limit and cursor, answering 400 itself on a bad limit.
func page(c *gin.Context) (store.Page, bool) {
	p := store.Page{Cursor: c.Query("cursor"), Limit: 50}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			abortError(c, http.StatusBadRequest, codeInvalidField, "limit must be a whole number from 1 to 500, got "+strconv.Quote(v), "limit")
			return p, false
		}
		p.Limit = n
	}
	return p, true
}

var runStatuses = map[string]bool{store.RunRunning: true, store.RunSucceeded: true, store.RunFailed: true, store.RunBlocked: true}

func (s *Server) listRuns(c *gin.Context) {
	p, ok := page(c)
	if !ok {
		return
	}
	f := store.RunFilter{Pipeline: c.Query("pipeline"), Status: c.Query("status"), EventID: c.Query("event_id"), Page: p}
	if f.Status != "" && !runStatuses[f.Status] {
		abortError(c, http.StatusBadRequest, codeInvalidField, "status must be running, succeeded, failed or blocked, got "+strconv.Quote(f.Status), "status")
		return
	}
	runs, next, err := s.opts.Store.ListRuns(c.Request.Context(), f)
	if err != nil {
		s.internal(c, "list runs", err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"runs": nonNil(runs), "next_cursor": next})
}

func (s *Server) getRun(c *gin.Context) {
	run, err := s.opts.Store.GetRun(c.Request.Context(), c.Param("id"))
	if errors.Is(err, store.ErrNotFound) {
		abortError(c, http.StatusNotFound, codeNotFound, "no run with id "+strconv.Quote(c.Param("id")), "id")
		return
	}
	if err != nil {
		s.internal(c, "get run", err)
		return
	}
	if run.Steps == nil {
		run.Steps = []store.StepResult{}
	}
	c.JSON(http.StatusOK, run)
}

func (s *Server) listOutbox(c *gin.Context) {
	p, ok := page(c)
	if !ok {
		return
	}
	rows, next, err := s.opts.Store.ListOutbox(c.Request.Context(), store.OutboxFilter{RunID: c.Query("run_id"), Connector: c.Query("connector"), Page: p})
	if err != nil {
		s.internal(c, "list outbox", err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"outbox": nonNil(rows), "next_cursor": next})
}

func (s *Server) listDeadLetters(c *gin.Context) {
	p, ok := page(c)
	if !ok {
		return
	}
	status := c.Query("status")
	if status != "" && status != store.DeadLetterDead && status != store.DeadLetterReplayed {
		abortError(c, http.StatusBadRequest, codeInvalidField, "status must be dead or replayed, got "+strconv.Quote(status), "status")
		return
	}
	rows, next, err := s.opts.Store.ListDeadLetters(c.Request.Context(), store.DeadLetterFilter{Status: status, Page: p})
	if err != nil {
		s.internal(c, "list dead letters", err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"dead_letters": nonNil(rows), "next_cursor": next})
}

func (s *Server) replay(c *gin.Context) {
	d, err := s.opts.Engine.Replay(c.Request.Context(), c.Param("id"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		abortError(c, http.StatusNotFound, codeNotFound, "no dead letter with id "+strconv.Quote(c.Param("id")), "id")
	case errors.Is(err, store.ErrConflict):
		abortError(c, http.StatusConflict, codeConflict, "dead letter "+strconv.Quote(c.Param("id"))+" was already replayed", "id")
	case err != nil:
		s.internal(c, "replay dead letter", err)
	default:
		c.JSON(http.StatusAccepted, d)
	}
}

type pipelineView struct {
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	On          string     `json:"on"`
	File        string     `json:"file"`
	Steps       []stepView `json:"steps"`
}

type stepView struct {
	ID     string `json:"id"`
	Action string `json:"action"`
}

func (s *Server) listPipelines(c *gin.Context) {
	ps := s.opts.Engine.Pipelines()
	out := make([]pipelineView, len(ps))
	for i, p := range ps {
		v := pipelineView{Name: p.Name, Description: p.Description, On: p.On, File: p.File, Steps: make([]stepView, len(p.Steps))}
		for j, st := range p.Steps {
			v.Steps[j] = stepView{ID: st.ID, Action: st.Action}
		}
		out[i] = v
	}
	c.JSON(http.StatusOK, gin.H{"pipelines": out})
}

func (s *Server) internal(c *gin.Context, what string, err error) {
	s.log.Error(what, "err", err)
	abortError(c, http.StatusInternalServerError, codeInternal, what+" failed", "")
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
