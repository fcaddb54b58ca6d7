package markdown

import (
	"strings"
)

// readText fills d.blocks from text flattened from a wiki page: the first
// line is the title, bare lines naming a known section are headings, pipe
// rows are tables, every other line is a block of its own, and blank lines
// are kept because a flattened table prints an empty cell as one.
func (d *doc) readText() {
	n := len(d.lines)
	i := 0
	for i < n && strings.TrimSpace(d.lines[i]) == "" {
		i++
	}
	// A breadcrumb "/" line, then the title printed twice.
	if i < n && strings.TrimSpace(d.lines[i]) == "/" {
		i++
		if i+1 < n && strings.TrimSpace(d.lines[i]) == strings.TrimSpace(d.lines[i+1]) {
			i++
		}
	}
	if i < n {
		t := cleanLine(d.lines[i])
		if _, _, isRow := splitRow(t); !isRow {
			if _, known := lookupSection(t); !known && !isStamped(t) {
				d.title, d.titleLine = t, i+1
				i++
			}
		}
	}
	var table *block
	var prevHeading string
	inHeader := true
	for ; i < n; i++ {
		ln := i + 1
		t := cleanLine(d.lines[i])
		if t == "" {
			table = nil
			d.blocks = append(d.blocks, &block{kind: bBlank, start: ln, end: ln})
			continue
		}
		if strings.Contains(t, "|") {
			joined, used := joinWrappedRow(d.lines, i)
			if cells, sep, ok := splitRow(joined); ok {
				if table == nil {
					table = &block{kind: bTable, start: ln}
					d.blocks = append(d.blocks, table)
				}
				table.rows = append(table.rows, row{cells: cells, line: ln, sep: sep})
				i += used
				table.end = i + 1
				prevHeading = ""
				continue
			}
		}
		table = nil
		if f, known := lookupSection(t); known && len(t) < 80 {
			if !isHeaderKey(f) {
				inHeader = false
			}
			if t != prevHeading {
				d.blocks = append(d.blocks, &block{kind: bHeading, level: 2, start: ln, end: ln, lines: []string{t}})
				prevHeading = t
				continue
			}
		}
		prevHeading = ""
		if inHeader {
			if k, v, ok := gluedKey(t); ok {
				d.blocks = append(d.blocks, &block{kind: bPara, start: ln, end: ln, lines: []string{k + ": " + v}})
				continue
			}
		}
		if label, url, ok := linkLine(t); ok {
			d.addLink(label, url)
			continue
		}
		d.blocks = append(d.blocks, &block{kind: bPara, start: ln, end: ln, lines: []string{t}})
	}
	for _, b := range d.blocks {
		if b.end < b.start {
			b.end = b.start
		}
	}
}

// cleanLine trims a flattened line and drops bullet glyphs in front of it.
func cleanLine(l string) string {
	t := strings.TrimSpace(l)
	for _, p := range []string{"•", "·", "◦", "▪"} {
		if strings.HasPrefix(t, p) {
			t = strings.TrimSpace(t[len(p):])
		}
	}
	return t
}

// joinWrappedRow joins a pipe row wrapped over up to three lines: a line
// with a cell separator that does not end in one, continued by lines until
// one ends in "|". It returns the row and how many extra lines it used.
func joinWrappedRow(lines []string, i int) (string, int) {
	t := strings.TrimSpace(lines[i])
	if strings.HasSuffix(t, "|") || !strings.Contains(t, " | ") {
		return t, 0
	}
	for k := 1; k <= 2 && i+k < len(lines); k++ {
		next := strings.TrimSpace(lines[i+k])
		if next == "" || strings.Count(next, "|") > 1 {
			break
		}
		if strings.HasSuffix(next, "|") {
			parts := []string{t}
			for j := 1; j <= k; j++ {
				parts = append(parts, strings.TrimSpace(lines[i+j]))
			}
			return strings.Join(parts, " "), k
		}
	}
	return t, 0
}

// gluedKey splits a header key glued to its value, such as "StatusDone".
func gluedKey(t string) (key, value string, ok bool) {
	for _, k := range []string{"Date", "Authors", "Author", "Status", "Severity", "Summary", "Impact"} {
		if len(t) > len(k) && strings.HasPrefix(t, k) {
			c := t[len(k)]
			if c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '@' {
				return k, strings.TrimSpace(t[len(k):]), true
			}
		}
	}
	return "", "", false
}

// linkLine recognises a footer line "Label: https://…".
func linkLine(t string) (label, url string, ok bool) {
	i := strings.Index(t, ": http")
	if i <= 0 || i > 40 {
		return "", "", false
	}
	label = strings.TrimSpace(t[:i])
	url = strings.TrimSpace(t[i+2:])
	if strings.ContainsAny(url, " \t") || strings.Count(label, " ") > 4 {
		return "", "", false
	}
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return "", "", false
	}
	return label, url, true
}

// splitRow splits a pipe-table row into cells. It accepts "| a | b |",
// "a | b |" and "a | b", honours "\|" and pipes inside code spans, and
// reports alignment rows such as "|---|:-:|".
func splitRow(l string) (cells []string, sep bool, ok bool) {
	t := strings.TrimSpace(l)
	if !strings.Contains(t, "|") {
		return nil, false, false
	}
	lead := strings.HasPrefix(t, "|")
	trail := strings.HasSuffix(t, "|") && !strings.HasSuffix(t, "\\|")
	if !lead && !trail {
		return nil, false, false
	}
	var cur strings.Builder
	code := false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c == '\\' && i+1 < len(t) && t[i+1] == '|':
			cur.WriteByte('|')
			i++
		case c == '`':
			code = !code
			cur.WriteByte(c)
		case c == '|' && !code:
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	cells = append(cells, strings.TrimSpace(cur.String()))
	if lead && len(cells) > 0 {
		cells = cells[1:]
	}
	if trail && len(cells) > 0 {
		cells = cells[:len(cells)-1]
	}
	if len(cells) == 0 {
		return nil, false, false
	}
	sep = true
	for _, c := range cells {
		if c == "" || strings.Trim(c, "-: ") != "" || !strings.Contains(c, "-") {
			sep = false
			break
		}
	}
	return cells, sep, true
}
