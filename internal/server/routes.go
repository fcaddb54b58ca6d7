package server

import (
	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/labstack/echo/v4"
)

// routes is the whole route table. Every response gets the security
// headers and is timed; requests but the streaming ones get a deadline;
// bodies are small except on the uploads. Pages run a few at a time
// (limit.go), get a CSRF token and their forms need it back; the lists
// and incident pages are kept once rendered (pagecache.go). With sign-in
// on, each route names the least role it needs (view, edit, admin); the
// operational endpoints, static files and webhooks are open.
func (s *Server) routes() {
	e := s.echo
	e.Use(s.observe, recoverPanic, securityHeaders, s.timeout, refuseCrossSite, bodyLimit(formLimit, func(c echo.Context) bool {
		return c.Path() == "/import" || streaming[c.Path()]
	}))
	renders := make(slots, pageSlots())
	page := renders.around(csrf())
	view, edit, admin := s.allow(postmortem.RoleViewer), s.allow(postmortem.RoleEditor), s.allow(postmortem.RoleAdmin)
	// Pages that may come from the page cache (pagecache.go) take a
	// render slot only when they have to be rendered.
	viewCached := []echo.MiddlewareFunc{view, csrf(), s.cachePages, renders.around(pass)}

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.serveMetrics)
	e.GET("/static/*", s.assets.serve)

	// Sign-in with a token, or through an OpenID Connect provider: a
	// redirect there and its callback, which the state check protects
	// as the CSRF token protects forms.
	if s.oidc != nil {
		e.GET("/signin", s.handleOIDCSignIn)
		e.GET(callbackPath, s.handleOIDCCallback)
	} else {
		e.GET("/signin", s.handleSignInForm, page)
		e.POST("/signin", s.handleSignIn, page)
	}
	e.POST("/signout", s.handleSignOut, page)

	e.GET("/", s.handleIncidentIndex, viewCached...)
	e.GET("/incidents/:id", s.handleIncidentView, viewCached...)
	e.GET("/incidents/:id/source", s.handleIncidentSource, view)

	e.GET("/actions", s.handleActionIndex, viewCached...)
	e.GET("/actions/:id", s.handleActionEdit, view, page)
	e.POST("/actions/:id", s.handleActionUpdate, edit, page)

	e.GET("/people", s.handlePersonIndex, viewCached...)
	e.GET("/people.csv", s.handlePersonExport, admin)
	e.GET("/people/new", s.handlePersonNew, view, page)
	e.POST("/people", s.handlePersonCreate, edit, page)
	e.POST("/people/aliases", s.handlePersonAddAlias, edit, page)
	e.GET("/people/:id", s.handlePersonEdit, view, page)
	e.POST("/people/:id", s.handlePersonUpdate, edit, page)

	e.GET("/import", s.handleImportNew, view, page)
	// The size check comes before the CSRF check, which reads the body.
	e.POST("/import", s.handleImportCreate, edit, s.uploadLimit, page)

	// The JSON API, described by openapi.json. It takes API tokens in the
	// Authorization header, never the session cookie, so it needs no CSRF
	// token; browsers' cross-site writes are refused all the same. (A
	// group with middleware would answer 404 for a wrong method.)
	api := e.Group("/api/v1")
	api.GET("/openapi.json", s.serveOpenAPI)
	api.GET("/postmortems", s.handleAPIIncidents, view)
	api.POST("/postmortems/import", s.handleAPIImport, edit, apiUploadLimit)
	api.GET("/postmortems/:id", s.handleAPIIncident, view)
	api.GET("/export", s.handleAPIExport, admin)
	api.GET("/action-items", s.handleAPIItems, view)
	api.GET("/action-items/:id", s.handleAPIItem, view)
	api.PATCH("/action-items/:id", s.handleAPIItemPatch, edit)
	api.GET("/people", s.handleAPIPeople, view)
	api.POST("/people", s.handleAPIPersonCreate, edit)
	api.POST("/people/import", s.handleAPIPeopleImport, edit, apiUploadLimit)
	api.GET("/people/export", s.handleAPIPeopleExport, admin)
	api.PATCH("/people/:id", s.handleAPIPersonPatch, edit)

	// Webhooks prove themselves with a signature, not a CSRF token.
	e.POST("/hooks/jira", s.handleJiraHook)
	e.POST("/slack/interactions", s.handleSlackInteraction)
	e.POST("/slack/commands", s.handleSlackCommand)
}
