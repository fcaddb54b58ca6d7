package markdown

import (
	"fmt"
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// timeline reads entries out of timeline sections, carrying dates forward,
// rolling over midnight and applying zone notes.
type timeline struct {
	d       *doc
	docDate ymd      // the postmortem's date, the last fallback for undated times
	defDate ymd      // "all times on <date>" from the document
	zone    string   // the zone note in force
	cur     ymd      // the date of the entry before
	prev    int      // minutes since cur's midnight of the entry before, -1 if none
	last    int      // index of the entry that continuation text joins, -1 if none
	more    []string // continuation text not yet joined to the last entry
	notes   []string // prose that is no entry (kept by the caller)
	warned  map[string]bool
}

func newTimeline(d *doc, docDate ymd) *timeline {
	return &timeline{d: d, docDate: docDate, prev: -1, last: -1, warned: map[string]bool{}}
}

// section reads one timeline section's blocks. note is the heading's
// bracketed note, which may name the zone.
func (t *timeline) section(s *section) {
	if label, ok := zoneNote(s.note); ok {
		t.setZone(label, s.line)
	}
	for _, b := range s.blocks {
		switch b.kind {
		case bPara:
			for k, l := range b.lines {
				t.line(l, b.start+k, b.kind)
			}
		case bItem:
			t.item(b)
		case bHeading:
			t.heading(b)
		case bTable:
			t.table(b)
		case bCode:
			t.cont(t.d.raw(b.start, b.end))
		}
	}
	t.flush()
}

// flush joins pending continuation text to the last entry; joining once
// keeps long entries linear.
func (t *timeline) flush() {
	if t.last < 0 || len(t.more) == 0 {
		t.more = t.more[:0]
		return
	}
	e := &t.d.p.Timeline[t.last]
	if e.Text != "" {
		t.more = append([]string{e.Text}, t.more...)
	}
	e.Text = strings.Join(t.more, " ")
	t.more = t.more[:0]
}

func (t *timeline) setZone(label string, line int) {
	t.zone = label
	if t.d.p.Timezone == "" {
		t.d.p.Timezone = label
	}
	if ambiguousZones[label] {
		t.d.p.Warnf(line, "time zone %q is ambiguous; times get no offset", label)
	}
}

// line reads one line of prose: a zone or date note, one or more entries
// (a rendering may have glued an entry to the end of the line before), or
// the continuation of the entry before.
func (t *timeline) line(l string, ln int, kind blockKind) {
	l = strings.TrimSpace(l)
	if l == "" {
		return
	}
	if t.note(l, ln) {
		return
	}
	for _, part := range splitGlued(l, t.d.dates) {
		st, rest, ok := stampAt(part, t.d.dates)
		if ok {
			t.add(st, rest, part, ln)
			continue
		}
		t.cont(part)
	}
}

// note handles "All times UTC" and "All times on 2019-10-21 unless noted".
func (t *timeline) note(l string, ln int) bool {
	lower := strings.ToLower(l)
	if !strings.Contains(lower, "time") || len(l) > 160 {
		return false
	}
	if isStamped(l) {
		return false
	}
	used := false
	if i := strings.Index(lower, " on "); i >= 0 && strings.Contains(lower, "all times") {
		if dt, _, _, _, ok := findDate(l[i+4:], t.d.dates); ok && dt.valid() {
			t.defDate, t.cur, t.prev = dt, dt, -1
			used = true
		}
	}
	if label, ok := zoneNote(l); ok {
		t.setZone(label, ln)
		used = true
	}
	return used
}

func (t *timeline) item(b *block) {
	text := b.text()
	if b.level > 0 && t.last >= 0 {
		if st, rest, ok := stampAt(text, t.d.dates); ok && (st.hasTime || st.placeholder != "") {
			t.add(st, rest, text, b.start)
			return
		}
		t.cont(text)
		return
	}
	if t.note(text, b.start) {
		return
	}
	if st, rest, ok := stampAt(text, t.d.dates); ok {
		t.add(st, rest, text, b.start)
		return
	}
	t.d.p.Warnf(b.start, "timeline entry has no time")
	t.push(postmortem.TimelineEntry{Text: collapse(text), Line: b.start})
}

// heading reads an entry heading ("### 05:10") or a date heading that
// groups the entries under it ("### 2024-01-17").
func (t *timeline) heading(b *block) {
	h := b.lines[0]
	st, rest, ok := stampAt(h, t.d.dates)
	if !ok {
		t.flush()
		t.last = -1
		t.notes = append(t.notes, h)
		return
	}
	if !st.hasTime && st.placeholder == "" && rest == "" {
		t.flush()
		t.cur, t.prev, t.last = t.resolveDate(st, b.start), -1, -1
		return
	}
	t.add(st, rest, h, b.start)
}

// table reads a | time | event | table; a "Time (UTC)" header names the zone.
func (t *timeline) table(b *block) {
	rows := b.rows
	if len(rows) > 1 && rows[1].sep {
		for _, c := range rows[0].cells {
			if label, ok := zoneNote(c); ok {
				t.setZone(label, rows[0].line)
			} else if _, note := normHeading(c); note != "" {
				if label, ok := zoneNote(note); ok {
					t.setZone(label, rows[0].line)
				}
			}
		}
		rows = rows[2:]
	}
	for _, r := range rows {
		if r.sep {
			continue
		}
		cells := r.cells
		if len(cells) > 1 {
			if _, n := digits(cells[0], 4); n > 0 && n == len(cells[0]) {
				cells = cells[1:] // a row number
			}
		}
		if len(cells) > 1 && cells[0] == "" {
			// An entry whose time was not written (as export writes it).
			t.push(postmortem.TimelineEntry{Text: collapse(joinCells(cells[1:])), Line: r.line})
			continue
		}
		text := joinCells(cells)
		if st, rest, ok := stampAt(text, t.d.dates); ok {
			t.add(st, rest, text, r.line)
			continue
		}
		t.cont(text)
	}
}

func joinCells(cells []string) string {
	var parts []string
	for _, c := range cells {
		if c = strings.TrimSpace(c); c != "" {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, " | ")
}

// cont appends text to the entry before, or keeps it as a note.
func (t *timeline) cont(text string) {
	text = collapse(text)
	if text == "" {
		return
	}
	if t.last < 0 {
		t.notes = append(t.notes, text)
		return
	}
	t.more = append(t.more, text)
}

// resolveDate completes a stamp's date: a missing year from the entry
// before or the postmortem; an open day/month order decided or warned.
func (t *timeline) resolveDate(st stamp, ln int) ymd {
	dt := st.date
	if st.numeric != nil && !t.d.dates.decided && !t.warned["order"] {
		t.warned["order"] = true
		t.d.p.Warnf(ln, "numeric date read day-first; set HINDSIGHT_DATE_ORDER=month if that is wrong")
	}
	if dt.y == 0 {
		switch {
		case t.cur.y > 0:
			dt.y = t.cur.y
		case t.docDate.y > 0:
			dt.y = t.docDate.y
		}
	}
	return dt
}

// add appends one entry.
func (t *timeline) add(st stamp, rest, written string, ln int) {
	e := postmortem.TimelineEntry{Text: collapse(rest), Line: ln}
	var dt ymd
	carried := false
	switch {
	case st.hasDate:
		dt = t.resolveDate(st, ln)
	case t.defDate.valid():
		dt, carried = t.defDate, true
		if t.cur.valid() {
			dt = t.cur
		}
	case t.cur.valid():
		dt, carried = t.cur, true
	case t.docDate.valid():
		dt, carried = t.docDate, true
	}
	if !dt.valid() {
		e.Text = collapse(written)
		t.d.p.Warnf(ln, "timeline entry has no date to go with its time")
		t.push(e)
		return
	}
	if !st.hasTime {
		e.At = dt.iso()
		if st.placeholder != "" {
			e.Text = collapse(st.placeholder + " " + rest)
			t.d.p.Warnf(ln, "timeline time %q cannot be read; kept the date only", st.placeholder)
		}
		t.cur, t.prev = dt, -1
		t.push(e)
		return
	}
	mins := st.h*60 + st.m
	if carried && t.prev >= 0 && mins < t.prev {
		if t.prev-mins > 12*60 {
			dt = dt.next()
		} else {
			t.d.p.Warnf(ln, "timeline entry at %02d:%02d is earlier than the one before it", st.h, st.m)
		}
	}
	t.cur, t.prev = dt, mins
	clock := clock{h: st.h, m: st.m, s: st.s, hasSec: st.hasSec}
	e.At = dt.iso() + "T" + clock.String() + t.offset(st, dt, ln)
	if st.end != "" {
		e.End = st.end
	}
	if st.approx {
		e.Approximate = true
	}
	t.push(e)
}

func (t *timeline) push(e postmortem.TimelineEntry) {
	t.flush()
	t.d.p.Timeline = append(t.d.p.Timeline, e)
	t.last = len(t.d.p.Timeline) - 1
}

// offset returns the ISO offset for an entry: its own zone, else the note
// in force, else the configured zone.
func (t *timeline) offset(st stamp, dt ymd, ln int) string {
	label := st.zone
	if label == "" {
		label = t.zone
	}
	if label == "" {
		label = t.d.opts.Timezone
	}
	if label == "" {
		return ""
	}
	off, ok := offsetFor(label, dt, st.h, st.m)
	if !ok {
		if !t.warned["zone:"+label] {
			t.warned["zone:"+label] = true
			t.d.p.Warnf(ln, "unknown time zone %q; times get no offset", label)
		}
		return ""
	}
	if seasonMismatch(label, dt) && !t.warned["season:"+label] {
		t.warned["season:"+label] = true
		t.d.p.Warnf(ln, "time zone %s does not fit the season of %s; kept as written", label, dt.iso())
	}
	return off
}

// splitGlued cuts a line where a rendering glued the next entry's date and
// time onto the end of the text before ("…a file.Mar 18, 2021: 16:22 …").
func splitGlued(l string, order dateOrder) []string {
	var parts []string
	from := 0
	for i := 1; i < len(l); i++ {
		c := l[i]
		if !(c >= 'A' && c <= 'Z' || isDigit(c)) {
			continue
		}
		p := l[i-1]
		if isLetter(p) || isDigit(p) || p == '/' || p == '-' || p == ':' || p == '.' && isDigit(c) {
			continue
		}
		if p == ' ' && !(i >= 2 && strings.ContainsRune(".!?", rune(l[i-2]))) {
			continue
		}
		st, _, ok := stampAt(l[i:], order)
		if !ok || !st.hasDate || !st.hasTime {
			continue
		}
		parts = append(parts, strings.TrimSpace(l[from:i]))
		from = i
	}
	return append(parts, strings.TrimSpace(l[from:]))
}

// String is for tests.
func (st stamp) String() string {
	return fmt.Sprintf("%v %02d:%02d ph=%q zone=%q end=%q", st.date, st.h, st.m, st.placeholder, st.zone, st.end)
}
