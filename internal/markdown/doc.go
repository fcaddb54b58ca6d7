package markdown

import (
	"strings"
	"unicode/utf8"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// blockKind is what a block is, whichever rendering it came from.
type blockKind uint8

const (
	bPara    blockKind = iota // prose: one paragraph, or one line of flattened text
	bHeading                  // a heading, a bare-line heading or a bold pseudo-heading
	bItem                     // one list item, its marker stripped
	bTable                    // pipe rows
	bCode                     // fenced or indented code, or a raw HTML block
	bBlank                    // a blank line in flattened text (an empty table cell there)
	bRule                     // a thematic break
)

// block is the one shape both readers produce. Lines hold the block's text
// without list markers or heading marks; start and end are 1-based source
// lines spanning everything the block covers.
type block struct {
	kind  blockKind
	level int // heading level (7 for pseudo-headings); nesting depth of items
	start int
	end   int
	lines []string
	rows  []row
	task  int8 // list items: -1 no checkbox, 0 unchecked, 1 checked
}

// row is one table row: its cells as written and its source line.
type row struct {
	cells []string
	line  int
	sep   bool // an alignment row such as |---|:-:|
}

// text returns the block's lines joined by single spaces.
func (b *block) text() string {
	switch len(b.lines) {
	case 0:
		return ""
	case 1:
		return strings.TrimSpace(b.lines[0])
	}
	return joinSpace(b.lines)
}

// doc is the state of one parse.
type doc struct {
	name     string
	text     string
	lines    []string // source lines; line n is lines[n-1]
	opts     Options
	p        *postmortem.Postmortem
	markdown bool
	blocks   []*block

	title       string
	titleLine   int
	dates       dateOrder
	fmDate      dateCandidate
	hdrDate     dateCandidate
	titleDate   dateCandidate
	docZone     string // a zone note outside the timeline ("All times BST")
	docZoneLine int
	itemMore    []string // text of nested items not yet joined to the last action item
	lastHeader  *string  // the header text field a wrapped line continues
}

func newDoc(name, text string, opts Options, p *postmortem.Postmortem) *doc {
	d := &doc{name: name, text: text, opts: opts, p: p}
	d.lines = strings.Split(text, "\n")
	d.dates = scanDateOrder(text, opts.DayFirst)
	return d
}

// line returns source line n (1-based), or "".
func (d *doc) line(n int) string {
	if n < 1 || n > len(d.lines) {
		return ""
	}
	return d.lines[n-1]
}

// raw returns source lines from..to inclusive, trimmed of surrounding blank
// lines, joined by newlines.
func (d *doc) raw(from, to int) string {
	if from < 1 {
		from = 1
	}
	if to > len(d.lines) {
		to = len(d.lines)
	}
	for from <= to && strings.TrimSpace(d.lines[from-1]) == "" {
		from++
	}
	for to >= from && strings.TrimSpace(d.lines[to-1]) == "" {
		to--
	}
	if from > to {
		return ""
	}
	return strings.Join(d.lines[from-1:to], "\n")
}

// closeSpans sets each block's end to the line before the next block's
// start (blank lines trimmed), so that blocks cover the whole document.
func (d *doc) closeSpans() {
	for i, b := range d.blocks {
		end := len(d.lines)
		if i+1 < len(d.blocks) {
			end = d.blocks[i+1].start - 1
		}
		if end < b.end {
			end = b.end
		}
		for end > b.start && strings.TrimSpace(d.line(end)) == "" {
			end--
		}
		b.end = end
	}
}

// joinSpace joins trimmed lines with single spaces, skipping empty ones.
func joinSpace(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(l)
	}
	return b.String()
}

// collapse returns s with every run of whitespace turned into one space
// and none at either end. Most text is already so, and is returned as it
// is without allocating.
func collapse(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c >= utf8.RuneSelf ||
			c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' ') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}
