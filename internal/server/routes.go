package server

import (
	"github.com/labstack/echo/v4"
)

// routes is the whole route table. Every response gets the security
// headers; pages get a CSRF token and their forms need it back; bodies are
// small except on the upload.
func (s *Server) routes() {
	e := s.echo
	e.Use(recoverPanic, securityHeaders, bodyLimit(formLimit, "This form is too large to send.",
		func(c echo.Context) bool { return c.Path() == "/import" }))
	page := csrf()

	e.GET("/healthz", s.healthz)
	e.GET("/static/*", s.assets.serve)

	e.GET("/", s.handleIncidentIndex, page)
	e.GET("/incidents/:id", s.handleIncidentView, page)
	e.GET("/incidents/:id/source", s.handleIncidentSource)

	e.GET("/actions", s.handleActionIndex, page)
	e.GET("/actions/:id", s.handleActionEdit, page)
	e.POST("/actions/:id", s.handleActionUpdate, page)

	e.GET("/people", s.handlePersonIndex, page)
	e.GET("/people.csv", s.handlePersonExport)
	e.GET("/people/new", s.handlePersonNew, page)
	e.POST("/people", s.handlePersonCreate, page)
	e.POST("/people/aliases", s.handlePersonAddAlias, page)
	e.GET("/people/:id", s.handlePersonEdit, page)
	e.POST("/people/:id", s.handlePersonUpdate, page)

	e.GET("/import", s.handleImportNew, page)
	// The size check comes before the CSRF check, which reads the body.
	e.POST("/import", s.handleImportCreate, s.uploadLimit, page)

	// Webhooks prove themselves with a signature, not a CSRF token.
	e.POST("/hooks/jira", s.handleJiraHook)
	e.POST("/slack/interactions", s.handleSlackInteraction)
	e.POST("/slack/commands", s.handleSlackCommand)
}
