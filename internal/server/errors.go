package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/labstack/echo/v4"
)

// statuses maps application error codes to HTTP statuses.
var statuses = map[string]int{
	postmortem.EInvalid:      http.StatusBadRequest,
	postmortem.ENotFound:     http.StatusNotFound,
	postmortem.EConflict:     http.StatusConflict,
	postmortem.EUnauthorized: http.StatusUnauthorized,
	postmortem.EUnavailable:  http.StatusServiceUnavailable,
	postmortem.EInternal:     http.StatusInternalServerError,
}

// errorBody is what the error page and the JSON error show.
type errorBody struct {
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// handleError is the one place errors become responses: JSON under /api/,
// an error page elsewhere. Only internal errors are logged; the others are
// the client's business and say so in the response.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	body := describe(err)
	if body.Status == http.StatusInternalServerError {
		s.logger.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	var werr error
	switch {
	case c.Request().Method == http.MethodHead:
		werr = c.NoContent(body.Status)
	case strings.HasPrefix(c.Request().URL.Path, "/api/"):
		werr = c.JSON(body.Status, map[string]errorBody{"error": body})
	default:
		werr = s.render(c, body.Status, "error.html", "", body)
	}
	if werr != nil {
		s.logger.Warn("error response failed", "path", c.Request().URL.Path, "err", werr)
	}
}

// describe maps err to a status, code and message safe to show.
func describe(err error) errorBody {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code := postmortem.EInvalid
		if he.Code >= http.StatusInternalServerError {
			code = postmortem.EInternal
		}
		for c, st := range statuses {
			if st == he.Code {
				code = c
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
	code := postmortem.ErrorCode(err)
	status, ok := statuses[code]
	if !ok {
		code, status = postmortem.EInternal, http.StatusInternalServerError
	}
	return errorBody{Status: status, Code: code, Message: postmortem.ErrorMessage(err)}
}
