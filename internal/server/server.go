// Package server is Hindsight's web interface: an echo router with the
// whole route table in routes.go, page handlers, one error handler and the
// template renderer. It reads the store through the small Store interface
// it declares.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/labstack/echo/v4"
)

// Incident is one row of the incident list.
type Incident struct {
	ID         string
	Title      string
	Date       string
	Status     string
	Severity   string
	OpenItems  int
	TotalItems int
	// Missing is set when the incident's file no longer exists.
	Missing bool
}

// Store is the part of the database the web interface reads.
type Store interface {
	// Incidents lists every stored postmortem, newest first.
	Incidents(ctx context.Context) ([]Incident, error)
	// Postmortem returns one postmortem with its tracking state, or a
	// not_found error.
	Postmortem(ctx context.Context, id string) (*postmortem.Postmortem, error)
}

// ShutdownTimeout is how long Serve waits for requests in flight once its
// context is cancelled.
const ShutdownTimeout = 10 * time.Second

// Server serves Hindsight's pages.
type Server struct {
	store  Store
	logger *slog.Logger
	echo   *echo.Echo
	pages  *renderer
}

// New returns a Server reading from store and logging to logger.
func New(store Store, logger *slog.Logger) *Server {
	s := &Server{store: store, logger: logger, echo: echo.New(), pages: newRenderer()}
	s.echo.HideBanner = true
	s.echo.HidePort = true
	s.echo.HTTPErrorHandler = s.handleError
	s.routes()
	return s
}

// ServeHTTP lets the Server be used as an http.Handler, as tests do.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.echo.ServeHTTP(w, r)
}

// Serve answers requests on ln until ctx is cancelled, then shuts down
// gracefully, giving requests in flight ShutdownTimeout to finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
		// Requests outlive ctx by up to ShutdownTimeout: that is the point
		// of shutting down gracefully.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
