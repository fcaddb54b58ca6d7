package markdown

import (
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// gm is CommonMark without extensions: tables are read from paragraph lines
// by splitRow, because GFM's table model drops surplus cells, and those
// cells carry Jira keys in real documents.
var gm = goldmark.New()

// readMarkdown fills d.blocks from goldmark's AST.
func (d *doc) readMarkdown() {
	d.markdown = true
	source := []byte(d.text)
	if n := d.frontMatter(); n > 0 {
		// Blank the front matter so that goldmark's offsets keep their lines.
		end := 0
		for k := 0; k < n && end < len(source); k++ {
			for end < len(source) && source[end] != '\n' {
				source[end] = ' '
				end++
			}
			end++
		}
	}
	starts := lineStarts(source)
	lineOf := func(off int) int { return searchLine(starts, off) }
	root := gm.Parser().Parse(text.NewReader(source))
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		d.mdBlock(n, source, lineOf, 0)
	}
	d.closeSpans()
}

// mdBlock turns one block node into blocks.
func (d *doc) mdBlock(n ast.Node, source []byte, lineOf func(int) int, depth int) {
	start := nodeStart(n)
	if start < 0 {
		return
	}
	first := lineOf(start)
	switch n := n.(type) {
	case *ast.Heading:
		t := strings.TrimSpace(string(linesText(n.Lines(), source)))
		t = strings.TrimSpace(strings.TrimRight(t, "#"))
		end := lineOf(lastStop(n.Lines()))
		if isSetextUnderline(d.line(end + 1)) {
			end++
		}
		if t == "" {
			return
		}
		d.blocks = append(d.blocks, &block{kind: bHeading, level: n.Level, start: first, end: end, lines: []string{t}})
	case *ast.Paragraph:
		last := lineOf(lastStop(n.Lines()))
		d.paragraph(first, last)
	case *ast.List:
		for li := n.FirstChild(); li != nil; li = li.NextSibling() {
			d.listItem(li, source, lineOf, depth)
		}
	case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock:
		if first <= len(d.lines) && strings.HasPrefix(strings.TrimSpace(d.line(first)), "<!--") && isComment(n, source) {
			return
		}
		d.blocks = append(d.blocks, &block{kind: bCode, start: first, end: first})
	case *ast.ThematicBreak:
		d.blocks = append(d.blocks, &block{kind: bRule, start: first, end: first})
	case *ast.Blockquote:
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			d.mdBlock(c, source, lineOf, depth)
		}
	default:
		d.blocks = append(d.blocks, &block{kind: bPara, start: first, end: first, lines: []string{strings.TrimSpace(d.line(first))}})
	}
}

// paragraph adds a paragraph's lines, cutting runs of pipe rows out as
// tables and bold-only lines that name a section out as pseudo-headings.
func (d *doc) paragraph(first, last int) {
	var para *block
	var table *block
	for ln := first; ln <= last && ln <= len(d.lines); ln++ {
		l := strings.TrimSpace(stripQuote(d.line(ln)))
		if cells, sep, ok := splitRow(l); ok {
			if table == nil {
				table = &block{kind: bTable, start: ln, end: ln}
				d.blocks = append(d.blocks, table)
			}
			table.rows = append(table.rows, row{cells: cells, line: ln, sep: sep})
			table.end = ln
			para = nil
			continue
		}
		table = nil
		if h, ok := pseudoHeading(l); ok {
			d.blocks = append(d.blocks, &block{kind: bHeading, level: 7, start: ln, end: ln, lines: []string{h}})
			para = nil
			continue
		}
		if para == nil {
			para = &block{kind: bPara, start: ln, end: ln}
			d.blocks = append(d.blocks, para)
		}
		para.lines = append(para.lines, strings.TrimRight(l, "\\ "))
		para.end = ln
	}
}

// listItem adds one item and, after it, its nested items one level deeper.
func (d *doc) listItem(li ast.Node, source []byte, lineOf func(int) int, depth int) {
	start := nodeStart(li)
	if start < 0 {
		if c := li.FirstChild(); c != nil {
			start = nodeStart(c)
		}
	}
	if start < 0 {
		return
	}
	first := lineOf(start)
	it := &block{kind: bItem, level: depth, start: first, end: first, task: -1}
	d.blocks = append(d.blocks, it)
	var nested []ast.Node
	stop := first
	for c := li.FirstChild(); c != nil; c = c.NextSibling() {
		if _, ok := c.(*ast.List); ok {
			nested = append(nested, c)
			continue
		}
		if len(nested) > 0 {
			// Content after a nested list belongs to the nested item's span.
			continue
		}
		if s := blockStop(c, source, lineOf); s > stop {
			stop = s
		}
	}
	for ln := first; ln <= stop && ln <= len(d.lines); ln++ {
		l := strings.TrimSpace(stripQuote(d.line(ln)))
		if ln == first {
			l = stripMarker(l)
		}
		it.lines = append(it.lines, l)
	}
	if len(it.lines) > 0 {
		it.lines[0], it.task = stripCheckbox(it.lines[0])
	}
	for _, l := range nested {
		for c := l.FirstChild(); c != nil; c = c.NextSibling() {
			d.listItem(c, source, lineOf, depth+1)
		}
	}
}

// blockStop returns the last source line of a child block of a list item.
func blockStop(n ast.Node, source []byte, lineOf func(int) int) int {
	if n.Type() == ast.TypeBlock {
		if l := n.Lines(); l != nil && l.Len() > 0 {
			last := lineOf(lastStop(l))
			if _, ok := n.(*ast.FencedCodeBlock); ok {
				last++ // the closing fence
			}
			return last
		}
	}
	if s := nodeStart(n); s >= 0 {
		return lineOf(s)
	}
	return 0
}

func nodeStart(n ast.Node) int {
	if n.Type() == ast.TypeBlock {
		if l := n.Lines(); l != nil && l.Len() > 0 {
			if _, ok := n.(*ast.Paragraph); ok {
				return l.At(0).Start
			}
			if _, ok := n.(*ast.Heading); ok {
				return l.At(0).Start
			}
		}
	}
	if p := n.Pos(); p >= 0 {
		return p
	}
	if n.Type() == ast.TypeBlock {
		if l := n.Lines(); l != nil && l.Len() > 0 {
			return l.At(0).Start
		}
	}
	if c := n.FirstChild(); c != nil {
		return nodeStart(c)
	}
	return -1
}

func lastStop(l *text.Segments) int {
	if l == nil || l.Len() == 0 {
		return 0
	}
	s := l.At(l.Len() - 1).Stop
	if s > 0 {
		s--
	}
	return s
}

func linesText(l *text.Segments, source []byte) []byte {
	var out []byte
	for i := 0; i < l.Len(); i++ {
		s := l.At(i)
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, s.Value(source)...)
	}
	return out
}

func isComment(n ast.Node, source []byte) bool {
	h, ok := n.(*ast.HTMLBlock)
	if !ok || h.HTMLBlockType != ast.HTMLBlockType2 {
		return false
	}
	return true
}

// lineStarts returns the offset at which each line begins.
func lineStarts(src []byte) []int {
	starts := []int{0}
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// searchLine returns the 1-based line holding offset off.
func searchLine(starts []int, off int) int {
	lo, hi := 0, len(starts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if starts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1
}

func isSetextUnderline(l string) bool {
	t := strings.TrimSpace(l)
	if t == "" || len(l)-len(strings.TrimLeft(l, " ")) > 3 {
		return false
	}
	return strings.Trim(t, "=") == "" || strings.Trim(t, "-") == ""
}

func stripQuote(l string) string {
	t := strings.TrimLeft(l, " ")
	for strings.HasPrefix(t, ">") {
		t = strings.TrimLeft(t[1:], " ")
	}
	if len(t) != len(strings.TrimLeft(l, " ")) {
		return t
	}
	return l
}

// stripMarker removes a list marker (-, *, +, 1., 1)) from a line.
func stripMarker(l string) string {
	switch {
	case strings.HasPrefix(l, "- "), strings.HasPrefix(l, "* "), strings.HasPrefix(l, "+ "):
		return strings.TrimSpace(l[2:])
	case l == "-" || l == "*" || l == "+":
		return ""
	}
	i := 0
	for i < len(l) && i < 9 && l[i] >= '0' && l[i] <= '9' {
		i++
	}
	if i > 0 && i < len(l) && (l[i] == '.' || l[i] == ')') && (i+1 == len(l) || l[i+1] == ' ') {
		return strings.TrimSpace(l[i+1:])
	}
	return l
}

// stripCheckbox removes a task-list box and says whether it was ticked.
func stripCheckbox(l string) (string, int8) {
	if len(l) >= 3 && l[0] == '[' && l[2] == ']' && (len(l) == 3 || l[3] == ' ') {
		switch l[1] {
		case ' ':
			return strings.TrimSpace(l[3:]), 0
		case 'x', 'X':
			return strings.TrimSpace(l[3:]), 1
		}
	}
	return l, -1
}

// pseudoHeading recognises a paragraph line that is only bold text naming a
// known section, such as **Root cause:** or __Action items__.
func pseudoHeading(l string) (string, bool) {
	if len(l) < 5 {
		return "", false
	}
	var inner string
	switch {
	case strings.HasPrefix(l, "**") && strings.HasSuffix(l, "**"):
		inner = l[2 : len(l)-2]
	case strings.HasPrefix(l, "__") && strings.HasSuffix(l, "__"):
		inner = l[2 : len(l)-2]
	case strings.HasPrefix(l, "**") && strings.HasSuffix(l, "**:"):
		inner = l[2 : len(l)-3]
	default:
		return "", false
	}
	if strings.Contains(inner, "**") {
		return "", false
	}
	inner = strings.TrimSpace(inner)
	if _, ok := lookupSection(inner); !ok {
		return "", false
	}
	return strings.TrimSuffix(inner, ":"), true
}
