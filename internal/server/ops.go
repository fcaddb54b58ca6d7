package server

import (
	"context"
	_ "embed"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// Metrics is where the server reports the requests it answers, and what
// serves /metrics; *metrics.Metrics is one.
type Metrics interface {
	// ObserveRequest records a request answered: the route pattern, the
	// method, the status and how long it took.
	ObserveRequest(route, method string, status int, d time.Duration)
	// Handler serves the metrics to Prometheus.
	Handler() http.Handler
}

// readyTimeout bounds the database check of /readyz.
const readyTimeout = 2 * time.Second

// readiness is what /readyz answers.
type readiness struct {
	Status string `json:"status"` // "ready" or "unavailable"
	Reason string `json:"reason,omitempty"`
	Schema int    `json:"schema"`
	Latest int    `json:"latest"`
}

// readyz answers 200 when the database answers and its schema is the one
// this build expects, else 503 with the reason, for load balancers and
// orchestrators to hold traffic back. It is the one endpoint that writes
// its own error, since its body is part of what it answers.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), readyTimeout)
	defer cancel()
	cur, latest, err := s.store.SchemaVersion(ctx)
	r := readiness{Status: "ready", Schema: cur, Latest: latest}
	switch {
	case err != nil:
		r.Status, r.Reason = "unavailable", "the database does not answer"
		s.logger.Warn("not ready", "err", err)
	case cur != latest:
		r.Status, r.Reason = "unavailable", "the database schema is not current: run hindsight migrate"
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	if r.Status != "ready" {
		return c.JSON(http.StatusServiceUnavailable, r)
	}
	return c.JSON(http.StatusOK, r)
}

// serveMetrics answers /metrics when metrics are configured.
func (s *Server) serveMetrics(c echo.Context) error {
	if s.cfg.Metrics == nil {
		return echo.ErrNotFound
	}
	s.cfg.Metrics.Handler().ServeHTTP(c.Response(), c.Request())
	return nil
}

// observe times every request and reports it by route pattern and status
// once the error handler has written any error, so that errors count
// under the status they were answered with. Requests no route matched
// count under "unmatched", never under their raw path.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.cfg.Metrics == nil {
			return next(c)
		}
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		route := c.Path()
		if !s.routePaths[route] {
			route = "unmatched"
		}
		s.cfg.Metrics.ObserveRequest(route, c.Request().Method, c.Response().Status, time.Since(start))
		return nil
	}
}

// DefaultRequestTimeout bounds each request's context, but those of the
// streaming and upload routes, when Config.RequestTimeout is 0.
const DefaultRequestTimeout = 30 * time.Second

// streaming lists the routes whose work grows with the data (exports,
// uploads): they run under the server's write timeout alone.
var streaming = map[string]bool{
	"/api/v1/export":             true,
	"/api/v1/postmortems/import": true,
	"/api/v1/people/import":      true,
	"/import":                    true,
	"/metrics":                   true,
}

// timeout gives each request a context that ends after the request
// timeout, so that a slow query is abandoned (and answered 503) rather
// than left running after the client has gone.
func (s *Server) timeout(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if streaming[c.Path()] {
			return next(c)
		}
		ctx, cancel := context.WithTimeout(c.Request().Context(), s.cfg.RequestTimeout)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the API's OpenAPI 3 document, as /api/v1/openapi.json
// serves it.
func OpenAPI() []byte { return openAPI }

// serveOpenAPI answers the OpenAPI document.
func (s *Server) serveOpenAPI(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPI)
}
