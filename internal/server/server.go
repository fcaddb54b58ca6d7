// Package server is Hindsight's web interface: an echo router with the
// whole route table in routes.go, page handlers in pages_*.go, one error
// handler and the template renderer. It reads the store through the small
// interfaces it declares in store.go.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/labstack/echo/v4"
)

// Config is what the server needs to know beside the store.
type Config struct {
	// JiraURL is the base URL of the Jira site (https://example.atlassian.net);
	// issue keys link to JiraURL/browse/KEY when it is set.
	JiraURL string
	// JiraHook receives Jira's webhooks; nil when Jira sync is off, and
	// POST /hooks/jira answers 404. The footer says whether sync runs.
	JiraHook JiraHook
	// SlackHook receives Slack's button presses and slash commands; nil
	// when nudges are off, and /slack/* answers 404.
	SlackHook SlackHook
	// Import saves files uploaded on /import; nil turns the page's form off.
	Import func(ctx context.Context, files []jobs.Upload) ([]jobs.FileResult, error)
	// MaxFileSize is the largest uploaded file, jobs.DefaultMaxFileSize
	// when 0; it is only used to explain and pre-check the limit, Import
	// enforces it.
	MaxFileSize int64
	// Now returns the time overdue items and ages are measured against;
	// time.Now when nil.
	Now func() time.Time
	// Auth checks API tokens and page sessions; nil turns sign-in off and
	// lets everyone do everything, which cmd/hindsight allows only on a
	// loopback address. An *OIDCAuth signs people in through an OpenID
	// Connect provider.
	Auth Authenticator
	// Metrics receives request timings and serves /metrics; nil turns
	// both off.
	Metrics Metrics
	// RequestTimeout bounds each request but the streaming ones;
	// DefaultRequestTimeout when 0.
	RequestTimeout time.Duration
	// PageCacheSize is how many bytes of rendered pages are kept for
	// the data as it is; DefaultPageCacheSize when 0, none when negative.
	PageCacheSize int
}

// ShutdownTimeout is how long Serve waits for requests in flight once its
// context is cancelled.
const ShutdownTimeout = 10 * time.Second

// Connection timeouts of Serve. Reading a request may take a while only
// for an upload (50 MiB on a slow link); writing one, only for an export;
// both are bounded so that a stalled client cannot hold a connection (and
// its goroutine) for ever.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 2 * time.Minute
	writeTimeout      = 5 * time.Minute
	idleTimeout       = 2 * time.Minute
)

// Server serves Hindsight's pages.
type Server struct {
	store  Store
	cfg    Config
	logger *slog.Logger
	echo   *echo.Echo
	assets *assets
	pages  *renderer
	jira   string    // Jira sync as the footer says it: on, off or failed
	oidc   *OIDCAuth // cfg.Auth when people sign in through a provider
	// pageCache keeps rendered pages (nil when off), with marks for
	// the parts that differ between requests.
	pageCache *pageCache
	marks     marks
	// routePaths holds every route pattern, to tell requests no route
	// matched from the rest in metrics.
	routePaths map[string]bool
}

// New returns a Server reading from store, configured by cfg and logging
// to logger.
func New(store Store, cfg Config, logger *slog.Logger) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxFileSize <= 0 {
		cfg.MaxFileSize = jobs.DefaultMaxFileSize
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	s := &Server{store: store, cfg: cfg, logger: logger, echo: echo.New(), assets: newAssets(), jira: "off"}
	s.oidc, _ = cfg.Auth.(*OIDCAuth)
	switch {
	case cfg.PageCacheSize == 0:
		s.pageCache = newPageCache(DefaultPageCacheSize)
	case cfg.PageCacheSize > 0:
		s.pageCache = newPageCache(cfg.PageCacheSize)
	}
	s.marks = newMarks()
	switch {
	case cfg.JiraHook != nil:
		s.jira = "on"
	case cfg.JiraURL != "":
		s.jira = "failed"
	}
	s.pages = newRenderer(s.funcs())
	s.echo.HideBanner = true
	s.echo.HidePort = true
	// The client's address is the connection's: X-Forwarded-For is
	// trivially forged, and the address ends up in item histories.
	s.echo.IPExtractor = echo.ExtractIPDirect()
	s.echo.HTTPErrorHandler = s.handleError
	s.routes()
	s.routePaths = map[string]bool{}
	for _, r := range s.echo.Routes() {
		s.routePaths[r.Path] = true
	}
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
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
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

// healthz answers load balancers and `hindsight healthcheck`.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}
