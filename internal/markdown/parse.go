// Package markdown turns a postmortem document, Markdown or text flattened
// from a wiki page, into a postmortem.Postmortem, and renders postmortems
// back to canonical Markdown.
//
// Parsing has three stages. A rendering-specific reader (goldmark's AST for
// Markdown, a line reader for flattened text) turns the source into one list
// of blocks; sections are cut from that list at headings and keyed through a
// synonym table; one extractor per field reads its sections. Every step is
// linear in the input and nothing panics on any input (see the fuzz test).
package markdown

import (
	"bytes"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// Version is the parser's version. The importer re-parses and re-saves
// stored documents whose parser version differs, so bump it whenever the
// output or what the store derives from it (durations) changes.
const Version = 2

// Options configure a parse. The zero value is the documented default.
type Options struct {
	// Timezone is the zone label (UTC, BST, Europe/London…) applied to
	// timeline times when the document names none; empty means no offset.
	Timezone string
	// DayFirst decides numeric dates such as 03/04/2024 when nothing in
	// the document does: "day" or "month"; empty reads day-first and warns.
	DayFirst string
}

// Parse reads one document. name is its file name (used for the format, the
// title and date fallbacks and in messages). A document that cannot be read
// at all (empty, whitespace only, binary) gives a *postmortem.Error with
// Line 1; everything else gives a Postmortem, with warnings for what had to
// be guessed.
func Parse(name string, src []byte, opts Options) (*postmortem.Postmortem, error) {
	if err := readable(src); err != nil {
		return nil, err
	}
	p := &postmortem.Postmortem{}
	text := cleanText(src, p)
	d := newDoc(name, text, opts, p)
	if isMarkdown(name, text) {
		d.readMarkdown()
	} else {
		d.readText()
	}
	d.extract()
	finish(p)
	return p, nil
}

// readable rejects what is not a text document at all.
func readable(src []byte) error {
	head := src
	if len(head) > 8192 {
		head = head[:8192]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return &postmortem.Error{Code: postmortem.EInvalid, Line: 1, Message: "binary data (NUL bytes), not a text document"}
	}
	if len(bytes.TrimSpace(bytes.TrimPrefix(src, []byte("\xef\xbb\xbf")))) == 0 {
		if len(src) == 0 {
			return &postmortem.Error{Code: postmortem.EInvalid, Line: 1, Message: "empty document"}
		}
		return &postmortem.Error{Code: postmortem.EInvalid, Line: 1, Message: "document holds only whitespace"}
	}
	return nil
}

// cleanText returns src as valid UTF-8 with LF line ends, no BOM, and
// non-breaking spaces as plain spaces; each line that held invalid UTF-8
// gets a warning.
func cleanText(src []byte, p *postmortem.Postmortem) string {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	if utf8.Valid(src) && bytes.IndexByte(src, '\r') < 0 && !bytes.Contains(src, []byte("\u00a0")) &&
		!bytes.Contains(src, []byte("\u2028")) && !bytes.Contains(src, []byte("\u2029")) &&
		!bytes.Contains(src, []byte("\u202f")) && !bytes.Contains(src, []byte("\u2007")) {
		return string(src) // the common case: nothing to clean
	}
	var b strings.Builder
	b.Grow(len(src))
	line := 1
	warned := 0
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\r':
				if i+1 < len(src) && src[i+1] == '\n' {
					i++
					continue
				}
				b.WriteByte('\n')
				line++
			case c == '\n':
				b.WriteByte('\n')
				line++
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			if warned != line {
				p.Warnf(line, "invalid UTF-8 replaced with U+FFFD")
				warned = line
			}
			b.WriteRune(utf8.RuneError)
		case r == '\u00a0' || r == '\u202f' || r == '\u2007':
			b.WriteByte(' ')
		case r == '\u2028' || r == '\u2029':
			b.WriteByte('\n')
			line++
		default:
			b.Write(src[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isMarkdown decides the rendering: Markdown files by extension, flattened
// wiki text for .txt unless the text plainly uses Markdown headings.
func isMarkdown(name, text string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".md", ".markdown", ".mdown", ".mkd", ".qmd", ".erb":
		return true
	}
	lines := 0
	for rest := text; rest != "" && lines < 400; lines++ {
		l, next, _ := strings.Cut(rest, "\n")
		rest = next
		t := strings.TrimLeft(l, " ")
		if lines == 0 && (t == "---" || t == "+++") {
			return true
		}
		if strings.HasPrefix(t, "# ") || strings.HasPrefix(t, "## ") || strings.HasPrefix(t, "### ") {
			return true
		}
		if strings.HasPrefix(t, "**") && strings.Contains(t[2:], ":**") {
			return true
		}
		if strings.HasPrefix(t, "| ") && strings.HasSuffix(t, " |") {
			return true
		}
	}
	return false
}

// finish fills the contract's non-null lists and the id.
func finish(p *postmortem.Postmortem) {
	if p.Authors == nil {
		p.Authors = []postmortem.Person{}
	}
	if p.Timeline == nil {
		p.Timeline = []postmortem.TimelineEntry{}
	}
	if p.RootCauses == nil {
		p.RootCauses = []string{}
	}
	if p.ActionItems == nil {
		p.ActionItems = []postmortem.ActionItem{}
	}
	if p.LessonsLearned == nil {
		p.LessonsLearned = []string{}
	}
	if p.Sections == nil {
		p.Sections = []postmortem.Section{}
	}
	if p.Links == nil {
		p.Links = []postmortem.Link{}
	}
	if p.Tags == nil {
		p.Tags = []string{}
	}
	if p.Warnings == nil {
		p.Warnings = []postmortem.Warning{}
	}
	sort.SliceStable(p.Warnings, func(i, j int) bool { return p.Warnings[i].Line < p.Warnings[j].Line })
	p.ID = Slug(p.Date, p.Title)
}
