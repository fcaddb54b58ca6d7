package server

import (
	"bytes"
	"html/template"
	"net/http"
	"sync"

	"github.com/hindsight-dev/hindsight/internal/markdown"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/web"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// pageFiles lists the page templates; each is parsed with layout.html and
// partials.html into a set of its own, so that every page can define the
// "title" and "content" blocks the layout calls.
var pageFiles = []string{
	"incidents.html", "incident.html", "actions.html", "action.html",
	"people.html", "person.html", "import.html", "error.html", "signin.html",
}

// renderer holds the parsed page templates.
type renderer struct {
	pages map[string]*template.Template
}

// newRenderer parses the embedded templates. They are part of the binary,
// so a missing or broken one is a programming error and panics at start-up
// rather than on the first request for the page.
func newRenderer(funcs template.FuncMap) *renderer {
	r := &renderer{pages: map[string]*template.Template{}}
	for _, name := range pageFiles {
		r.pages[name] = template.Must(template.New(name).Funcs(funcs).
			ParseFS(web.Templates, "layout.html", "partials.html", name))
	}
	return r
}

// view is what every page template executes with: the page's own data in
// Data and what the layout needs around it.
type view struct {
	Nav   string // the main navigation entry this page belongs to
	CSRF  string // token for the hidden _csrf field of forms
	Flash string // one-off message after a redirect
	Jira  string // Jira sync: "on", "off" (not configured) or "failed" (configured, not running)
	Slack bool   // Slack nudges configured
	User  string // who is signed in, "" when sign-in is off
	Data  any
}

// renderBuffers holds the buffers pages for the cache are rendered into:
// the cache keeps a copy of the exact size, so the buffer can serve the
// next render rather than become garbage.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render executes the page name inside the layout with data, into a buffer
// first so that a template error becomes an error response rather than
// half a page.
func (s *Server) render(c echo.Context, status int, name, nav string, data any) error {
	v := view{Nav: nav, Flash: takeFlash(c), Jira: s.jira, Slack: s.cfg.SlackHook != nil, Data: data}
	if token, ok := c.Get(csrfContextKey).(string); ok && token != middleware.CSRFUsingSecFetchSite {
		v.CSRF = token
	}
	if p := principal(c); p != nil {
		v.User = p.Name
	}
	slot, _ := c.Get(pageSlotKey).(*pageSlot)
	if slot != nil && status == http.StatusOK && v.Flash == "" {
		// A page for the cache: rendered with marks for the parts that
		// are this request's, kept, and sent with them filled in.
		if v.CSRF != "" {
			v.CSRF = s.marks.csrf
		}
		if v.User != "" {
			v.User = s.marks.user
		}
		buf := renderBuffers.Get().(*bytes.Buffer)
		defer renderBuffers.Put(buf)
		buf.Reset()
		if err := s.pages.pages[name].ExecuteTemplate(buf, "layout", v); err != nil {
			return err
		}
		p := s.marks.cut(buf.Bytes())
		if !setsOwnCookie(c) {
			s.pageCache.put(slot.key, slot.version, p)
		}
		return s.sendPage(c, p)
	}
	var buf bytes.Buffer
	if err := s.pages.pages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	return c.HTMLBlob(status, buf.Bytes())
}

// funcs are the helpers templates call; see format.go.
func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"md":         markdown.HTML,
		"inline":     markdown.Inline,
		"highlight":  highlight,
		"dash":       dash,
		"date":       longDate,
		"stamp":      stamp,
		"minutes":    minutes,
		"duration":   duration,
		"status":     statusLabel,
		"statuses":   func() []string { return itemStatuses },
		"static":     s.assets.url,
		"jira":       s.jiraLink,
		"href":       safeHref,
		"age":        func(it postmortem.Item) string { return age(it.Age(s.cfg.Now())) },
		"overdue":    func(it postmortem.Item) bool { return it.Overdue(s.cfg.Now()) },
		"plural":     plural,
		"field":      field,
		"prose":      prose,
		"clock":      func(at string) string { _, c := splitAt(at); return c },
		"clip":       clip,
		"size":       sizeLabel,
		"statusText": http.StatusText,
		"event":      eventText,
		"sevLevel":   sevLevel,
	}
}
