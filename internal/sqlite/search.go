package sqlite

import (
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// searchText is a postmortem's text as the columns of postmortem_search
// hold it.
type searchText struct {
	title, summary, sections, timeline, actions string
}

// searchFields gathers what full-text search should find a document by:
// the narrative fields and free sections under "sections", timeline entry
// texts under "timeline", and action item texts, owners and Jira keys
// under "actions".
func searchFields(p *postmortem.Postmortem) searchText {
	var sections []string
	sections = append(sections, p.Impact, p.Description, p.Trigger, p.Detection, p.Resolution)
	sections = append(sections, p.RootCauses...)
	sections = append(sections, p.LessonsLearned...)
	for _, s := range p.Sections {
		sections = append(sections, s.Heading, s.Text)
	}
	sections = append(sections, p.Tags...)
	for _, a := range p.Authors {
		sections = append(sections, a.Name)
	}

	timeline := make([]string, 0, len(p.Timeline))
	for _, e := range p.Timeline {
		timeline = append(timeline, e.Text)
	}

	var actions []string
	for _, it := range p.ActionItems {
		actions = append(actions, it.Text)
		if it.Owner != nil {
			actions = append(actions, it.Owner.Name)
		}
		if it.JiraKey != "" {
			actions = append(actions, it.JiraKey)
		}
	}
	return searchText{
		title:    p.Title,
		summary:  p.Summary,
		sections: joinNonEmpty(sections),
		timeline: joinNonEmpty(timeline),
		actions:  joinNonEmpty(actions),
	}
}

func joinNonEmpty(parts []string) string {
	var b strings.Builder
	for _, s := range parts {
		if s == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(s)
	}
	return b.String()
}

// ftsQuery turns what a person typed into an FTS5 query that cannot be a
// syntax error: every whitespace-separated term becomes a quoted string
// (its own quotes doubled), and the terms must all match. A term ending in
// * keeps it as a prefix search. It returns "" when nothing searchable is
// left.
func ftsQuery(input string) string {
	var terms []string
	for _, t := range strings.Fields(input) {
		prefix := strings.HasSuffix(t, "*")
		t = strings.TrimRight(t, "*")
		if !strings.ContainsFunc(t, isWordRune) {
			continue
		}
		q := `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		if prefix {
			q += "*"
		}
		terms = append(terms, q)
	}
	return strings.Join(terms, " ")
}
