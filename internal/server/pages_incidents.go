package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/labstack/echo/v4"
)

// incidentPageSize is how many incidents one page of the list shows.
const incidentPageSize = 50

// incidentsPage is the data of the incident list.
type incidentsPage struct {
	Filter    postmortem.IncidentFilter
	Incidents []postmortem.Incident
	Facets    Facets
	Filtered  bool   // some filter or search is set
	Narrowed  int    // how many filters besides the search are set
	Older     string // URL of the next page, "" on the last
	Newest    string // URL of the first page, when this is a later one
	CanImport bool
}

// handleIncidentIndex lists postmortems, newest first, searched and
// filtered by the query string, one page at a time.
func (s *Server) handleIncidentIndex(c echo.Context) error {
	q := c.QueryParams()
	f := postmortem.IncidentFilter{
		Query:    strings.TrimSpace(q.Get("q")),
		Status:   q.Get("status"),
		Severity: q.Get("severity"),
		Tag:      q.Get("tag"),
		Owner:    q.Get("owner"),
		HasOpen:  q.Get("open") != "",
		After:    q.Get("after"),
		Limit:    incidentPageSize,
	}
	f.Year, _ = strconv.Atoi(q.Get("year"))
	ctx := c.Request().Context()
	list, next, err := s.store.ListIncidents(ctx, f)
	if err != nil {
		return err
	}
	facets, err := s.store.Facets(ctx)
	if err != nil {
		return err
	}
	p := incidentsPage{Filter: f, Incidents: list, Facets: facets, CanImport: s.cfg.Import != nil}
	v := incidentQuery(f)
	p.Filtered = len(v) > 0
	p.Narrowed = len(v)
	if v.Has("q") {
		p.Narrowed--
	}
	if next != "" {
		p.Older = withQuery("/", v, "after", next)
	}
	if f.After != "" {
		p.Newest = withQuery("/", v)
	}
	return s.render(c, http.StatusOK, "incidents.html", "incidents", p)
}

// incidentQuery is f as a query string, without the cursor: what a shared
// link to this search holds.
func incidentQuery(f postmortem.IncidentFilter) url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("q", f.Query)
	if f.Year != 0 {
		set("year", strconv.Itoa(f.Year))
	}
	set("status", f.Status)
	set("severity", f.Severity)
	set("tag", f.Tag)
	set("owner", f.Owner)
	if f.HasOpen {
		set("open", "1")
	}
	return v
}

// withQuery returns path with the query v and the extra key-value pairs
// that are not empty, leaving v as it was.
func withQuery(path string, v url.Values, kv ...string) string {
	q := url.Values{}
	for k, vals := range v {
		q[k] = vals
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// incidentPage is the data of one incident's page.
type incidentPage struct {
	P         *postmortem.Postmortem
	Timeline  []timelineRow
	Durations postmortem.Durations
	Items     []itemView
	Path      string // this page, for edit forms to come back to
}

// itemView is an action item with what the pages show beside it.
type itemView struct {
	*postmortem.Item
	JiraKeys []string
	History  []postmortem.ItemEvent
}

// handleIncidentView shows one postmortem with its derived durations and
// its tracked action items.
func (s *Server) handleIncidentView(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := s.store.Get(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	items, err := s.store.ItemsOf(ctx, p.ID)
	if err != nil {
		return err
	}
	page := incidentPage{P: p, Durations: postmortem.Derive(p), Path: "/incidents/" + url.PathEscape(p.ID)}
	page.Timeline = timeline(p, page.Durations)
	history, err := s.store.HistoryOf(ctx, p.ID)
	if err != nil {
		return err
	}
	for i := range items {
		it := itemView{Item: &items[i], JiraKeys: jiraKeys(&items[i], p)}
		it.History = history[it.ID]
		if it.History == nil {
			it.History = []postmortem.ItemEvent{}
		}
		page.Items = append(page.Items, it)
	}
	return s.render(c, http.StatusOK, "incident.html", "incidents", page)
}

// handleIncidentSource answers the document exactly as it was imported, as
// plain text that no browser may sniff into anything else.
func (s *Server) handleIncidentSource(c echo.Context) error {
	_, text, err := s.store.SourceText(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(text))
}

// jiraKeys returns every issue key of an item: the tracked one first, then
// the others its document line names.
func jiraKeys(it *postmortem.Item, p *postmortem.Postmortem) []string {
	var keys []string
	add := func(k string) {
		for _, have := range keys {
			if have == k {
				return
			}
		}
		if k != "" {
			keys = append(keys, k)
		}
	}
	add(it.JiraKey)
	for _, a := range p.ActionItems {
		if a.Tracking != nil && a.Tracking.ID == it.ID {
			add(a.JiraKey)
			for _, k := range a.JiraKeys {
				add(k)
			}
		}
	}
	return keys
}

// timelineRow is one timeline entry as the page lists it.
type timelineRow struct {
	postmortem.TimelineEntry
	Date  string   // the entry's date when it differs from the one before
	Clock string   // "09:12" as written, "" for entries without a time
	Gap   string   // time since the previous entry with a time: "25 min"
	Span  string   // length of a range entry
	Marks []string // which derived points this entry is
}

// timeline prepares p's entries for display: the date only where it
// changes, the gap since the entry before, and the marks Derive chose.
func timeline(p *postmortem.Postmortem, d postmortem.Durations) []timelineRow {
	rows := make([]timelineRow, len(p.Timeline))
	var lastDate string
	var prev time.Time
	for i := range p.Timeline {
		e := &p.Timeline[i]
		r := timelineRow{TimelineEntry: *e}
		date, clock := splitAt(e.At)
		if date != "" && date != lastDate {
			r.Date, lastDate = longDate(date), date
		}
		r.Clock = clock
		if t, ok := postmortem.ParseAt(e.At); ok && clock != "" {
			if !prev.IsZero() && t.After(prev) {
				r.Gap = duration(t.Sub(prev))
			}
			prev = t
		}
		r.Span = span(clock, e.End)
		for _, m := range []struct {
			e    *postmortem.TimelineEntry
			name string
		}{{d.Start, "start"}, {d.Detected, "detected"}, {d.Resolved, "resolved"}} {
			if m.e == e {
				r.Marks = append(r.Marks, m.name)
			}
		}
		rows[i] = r
	}
	return rows
}

// splitAt splits an entry's ISO time into its date and its clock time as
// written, without the offset.
func splitAt(at string) (date, clock string) {
	if len(at) < 10 {
		return "", ""
	}
	date = at[:10]
	if len(at) > 11 && at[10] == 'T' {
		clock = at[11:]
		if i := strings.IndexAny(clock, "Z+-"); i >= 0 {
			clock = clock[:i]
		}
	}
	return date, clock
}

// span is the length of a range from clock to end, both "15:04" or
// "15:04:05"; a range past midnight ends the next day.
func span(clock, end string) string {
	if clock == "" || end == "" {
		return ""
	}
	from, ok1 := parseClock(clock)
	to, ok2 := parseClock(end)
	if !ok1 || !ok2 {
		return ""
	}
	if to < from {
		to += 24 * time.Hour
	}
	return duration(to - from)
}

func parseClock(s string) (time.Duration, bool) {
	for _, layout := range []string{"15:04:05", "15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second, true
		}
	}
	return 0, false
}
