package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"syscall"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/labstack/echo/v4"
)

// statuses maps application error codes to HTTP statuses.
var statuses = map[string]int{
	postmortem.EInvalid:      http.StatusBadRequest,
	postmortem.ENotFound:     http.StatusNotFound,
	postmortem.EConflict:     http.StatusConflict,
	postmortem.EUnauthorized: http.StatusUnauthorized,
	postmortem.EForbidden:    http.StatusForbidden,
	postmortem.EUnavailable:  http.StatusServiceUnavailable,
	postmortem.EInternal:     http.StatusInternalServerError,
}

// Codes of HTTP-level refusals that no application error has; the API's
// error JSON uses them beside the application codes.
const (
	codeMethodNotAllowed = "method_not_allowed"
	codeTooLarge         = "too_large"
	codeUnsupportedType  = "unsupported_media_type"
)

// httpCodes names the HTTP statuses echo and the middleware answer with
// that no application code covers.
var httpCodes = map[int]string{
	http.StatusMethodNotAllowed:      codeMethodNotAllowed,
	http.StatusRequestEntityTooLarge: codeTooLarge,
	http.StatusUnsupportedMediaType:  codeUnsupportedType,
	http.StatusRequestTimeout:        postmortem.EUnavailable,
}

// errorBody is what the error page and the JSON error show: under /api/
// the JSON is {"error": {"code", "message", "field"}} with the status on
// the response itself.
type errorBody struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// handleError is the one place errors become responses: JSON under /api/,
// an error page elsewhere. Only internal errors are logged; the others are
// the client's business and say so in the response. An error after the
// response has started (a streamed export) can only be logged.
func (s *Server) handleError(err error, c echo.Context) {
	body := describe(err)
	if body.Status == http.StatusInternalServerError && !clientGone(err) {
		s.logger.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	if c.Response().Committed {
		return
	}
	var werr error
	switch {
	case c.Request().Method == http.MethodHead:
		werr = c.NoContent(body.Status)
	case isAPI(c):
		if body.Status == http.StatusUnauthorized {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="hindsight"`)
		}
		werr = c.JSON(body.Status, map[string]errorBody{"error": body})
	default:
		werr = s.render(c, body.Status, "error.html", "", body)
	}
	if werr != nil {
		s.logger.Warn("error response failed", "path", c.Request().URL.Path, "err", werr)
	}
}

// clientGone reports whether err only says that the client went away
// before its answer was written: its request's context was cancelled
// (nothing else cancels it: a deadline is DeadlineExceeded, and shutdown
// lets requests finish), or the connection broke under the write. Nothing
// is wrong with the server and nobody is left to tell, so it is not
// logged.
func clientGone(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)
}

// isAPI reports whether c is a request to the JSON API.
func isAPI(c echo.Context) bool {
	return strings.HasPrefix(c.Request().URL.Path, "/api/")
}

// describe maps err to a status, code, message and field safe to show.
func describe(err error) errorBody {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code, ok := httpCodes[he.Code]
		if !ok {
			code = postmortem.EInvalid
			if he.Code >= http.StatusInternalServerError {
				code = postmortem.EInternal
			}
			for c, st := range statuses {
				if st == he.Code {
					code = c
				}
			}
		}
		msg := http.StatusText(he.Code)
		if he.Code < 500 {
			if m, ok := he.Message.(string); ok && m != "" {
				msg = m
			}
		}
		return errorBody{Status: he.Code, Code: code, Message: msg}
	}
	if postmortem.ErrorCode(err) == postmortem.EInternal && errors.Is(err, context.DeadlineExceeded) {
		return errorBody{Status: http.StatusServiceUnavailable, Code: postmortem.EUnavailable,
			Message: "the request took too long; try again, or narrow it down"}
	}
	code := postmortem.ErrorCode(err)
	status, ok := statuses[code]
	if !ok {
		code, status = postmortem.EInternal, http.StatusInternalServerError
	}
	body := errorBody{Status: status, Code: code, Message: postmortem.ErrorMessage(err)}
	var pe *postmortem.Error
	if errors.As(err, &pe) && code != postmortem.EInternal {
		body.Field = pe.Field
	}
	return body
}
