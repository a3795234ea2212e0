package api

import (
	"github.com/gin-gonic/gin"
)

// errorBody is the one error envelope every endpoint answers with.
type errorBody struct {
	Error apiError `json:"error"`
}

type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Error codes.
const (
	codeBadRequest    = "bad_request"
	codeInvalidField  = "invalid_field"
	codeUnauthorized  = "unauthorized"
	codeForbidden     = "forbidden"
	codeNotFound      = "not_found"
	codeConflict      = "conflict"
	codeTooLarge      = "body_too_large"
	codeMediaType     = "unsupported_media_type"
	codeUnavailable   = "unavailable"
	codeInternal      = "internal"
	codeBadSignature  = "bad_signature"
	codeUnparseable   = "unparseable_body"
	codeNoSuchConnect = "unknown_connector"
	codeUpstream      = "upstream_error"
)

func abortError(c *gin.Context, status int, code, message, field string) {
	c.AbortWithStatusJSON(status, errorBody{Error: apiError{Code: code, Message: message, Field: field}})
}
