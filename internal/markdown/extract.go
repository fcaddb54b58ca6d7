package markdown

import (
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// dateCandidate is one place the document states its date.
type dateCandidate struct {
	from string // "front matter", "Date field", "title", "file name"
	text string
	line int
}

// extract cuts sections and fills the postmortem's fields from them.
func (d *doc) extract() {
	p := d.p
	d.findTitle()
	pre, secs := d.cut()
	var prose []string
	prose = append(prose, d.preamble(pre)...)
	// Header values written as their own sections come first: the date must
	// be known before the timeline is read.
	for _, s := range secs {
		if isHeaderKey(s.field) {
			v := s.value
			if v == "" {
				v = firstText(s.blocks)
			}
			d.header(s.field, s.heading, v, s.line)
		}
	}
	docDate := d.resolveDate()
	tl := newTimeline(d, docDate)
	if p.Timezone != "" {
		tl.zone = p.Timezone
	}
	if d.docZone != "" {
		tl.setZone(d.docZone, d.docZoneLine)
	}
	seen := map[field]*section{}
	for _, s := range secs {
		if isHeaderKey(s.field) {
			if rest := d.afterValue(s); rest != "" {
				p.Sections = append(p.Sections, postmortem.Section{Heading: s.heading, Text: rest})
			}
			continue
		}
		if s.field > fKept {
			if first, dup := seen[s.field]; dup && s.field != fLinks {
				p.Warnf(s.line, "a second %q section (the first is at line %d): this file may hold more than one incident; only the first is read into fields, the rest is kept in sections", s.heading, first.line)
				p.Sections = append(p.Sections, postmortem.Section{Heading: s.heading, Text: d.sectionText(s)})
				continue
			}
			seen[s.field] = s
		}
		switch s.field {
		case fSummary:
			p.Summary = d.sectionText(s)
		case fDescription:
			p.Description = d.sectionText(s)
		case fImpact:
			p.Impact = d.sectionText(s)
		case fTrigger:
			p.Trigger = d.sectionText(s)
		case fDetection:
			p.Detection = d.sectionText(s)
		case fResolution:
			p.Resolution = d.sectionText(s)
		case fTimeline, fDetectionTimeline:
			tl.notes = nil
			tl.section(s)
			if len(tl.notes) > 0 {
				notes := strings.Join(tl.notes, "\n\n")
				if s.field == fDetectionTimeline {
					p.Detection = notes
				} else {
					p.Sections = append(p.Sections, postmortem.Section{Heading: "Notes on the timeline", Text: notes})
				}
			}
		case fRootCauses:
			p.RootCauses = append(p.RootCauses, d.listItems(s)...)
		case fLessons:
			p.LessonsLearned = append(p.LessonsLearned, d.listItems(s)...)
		case fActions:
			if notes := d.actions(s); len(notes) > 0 {
				p.Sections = append(p.Sections, postmortem.Section{Heading: "Notes on the action items", Text: strings.Join(notes, "\n\n")})
			}
		case fLinks:
			d.linkSection(s)
		default:
			p.Sections = append(p.Sections, postmortem.Section{Heading: s.heading, Text: d.sectionText(s)})
		}
	}
	if p.Date == "" {
		for _, e := range p.Timeline {
			if len(e.At) >= 10 {
				p.Date = e.At[:10]
				break
			}
		}
	}
	if len(prose) > 0 {
		text := strings.Join(prose, "\n\n")
		switch {
		case p.Summary == "":
			p.Summary = text
		case p.Description == "":
			p.Description = text
		default:
			p.Sections = append([]postmortem.Section{{Heading: "Introduction", Text: text}}, p.Sections...)
		}
	}
	d.inlineLinks()
}

// firstText returns the first non-empty text among blocks.
func firstText(bs []*block) string {
	for _, b := range bs {
		switch b.kind {
		case bPara, bItem:
			if t := b.text(); t != "" {
				return t
			}
		}
	}
	return ""
}

// afterValue returns what a header-key section holds beyond its value.
func (d *doc) afterValue(s *section) string {
	if s.value != "" || len(s.blocks) == 0 {
		return d.sectionText(s)
	}
	skipped := false
	var rest []*block
	for _, b := range s.blocks {
		if !skipped && (b.kind == bPara || b.kind == bItem) && b.text() != "" {
			skipped = true
			continue
		}
		if skipped {
			rest = append(rest, b)
		}
	}
	if len(rest) == 0 {
		return ""
	}
	return d.sectionText(&section{blocks: rest})
}

// sectionText returns a section's text: the Markdown source as written, or
// the flattened lines of a wiki page.
func (d *doc) sectionText(s *section) string {
	if len(s.blocks) == 0 {
		return ""
	}
	if d.markdown {
		return d.raw(s.blocks[0].start, s.blocks[len(s.blocks)-1].end)
	}
	var lines []string
	for _, b := range s.blocks {
		switch b.kind {
		case bBlank:
			lines = append(lines, "")
		case bTable:
			for _, r := range b.rows {
				lines = append(lines, strings.Join(r.cells, " | "))
			}
		default:
			lines = append(lines, b.lines...)
		}
	}
	return strings.TrimSpace(squeezeBlank(strings.Join(lines, "\n")))
}

func squeezeBlank(s string) string {
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	return s
}

// listItems reads a section of root causes or lessons: one per list item,
// paragraph or (flattened text) sentence.
func (d *doc) listItems(s *section) []string {
	var parts [][]string
	appendLast := func(t string) {
		if len(parts) == 0 {
			parts = append(parts, nil)
		}
		parts[len(parts)-1] = append(parts[len(parts)-1], t)
	}
	lastOf := func() string {
		p := parts[len(parts)-1]
		return p[len(p)-1]
	}
	for _, b := range s.blocks {
		switch b.kind {
		case bItem:
			if b.level > 0 {
				appendLast(b.text())
				continue
			}
			parts = append(parts, []string{b.text()})
		case bPara:
			t := collapse(b.text())
			if t == "" {
				continue
			}
			if !d.markdown && len(parts) > 0 && continues(lastOf(), t) {
				appendLast(t)
				continue
			}
			parts = append(parts, []string{t})
		case bTable:
			rows := b.rows
			if len(rows) > 1 && rows[1].sep {
				rows = rows[2:]
			}
			for _, r := range rows {
				if !r.sep {
					if t := joinCells(r.cells); t != "" {
						parts = append(parts, []string{t})
					}
				}
			}
		case bCode:
			appendLast(d.raw(b.start, b.end))
		}
	}
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		out = append(out, collapse(strings.Join(p, " ")))
	}
	return out
}
