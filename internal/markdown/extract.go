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

// preamble reads the blocks before the first section: header fields in
// any of their renderings, and prose, which it returns as paragraphs.
func (d *doc) preamble(s *section) (prose []string) {
	var cur []string // lines of the paragraph being read
	flush := func() {
		if t := strings.TrimSpace(strings.Join(cur, "\n")); t != "" {
			prose = append(prose, t)
		}
		cur = cur[:0]
	}
	for _, b := range s.blocks {
		switch b.kind {
		case bPara:
			d.lastHeader = nil
			for k, l := range b.lines {
				if d.headerLine(l, b.start+k) {
					continue
				}
				if d.markdown && d.lastHeader != nil && *d.lastHeader != "" {
					// A header value wrapped onto the next line of its paragraph.
					*d.lastHeader += " " + strings.TrimSpace(l)
					continue
				}
				cur = append(cur, strings.TrimSpace(l))
			}
			d.lastHeader = nil
			if d.markdown {
				flush()
			}
		case bItem:
			flush()
			if !d.headerLine(b.text(), b.start) {
				prose = append(prose, "- "+b.text())
			}
		case bTable:
			flush()
			for _, r := range b.rows {
				if r.sep || len(r.cells) == 0 {
					continue
				}
				key := r.cells[0]
				val := joinCells(r.cells[1:])
				if f, ok := lookupSection(key); ok {
					d.header(f, key, val, r.line)
					continue
				}
				prose = append(prose, joinCells(r.cells))
			}
		case bCode:
			flush()
			prose = append(prose, d.raw(b.start, b.end))
		case bBlank:
			flush()
		}
	}
	flush()
	return prose
}

// headerLine reads "Key: value" in its renderings (**Key:** value, - **Key**: value)
// and zone notes; it reports whether the line was used.
func (d *doc) headerLine(l string, ln int) bool {
	t := strings.TrimSpace(stripMarker(strings.TrimSpace(l)))
	if label, url, ok := linkLine(stripInline(t)); ok {
		d.addLink(label, url)
		return !d.markdown
	}
	i := strings.IndexByte(t, ':')
	if i <= 0 || i > 60 {
		if label, ok := zoneNote(t); ok && strings.Contains(strings.ToLower(t), "time") {
			d.docZone, d.docZoneLine = label, ln
			return true
		}
		return false
	}
	key := strings.TrimSpace(stripInline(t[:i]))
	val := strings.TrimSpace(t[i+1:])
	val = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(val, "**"), "__"))
	f, ok := lookupSection(key)
	if !ok {
		if label, ok := zoneNote(t); ok && strings.Contains(strings.ToLower(t), "time") {
			d.docZone, d.docZoneLine = label, ln
			return true
		}
		if val == "" || key == "" || strings.Count(key, " ") > 3 || !(key[0] >= 'A' && key[0] <= 'Z') || strings.ContainsAny(key, "()[]/") {
			return false
		}
		d.p.Sections = append(d.p.Sections, postmortem.Section{Heading: key, Text: val})
		return true
	}
	d.header(f, key, val, ln)
	return true
}

// header sets one header field.
func (d *doc) header(f field, key, v string, ln int) {
	p := d.p
	v = strings.TrimSpace(v)
	d.lastHeader = nil
	switch f {
	case fDate:
		if d.hdrDate.text == "" && v != "" {
			d.hdrDate = dateCandidate{from: "Date field", text: v, line: ln}
		}
	case fAuthors:
		if len(p.Authors) == 0 {
			ps, unsplit := people(v)
			p.Authors = ps
			if unsplit {
				p.Warnf(ln, "authors %q may be several people with no separator; kept as one", v)
			}
		}
	case fStatus:
		if p.Status == "" {
			p.Status = v
		}
	case fSeverity:
		if p.Severity == "" {
			p.Severity = v
		}
	case fTags:
		for _, t := range strings.Split(strings.Trim(v, "[]"), ",") {
			if t = strings.Trim(strings.TrimSpace(t), "\"'#"); t != "" {
				p.Tags = append(p.Tags, t)
			}
		}
	case fTimezone:
		if p.Timezone == "" {
			p.Timezone = v
		}
	case fSummary:
		if p.Summary == "" {
			p.Summary = v
			d.lastHeader = &p.Summary
		}
	case fImpact:
		if p.Impact == "" {
			p.Impact = v
			d.lastHeader = &p.Impact
		}
	case fDescription:
		if p.Description == "" {
			p.Description = v
			d.lastHeader = &p.Description
		}
	case fTrigger:
		if p.Trigger == "" {
			p.Trigger = v
			d.lastHeader = &p.Trigger
		}
	case fDetection, fDetectionTimeline:
		if p.Detection == "" {
			p.Detection = v
		}
	case fResolution:
		if p.Resolution == "" {
			p.Resolution = v
			d.lastHeader = &p.Resolution
		}
	case fRootCauses:
		if v != "" {
			p.RootCauses = append(p.RootCauses, v)
		}
	case fLessons:
		if v != "" {
			p.LessonsLearned = append(p.LessonsLearned, v)
		}
	case fActions:
		if v != "" {
			d.actionFromText(v, ln, -1)
		}
	default:
		if v != "" {
			p.Sections = append(p.Sections, postmortem.Section{Heading: key, Text: v})
		}
	}
}
