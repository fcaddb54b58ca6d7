package markdown

import (
	"bytes"
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"gopkg.in/yaml.v3"
)

// Render writes p as canonical Markdown that Parse reads back to the same
// structured fields: YAML front matter for the header, one H2 per field,
// the timeline as a table of ISO timestamps, action items as a table, and
// every other section after them in order. Items that Hindsight tracks as
// removed from the document are left out: the output is the document.
func Render(p *postmortem.Postmortem) []byte {
	var b bytes.Buffer
	b.WriteString("---\n")
	fm := frontMatterOf(p)
	out, err := yaml.Marshal(fm)
	if err == nil {
		b.Write(out)
	}
	b.WriteString("---\n\n# ")
	b.WriteString(oneLine(p.Title))
	b.WriteString("\n")
	text := func(h, t string) {
		if strings.TrimSpace(t) == "" {
			return
		}
		b.WriteString("\n## " + h + "\n\n" + strings.TrimSpace(t) + "\n")
	}
	list := func(h string, items []string) {
		if len(items) == 0 {
			return
		}
		b.WriteString("\n## " + h + "\n\n")
		for _, it := range items {
			b.WriteString("- " + oneLine(it) + "\n")
		}
	}
	text("Summary", p.Summary)
	text("Description", p.Description)
	text("Impact", p.Impact)
	text("Trigger", p.Trigger)
	text("Detection", p.Detection)
	text("Resolution", p.Resolution)
	if len(p.Timeline) > 0 {
		b.WriteString("\n## Timeline\n\n| At | Event |\n|---|---|\n")
		for _, e := range p.Timeline {
			b.WriteString("| " + renderAt(e) + " | " + cell(e.Text) + " |\n")
		}
	}
	list("Root causes", p.RootCauses)
	if len(p.ActionItems) > 0 {
		b.WriteString("\n## Action items\n\n| Action item | Owner | Status | Jira | Due |\n|---|---|---|---|---|\n")
		for _, it := range p.ActionItems {
			if it.Tracking != nil && it.Tracking.Removed {
				continue
			}
			keys := it.JiraKeys
			if len(keys) == 0 && it.JiraKey != "" {
				keys = []string{it.JiraKey}
			}
			b.WriteString("| " + cell(it.Text) + " | " + cell(renderOwners(it)) + " | " + statusLabel(it.Status) +
				" | " + strings.Join(keys, ", ") + " | " + cell(it.Due) + " |\n")
		}
	}
	list("Lessons learned", p.LessonsLearned)
	for _, s := range p.Sections {
		b.WriteString("\n## " + oneLine(s.Heading) + "\n")
		if t := strings.TrimSpace(s.Text); t != "" {
			b.WriteString("\n" + t + "\n")
		}
	}
	if len(p.Links) > 0 {
		b.WriteString("\n## Links\n\n")
		for _, l := range p.Links {
			label := strings.NewReplacer("[", "(", "]", ")", "\n", " ").Replace(l.Label)
			b.WriteString("- [" + label + "](" + l.URL + ")\n")
		}
	}
	return b.Bytes()
}

// frontMatterOf returns the header as an ordered YAML mapping.
func frontMatterOf(p *postmortem.Postmortem) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	add := func(k string, v *yaml.Node) {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, v)
	}
	str := func(s string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Value: s, Style: yaml.DoubleQuotedStyle}
	}
	add("title", str(p.Title))
	if p.Date != "" {
		add("date", &yaml.Node{Kind: yaml.ScalarNode, Value: p.Date})
	}
	for _, kv := range [][2]string{{"status", p.Status}, {"severity", p.Severity}, {"timezone", p.Timezone}} {
		if kv[1] != "" {
			add(kv[0], str(kv[1]))
		}
	}
	if len(p.Authors) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, a := range p.Authors {
			seq.Content = append(seq.Content, str(personText(a)))
		}
		add("authors", seq)
	}
	if len(p.Tags) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, t := range p.Tags {
			seq.Content = append(seq.Content, str(t))
		}
		add("tags", seq)
	}
	return m
}

func personText(a postmortem.Person) string {
	if a.Annotation != "" {
		return a.Name + " (" + a.Annotation + ")"
	}
	return a.Name
}

// renderOwners writes owners as @mentions, which split only at "@", so
// names holding "and" or "/" survive.
func renderOwners(it postmortem.ActionItem) string {
	owners := it.Owners
	if len(owners) == 0 && it.Owner != nil {
		owners = []postmortem.Person{*it.Owner}
	}
	var parts []string
	for _, o := range owners {
		parts = append(parts, "@"+personText(o))
	}
	return strings.Join(parts, " ")
}

func statusLabel(s string) string {
	if !postmortem.ValidActionStatus(s) {
		s = postmortem.StatusOpen
	}
	return postmortem.StatusLabel(s)
}

// renderAt writes an entry's time so that stampAt reads it back: the ISO
// time, "~" in front when approximate, " - end" for a range.
func renderAt(e postmortem.TimelineEntry) string {
	if e.At == "" {
		return ""
	}
	s := e.At
	if e.Approximate {
		s = "~" + s
	}
	if e.End != "" {
		s += " - " + e.End
	}
	return s
}

// cell escapes a table cell's pipes and keeps it on one line.
func cell(s string) string {
	return strings.ReplaceAll(oneLine(s), "|", "\\|")
}

func oneLine(s string) string {
	return collapse(s)
}
