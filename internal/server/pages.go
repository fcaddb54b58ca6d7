package server

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
)

// healthz answers load balancers and `hindsight healthcheck`.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// incidents lists every stored postmortem.
func (s *Server) incidents(c echo.Context) error {
	list, err := s.store.Incidents(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "incidents.html", list)
}

// incident shows one postmortem.
func (s *Server) incident(c echo.Context) error {
	p, err := s.store.Postmortem(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "incident.html", p)
}

// securityHeaders sets the headers every response should carry.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'")
		return next(c)
	}
}

// recoverPanic turns a panicking handler into an internal error, which the
// error handler logs, instead of a dropped connection.
func recoverPanic(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				err = fmt.Errorf("panic: %v", v)
			}
		}()
		return next(c)
	}
}
