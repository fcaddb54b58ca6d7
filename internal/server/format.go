package server

import (
	"fmt"
	"html/template"
	"regexp"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/internal/markdown"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// itemStatuses are the statuses an item can be given, in display order.
var itemStatuses = postmortem.ActionStatuses

// highlight turns a search snippet, with « and » around the hits, into
// HTML: the text escaped, the hits in <mark>. Unbalanced marks are closed.
func highlight(s string) template.HTML {
	var b strings.Builder
	open := false
	for _, r := range s {
		switch {
		case r == '«' && !open:
			b.WriteString("<mark>")
			open = true
		case r == '»' && open:
			b.WriteString("</mark>")
			open = false
		case r == '«' || r == '»':
		default:
			b.WriteString(template.HTMLEscapeString(string(r)))
		}
	}
	if open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}

// dash shows an empty field as an en dash so that table cells are never
// blank to a screen reader.
func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "–"
	}
	return s
}

// longDate writes an ISO date as "14 Mar 2024", and anything else as it is.
func longDate(s string) string {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Format("2 Jan 2006")
	}
	return dash(s)
}

// stamp writes an RFC 3339 time as "14 Mar 2024, 10:22 UTC".
func stamp(s string) string {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC().Format("2 Jan 2006, 15:04 UTC")
	}
	return dash(s)
}

// minutes writes a number of minutes for people: "25 min", "3 h 10 min",
// "2 d 4 h"; a negative number means unknown and gives an en dash.
func minutes(m int) string {
	switch {
	case m < 0:
		return "–"
	case m < 60:
		return fmt.Sprintf("%d min", m)
	case m < 48*60 && m%60 == 0:
		return fmt.Sprintf("%d h", m/60)
	case m < 48*60:
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	case m%(24*60) < 60:
		return fmt.Sprintf("%d d", m/(24*60))
	}
	return fmt.Sprintf("%d d %d h", m/(24*60), m%(24*60)/60)
}

// duration writes d as minutes does, and spans under a minute in seconds.
func duration(d time.Duration) string {
	if d > 0 && d < time.Minute {
		return fmt.Sprintf("%d s", int(d.Seconds()))
	}
	return minutes(int(d.Minutes()))
}

// age writes how old something is in the largest unit that fits.
func age(d time.Duration) string {
	days := int(d.Hours() / 24)
	switch {
	case d <= 0:
		return "–"
	case days < 1:
		return "today"
	case days < 14:
		return plural(days, "day")
	case days < 61:
		return plural(days/7, "week")
	case days < 730:
		return plural(days*12/365, "month")
	}
	return plural(days/365, "year")
}

// plural writes "1 item", "2 items".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// statusLabel writes an action item status for people.
func statusLabel(s string) string {
	if postmortem.ValidActionStatus(s) {
		return postmortem.StatusLabel(s)
	}
	return dash(s)
}

// jiraKey is what an issue key looks like; anything else is shown as
// text, never linked.
var jiraKey = regexp.MustCompile(`^[A-Z][A-Z0-9_]*-[1-9][0-9]*$`)

// jiraLink returns the URL of issue key on the configured Jira site, or ""
// when Jira is not configured or key is not an issue key.
func (s *Server) jiraLink(key string) string {
	if s.cfg.JiraURL == "" || !jiraKey.MatchString(key) {
		return ""
	}
	return strings.TrimRight(s.cfg.JiraURL, "/") + "/browse/" + key
}

// safeHref returns u when a page may link to it (http, https, mailto or
// relative), else "".
func safeHref(u string) string {
	if markdown.SafeURL(u) {
		return u
	}
	return ""
}

// formField is one labelled field of a form, for the "input" partial.
type formField struct {
	Name, Label, Value, Error string
	Type, Hint, List          string
	Autocomplete              string
}

// field builds a formField; opts are, in order and all optional, the
// input type (text), a hint, the id of a datalist of suggestions and an
// autocomplete token.
func field(name, label, value string, errs fieldErrors, opts ...string) formField {
	f := formField{Name: name, Label: label, Value: value, Error: errs[name], Type: "text"}
	for i, o := range opts {
		switch {
		case i == 0 && o != "":
			f.Type = o
		case i == 1:
			f.Hint = o
		case i == 2:
			f.List = o
		case i == 3:
			f.Autocomplete = o
		}
	}
	return f
}

// proseField is one text field of a postmortem, for the "prose" partial.
type proseField struct{ ID, Heading, Text string }

func prose(id, heading, text string) proseField { return proseField{id, heading, text} }

// sevLevel reads a severity as a level from 1 (worst) to 4 for its colour,
// "" when it cannot tell: SEV1, P2, Sev 3, critical, major, minor…
func sevLevel(s string) string {
	t := strings.ToLower(strings.TrimSpace(s))
	for _, w := range []struct{ word, level string }{
		{"critical", "1"}, {"high", "2"}, {"major", "2"}, {"medium", "3"}, {"moderate", "3"}, {"low", "4"}, {"minor", "4"},
	} {
		if strings.Contains(t, w.word) {
			return w.level
		}
	}
	if strings.HasPrefix(t, "sev") || strings.HasPrefix(t, "p") || strings.HasPrefix(t, "s") {
		for _, r := range t {
			if r >= '0' && r <= '4' {
				if r == '0' {
					return "1"
				}
				return string(r)
			}
		}
	}
	return ""
}

// eventFields names the fields of item events for people.
var eventFields = map[string]string{
	"status": "status", "owner": "owner", "due": "due date", "note": "note", "text": "text",
	"jira_key": "Jira issue", "jira_status": "Jira status", "jira_assignee": "Jira assignee", "jira_flag": "Jira flag",
}

// eventText says what an item event did, after who did it: "changed the
// status from “Open” to “Done”".
func eventText(ev postmortem.ItemEvent) string {
	switch ev.Field {
	case "created":
		return "added it from the document"
	case "removed":
		return "saw it removed from the document"
	case "restored":
		return "saw it back in the document"
	}
	field, ok := eventFields[ev.Field]
	if !ok {
		field = strings.ReplaceAll(ev.Field, "_", " ")
	}
	old, new := clip(ev.Old, 200), clip(ev.New, 200)
	if ev.Field == "status" {
		old, new = statusLabel(old), statusLabel(new)
	}
	switch {
	case ev.Old == "":
		return fmt.Sprintf("set the %s to “%s”", field, new)
	case ev.New == "":
		return fmt.Sprintf("cleared the %s (was “%s”)", field, old)
	}
	return fmt.Sprintf("changed the %s from “%s” to “%s”", field, old, new)
}
