package markdown

import (
	"path/filepath"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// findTitle picks the title: front matter, the first H1 (or the heading
// after an H1 that only says "Title:"), the first line of a flattened page,
// the first heading, the file name. A leading date is cut off and kept as
// a candidate for the postmortem's date.
func (d *doc) findTitle() {
	if d.markdown {
		var first *block
		for i, b := range d.blocks {
			if b.kind != bHeading || b.level > 6 {
				continue
			}
			if first == nil {
				first = b
			}
			if b.level != 1 {
				continue
			}
			if _, known := lookupSection(b.lines[0]); known {
				break
			}
			if k, _ := normHeading(b.lines[0]); k == "title" {
				for _, n := range d.blocks[i+1:] {
					if n.kind == bHeading {
						b = n
						break
					}
				}
			}
			if d.title == "" {
				d.title = b.lines[0]
			}
			d.titleLine = b.start
			break
		}
		if d.title == "" && first != nil && first.start == d.firstContentLine() {
			if _, known := lookupSection(first.lines[0]); !known {
				d.title, d.titleLine = first.lines[0], first.start
			}
		}
	}
	title := strings.TrimSpace(stripInline(d.title))
	if title == "" {
		base := filepath.Base(d.name)
		base = strings.TrimSuffix(base, filepath.Ext(base))
		if t, _, end, _, ok := findDate(base, d.dates); ok && t.valid() && strings.HasPrefix(base, base[:0]) {
			if rest := strings.Trim(base[end:], "-_ "); rest != "" {
				base = rest
			}
		}
		title = strings.TrimSpace(strings.NewReplacer("-", " ", "_", " ").Replace(base))
		if d.p.Title == "" && title != "" && d.name != "-" {
			d.p.Warnf(1, "no title found; took it from the file name")
		}
	}
	if t, n, _, ok := dateAt(title, d.dates); ok && t.valid() && n < len(title) {
		rest := strings.TrimLeft(title[n:], " ,:;-–—")
		if rest != "" && rest != title[n:] || rest != "" && title[n] == ' ' {
			d.titleDate = dateCandidate{from: "title", text: title[:n], line: max(d.titleLine, 1)}
			title = rest
		}
	}
	if d.p.Title == "" {
		d.p.Title = title
	}
}

// firstContentLine returns the line of the first block.
func (d *doc) firstContentLine() int {
	if len(d.blocks) == 0 {
		return 0
	}
	return d.blocks[0].start
}

// resolveDate sets p.Date from, in order of trust, the front matter, the
// Date field, the title and the file name, warning when the first three
// disagree, and returns it.
func (d *doc) resolveDate() ymd {
	cands := []dateCandidate{d.fmDate, d.hdrDate, d.titleDate}
	base := filepath.Base(d.name)
	if t, s, e, _, ok := findDate(base, dateOrder{dayFirst: true}); ok && t.valid() {
		cands = append(cands, dateCandidate{from: "file name", text: base[s:e], line: 1})
	}
	// A numeric date whose order nothing decided is read to match another
	// candidate when one reading does.
	var ref []ymd
	for _, c := range cands {
		if c.text == "" {
			continue
		}
		if t, _, _, nd, ok := findDate(c.text, d.dates); ok && t.valid() && nd == nil {
			ref = append(ref, t)
		}
	}
	var chosen ymd
	var chosenFrom dateCandidate
	for i, c := range cands {
		if c.text == "" {
			continue
		}
		t, _, _, nd, ok := findDate(c.text, d.dates)
		if !ok || !t.valid() {
			if ok && t.y > 0 && t.m > 0 && t.d == 0 {
				d.p.Warnf(c.line, "the %s gives only a month (%s); no day to date the incident by", c.from, c.text)
			} else if c.from != "file name" {
				d.p.Warnf(c.line, "cannot read the %s %q as a date", c.from, c.text)
			}
			continue
		}
		if nd != nil && !d.dates.decided {
			other, ok2 := nd.read(!d.dates.dayFirst)
			picked := false
			for _, r := range ref {
				if r == t {
					picked = true
				} else if ok2 && r == other {
					t, picked = other, true
				}
			}
			if !picked {
				d.p.Warnf(c.line, "the %s %q could be day-first or month-first; read it day-first (set HINDSIGHT_DATE_ORDER to decide)", c.from, c.text)
			}
		}
		if !chosen.valid() {
			chosen, chosenFrom = t, c
			continue
		}
		if i < 3 && t != chosen {
			d.p.Warnf(c.line, "dates disagree: the %s says %s (line %d) but the %s says %s (line %d); using %s",
				chosenFrom.from, chosen.iso(), chosenFrom.line, c.from, t.iso(), c.line, chosen.iso())
		}
	}
	if chosen.valid() {
		d.p.Date = chosen.iso()
	}
	return chosen
}

// Slug returns the stable id for a postmortem: its date and title in
// lower-case ASCII words joined by dashes.
func Slug(date, title string) string {
	var b strings.Builder
	if date != "" {
		b.WriteString(date)
	}
	words := 0
	dash := b.Len() > 0
	for _, r := range norm.NFD.String(strings.ToLower(title)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'ß':
			if dash {
				b.WriteByte('-')
				dash = false
			}
			b.WriteString("ss")
			continue
		case r == 'ø':
			r = 'o'
		case r == 'ł':
			r = 'l'
		case r == 'æ':
			r = 'a'
		}
		if r < 128 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			if dash {
				if b.Len() >= 90 {
					break
				}
				b.WriteByte('-')
				dash = false
				words++
			}
			b.WriteRune(r)
			continue
		}
		if b.Len() > 0 {
			dash = true
		}
	}
	if b.Len() == 0 {
		return "untitled"
	}
	return strings.Trim(b.String(), "-")
}
