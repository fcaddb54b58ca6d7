package markdown

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixtures returns the documents under testdata/.
func fixtures(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, pat := range []string{"testdata/*.md", "testdata/*.txt"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	if len(out) == 0 {
		t.Fatal("no fixtures in testdata/")
	}
	return out
}

func parseFile(t testing.TB, path string) *postmortem.Postmortem {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(filepath.Base(path), src, Options{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return p
}

// TestGolden compares each fixture's JSON with its .golden.json file.
func TestGolden(t *testing.T) {
	for _, path := range fixtures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			p := parseFile(t, path)
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(p); err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(path, filepath.Ext(path)) + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(want, buf.Bytes()) {
				t.Errorf("output differs from %s (run go test -update after checking the change):\n%s", golden, firstDiff(string(want), buf.String()))
			}
		})
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "line " + itoa(i+1) + ":\n- " + al[i] + "\n+ " + bl[i]
		}
	}
	return "lengths differ"
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestFixtureFacts pins what matters most in each fixture, independent of
// the golden files.
func TestFixtureFacts(t *testing.T) {
	p := parseFile(t, "testdata/wiki-pipe.txt")
	if p.Date != "2022-06-09" || p.Title != "Ferry booking sync stalled" {
		t.Errorf("header: %q %q", p.Date, p.Title)
	}
	if len(p.Authors) != 2 || p.Authors[1].Name != "Bram Visser" || p.Authors[1].Annotation != "Deactivated" {
		t.Errorf("glued mentions: %+v", p.Authors)
	}
	if len(p.Timeline) != 6 || p.Timeline[0].At != "2022-06-08" || p.Timeline[4].At != "2022-06-09T08:20" {
		t.Errorf("timeline: %+v", p.Timeline)
	}
	if !strings.HasSuffix(p.Timeline[3].Text, "sync_bookings logs.") {
		t.Errorf("glued entry not split: %q", p.Timeline[3].Text)
	}
	if len(p.ActionItems) != 2 || p.ActionItems[0].Owner.Annotation != "Deactivated" || p.ActionItems[1].JiraKey != "FERRY-204" {
		t.Errorf("actions: %+v", p.ActionItems)
	}
	if len(p.Links) != 2 || len(p.LessonsLearned) != 1 {
		t.Errorf("links %+v lessons %+v", p.Links, p.LessonsLearned)
	}

	p = parseFile(t, "testdata/wiki-keyblank.txt")
	if p.Timeline[3].At != "2023-01-31T00:15" {
		t.Errorf("midnight rollover: %+v", p.Timeline[3])
	}
	if len(p.ActionItems) != 4 || p.ActionItems[2].Owner != nil || p.ActionItems[3].Status != postmortem.StatusDone || p.ActionItems[3].Owner.Name != "Ines Duarte" {
		t.Errorf("flattened table: %+v", p.ActionItems)
	}

	p = parseFile(t, "testdata/front-matter.md")
	if p.Timeline[0].At != "2024-03-14T01:00+01:00" || !p.Timeline[2].Approximate || p.Timeline[3].At != "2024-03-14" || p.Timeline[4].End != "09:40" {
		t.Errorf("front matter timeline: %+v", p.Timeline)
	}
	if p.Authors[1].Name != "Joseph (Pepe) Kelly" || p.Authors[1].Annotation != "" {
		t.Errorf("nickname is part of the name: %+v", p.Authors)
	}
	if p.ActionItems[0].Status != postmortem.StatusDone || p.ActionItems[1].Status != postmortem.StatusInProgress || p.ActionItems[0].JiraKey != "SHOP-120" {
		t.Errorf("checklist: %+v", p.ActionItems)
	}

	p = parseFile(t, "testdata/headings-pm.md")
	if p.Timeline[1].At != "2024-11-05T11:45-08:00" || p.Timeline[2].At != "2024-11-05T12:05-08:00" {
		t.Errorf("12-hour headings: %+v", p.Timeline)
	}
	if p.ActionItems[1].Owner.Name != "Delivery analytics team" {
		t.Errorf("Owner: tail: %+v", p.ActionItems)
	}

	p = parseFile(t, "testdata/two-incidents.md")
	if len(p.Warnings) == 0 || !strings.Contains(p.Warnings[0].Message, "more than one incident") {
		t.Errorf("two incidents without a warning: %+v", p.Warnings)
	}

	p = parseFile(t, "testdata/broken.md")
	if !strings.Contains(p.Summary, "<script>alert(1)</script>") || !strings.Contains(p.Summary, "\uFFFD") {
		t.Errorf("hostile text must be kept as data: %q", p.Summary)
	}
	if len(p.ActionItems) != 2 || p.ActionItems[1].JiraKey != "OPS-77" {
		t.Errorf("ragged rows: %+v", p.ActionItems)
	}
}

// TestRoundTrip renders each fixture as canonical Markdown and parses it
// again: the structured fields must come back the same.
func TestRoundTrip(t *testing.T) {
	for _, path := range fixtures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			a := parseFile(t, path)
			out := Render(a)
			b, err := Parse(a.ID+".md", out, Options{})
			if err != nil {
				t.Fatalf("parse rendered: %v\n%s", err, out)
			}
			if diff := compareFields(a, b); diff != "" {
				t.Errorf("round trip changed %s\n--- rendered:\n%s", diff, out)
			}
		})
	}
}

// compareFields compares the structured fields, ignoring warnings and the
// source line numbers, which rendering changes by design.
func compareFields(a, b *postmortem.Postmortem) string {
	norm := func(p *postmortem.Postmortem) postmortem.Postmortem {
		c := *p
		c.Warnings = nil
		c.Timeline = append([]postmortem.TimelineEntry(nil), p.Timeline...)
		for i := range c.Timeline {
			c.Timeline[i].Line = 0
		}
		c.ActionItems = append([]postmortem.ActionItem(nil), p.ActionItems...)
		for i := range c.ActionItems {
			c.ActionItems[i].Line = 0
		}
		return c
	}
	na, nb := norm(a), norm(b)
	va, vb := reflect.ValueOf(na), reflect.ValueOf(nb)
	for i := 0; i < va.NumField(); i++ {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			ja, _ := json.Marshal(va.Field(i).Interface())
			jb, _ := json.Marshal(vb.Field(i).Interface())
			return va.Type().Field(i).Name + ":\n  before " + string(ja) + "\n  after  " + string(jb)
		}
	}
	return ""
}

// TestUnreadable checks that documents that are not text fail cleanly at
// line 1.
func TestUnreadable(t *testing.T) {
	for name, src := range map[string][]byte{
		"empty.md":     {},
		"spaces.md":    []byte(" \n\t\n  "),
		"binary.txt":   append([]byte("GIF89a"), 0, 1, 2, 3),
		"bom-only.txt": []byte("\xef\xbb\xbf\n"),
		"nul-late.txt": append(bytes.Repeat([]byte("a"), 100), 0),
	} {
		_, err := Parse(name, src, Options{})
		var e *postmortem.Error
		if !errors.As(err, &e) || e.Line != 1 || e.Code != postmortem.EInvalid {
			t.Errorf("%s: want an invalid error at line 1, got %v", name, err)
		}
	}
}

// TestHostileShapes parses shapes that have broken parsers before: they
// must give a document, never a panic.
func TestHostileShapes(t *testing.T) {
	long := strings.Repeat("word ", 20000)
	cases := map[string]string{
		"long-line.md":    "# T\n\n## Summary\n\n" + long + "\n",
		"unclosed.md":     "# T\n\n## Logs\n\n```\nno end",
		"only-pipes.txt":  strings.Repeat("|", 5000),
		"deep-list.md":    strings.Repeat("  ", 200) + "- x\n" + strings.Repeat("> ", 300) + "y\n",
		"many-stamps.txt": "T\nTimeline\n" + strings.Repeat("Mar 1, 2024: 10:00 a.Mar 1, 2024: 10:01 b.", 2000),
		"fm-unclosed.md":  "---\ntitle: x\n",
		"fm-bad.md":       "---\n: : :\n---\n# T\n",
		"crlf.txt":        "Title\r\nDate | 2024-01-01 |\r\nTimeline\r\n10:00 a\r\n",
		"headings.md":     strings.Repeat("#", 10) + " x\n###### \n##\n",
		"row-only.txt":    "a | b |\n",
		"mentions.txt":    "T\nAuthors | " + strings.Repeat("@", 3000) + " |\n",
		"dates.txt":       "T\nDate | 99/99/9999 |\nTimeline\n31/02/2024 10:00 x\n0:60 y\n24:00 z\n",
	}
	for name, src := range cases {
		p, err := Parse(name, []byte(src), Options{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if _, err := json.Marshal(p); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	p, _ := Parse("long-line.md", []byte(cases["long-line.md"]), Options{})
	if len(p.Summary) < len(long)-10 {
		t.Errorf("a long line must be kept whole, got %d bytes", len(p.Summary))
	}
}

// TestConfiguredZone applies the configured zone only when the document
// names none.
func TestConfiguredZone(t *testing.T) {
	src := []byte("# X\n\nDate: 2024-01-10\n\n## Timeline\n\n- 10:00 a\n- 11:00 UTC b\n")
	p, err := Parse("x.md", src, Options{Timezone: "Europe/London"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Timeline[0].At != "2024-01-10T10:00+00:00" || p.Timeline[1].At != "2024-01-10T11:00Z" {
		t.Errorf("configured zone: %+v", p.Timeline)
	}
	if p.Timezone != "" {
		t.Errorf("timezone is the document's own, got %q", p.Timezone)
	}
}

// TestDateOrder reads an ambiguous numeric date by configuration, or
// day-first with a warning.
func TestDateOrder(t *testing.T) {
	src := []byte("# X\n\nDate: 03/04/2024\n")
	p, _ := Parse("x.md", src, Options{})
	if p.Date != "2024-04-03" || len(p.Warnings) == 0 {
		t.Errorf("day-first with a warning: %q %+v", p.Date, p.Warnings)
	}
	p, _ = Parse("x.md", src, Options{DayFirst: "month"})
	if p.Date != "2024-03-04" {
		t.Errorf("month-first by configuration: %q", p.Date)
	}
}

// TestSlug keeps ids stable, ASCII and bounded.
func TestSlug(t *testing.T) {
	for _, c := range [][3]string{
		{"2024-01-02", "Café Dvořák's outage!", "2024-01-02-cafe-dvorak-s-outage"},
		{"", "  ", "untitled"},
		{"", "Ærø — Straße", "aro-strasse"},
	} {
		if got := Slug(c[0], c[1]); got != c[2] {
			t.Errorf("Slug(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
	if got := Slug("2024-01-02", strings.Repeat("word ", 100)); len(got) > 100 {
		t.Errorf("slug too long: %d", len(got))
	}
}

// TestHelperReports pins fixes for shapes found while writing the examples.
func TestHelperReports(t *testing.T) {
	src := []byte("# T\n\n**Summary:** first part\nsecond part\n\n## Action items\n\n- Fix it (owner: Aisha Noor, PICK-9)\n")
	p, err := Parse("x.md", src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Summary != "first part second part" || p.Description != "" {
		t.Errorf("wrapped header value: summary %q description %q", p.Summary, p.Description)
	}
	it := p.ActionItems[0]
	if it.Owner == nil || it.Owner.Name != "Aisha Noor" || len(it.Owners) != 0 || it.JiraKey != "PICK-9" {
		t.Errorf("owner note with a key: %+v", it)
	}
}
