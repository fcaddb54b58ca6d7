package server

import (
	"bytes"
	"embed"
	"html/template"

	"github.com/labstack/echo/v4"
)

//go:embed templates
var templates embed.FS

// pages lists the page templates; each is executed inside layout.html.
var pages = []string{"incidents.html", "incident.html", "error.html"}

// renderer holds the parsed page templates.
type renderer struct {
	pages map[string]*template.Template
}

// newRenderer parses the embedded templates; they are part of the binary,
// so a parse failure is a programming error and panics.
func newRenderer() *renderer {
	r := &renderer{pages: map[string]*template.Template{}}
	funcs := template.FuncMap{"dash": dash}
	for _, name := range pages {
		r.pages[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templates, "templates/layout.html", "templates/"+name))
	}
	return r
}

// render executes the page name with data into a buffer first, so that a
// template error becomes an error response rather than half a page.
func (s *Server) render(c echo.Context, status int, name string, data any) error {
	var buf bytes.Buffer
	if err := s.pages.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// dash shows an empty field as an en dash so that table cells are never
// blank to a screen reader.
func dash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
