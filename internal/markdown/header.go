package markdown

import (
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

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
	case fStatus, fSeverity, fTimezone:
		if dst := d.textField(f); *dst == "" {
			*dst = v
		}
	case fTags:
		for _, t := range strings.Split(strings.Trim(v, "[]"), ",") {
			if t = strings.Trim(strings.TrimSpace(t), "\"'#"); t != "" {
				p.Tags = append(p.Tags, t)
			}
		}
	case fSummary, fImpact, fDescription, fTrigger, fDetection, fDetectionTimeline, fResolution:
		if dst := d.textField(f); *dst == "" {
			*dst = v
			// A value wrapped onto the next line continues it.
			d.lastHeader = dst
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

// textField returns the postmortem's string field that a header key fills.
func (d *doc) textField(f field) *string {
	p := d.p
	switch f {
	case fStatus:
		return &p.Status
	case fSeverity:
		return &p.Severity
	case fTimezone:
		return &p.Timezone
	case fSummary:
		return &p.Summary
	case fImpact:
		return &p.Impact
	case fDescription:
		return &p.Description
	case fTrigger:
		return &p.Trigger
	case fDetection, fDetectionTimeline:
		return &p.Detection
	case fResolution:
		return &p.Resolution
	}
	return new(string) // not reached: callers pass only the keys above
}
