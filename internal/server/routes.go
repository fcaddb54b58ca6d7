package server

// routes is the whole route table.
func (s *Server) routes() {
	s.echo.Use(recoverPanic, securityHeaders)

	s.echo.GET("/healthz", s.healthz)
	s.echo.GET("/", s.incidents)
	s.echo.GET("/incidents/:id", s.incident)
}
