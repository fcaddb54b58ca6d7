package markdown

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds arbitrary bytes to Parse under both renderings: it must
// never panic, and what it returns must encode as valid UTF-8 JSON whose
// warnings point inside the document.
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.md")
	more, _ := filepath.Glob("testdata/*.txt")
	for _, p := range append(paths, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, filepath.Ext(p) == ".md")
		}
	}
	f.Add([]byte("Mar 18, 2021: 12:52 x.Mar 18, 2021: 13:00 y"), false)
	f.Add([]byte("| a | b |\n|---|\n| c |"), true)
	f.Fuzz(func(t *testing.T, src []byte, md bool) {
		name := "fuzz.txt"
		if md {
			name = "fuzz.md"
		}
		p, err := Parse(name, src, Options{})
		if err != nil {
			return
		}
		out, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if !utf8.Valid(out) {
			t.Fatalf("invalid UTF-8 in output")
		}
		lines := 1
		for _, c := range src {
			if c == '\n' || c == '\r' {
				lines++
			}
		}
		for _, w := range p.Warnings {
			if w.Line < 1 || w.Line > lines+1 {
				t.Fatalf("warning line %d outside 1..%d: %s", w.Line, lines+1, w.Message)
			}
		}
	})
}
