package sqlite

import (
	"fmt"
	"testing"
)

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"  Add   ALERTING, now! ": "add alerting now",
		"run-book":                "run book",
		"Ünïcode  café":           "ünïcode café",
		"...":                     "",
	} {
		if got := normalize(in); got != want {
			t.Errorf("normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFTSQuery(t *testing.T) {
	for in, want := range map[string]string{
		"keycloak":      `"keycloak"`,
		"foo-bar baz":   `"foo-bar" "baz"`,
		`say "hi`:       `"say" """hi"`,
		"pre*":          `"pre"*`,
		" - * \" ":      ``,
		"NOT x":         `"NOT" "x"`,
		"col:umn (x)":   `"col:umn" "(x)"`,
		"":              ``,
		"naïve\tterms ": `"naïve" "terms"`,
	} {
		if got := ftsQuery(in); got != want {
			t.Errorf("ftsQuery(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestMatchItems(t *testing.T) {
	stored := []storedItem{
		{id: 1, position: 0, text: "Add alerting on queue depth", owner: "Ana"},
		{id: 2, position: 1, text: "Write the failover runbook", owner: "Bo"},
		{id: 3, position: 2, text: "Buy more disks", owner: "Cy", removed: true},
		{id: 4, position: 3, text: "Review access", owner: "Ana"},
		{id: 5, position: 4, text: "Review access", owner: "Bo"},
	}
	news := []docItem{
		{position: 0, text: "buy MORE disks."},                              // exact, removed item comes back
		{position: 1, text: "Add alerting on the queue depth metric"},       // fuzzy
		{position: 2, text: "Something else entirely"},                      // new
		{position: 3, text: "Review access", owner: "Bo"},                   // exact twice: owner decides
		{position: 4, text: "Review access", owner: "Ana"},                  // the other one
		{position: 5, text: "Write the failover runbook and test it twice"}, // fuzzy, 0.71
	}
	got := fmt.Sprint(matchItems(stored, news))
	if want := "[2 0 -1 4 3 1]"; got != want {
		t.Errorf("matchItems = %s, want %s", got, want)
	}

	// Below the threshold nothing matches.
	got = fmt.Sprint(matchItems(stored[:1], []docItem{{text: "Add dashboards"}}))
	if got != "[-1]" {
		t.Errorf("weak match = %s", got)
	}
}

func TestUnder(t *testing.T) {
	for _, c := range []struct {
		root, path string
		want       bool
	}{
		{"/a/b", "/a/b/c.md", true},
		{"/a/b/", "/a/b/c/d.md", true},
		{"/a/b", "/a/bc/d.md", false},
		{"/a/b", "/a/c.md", false},
		{"pm", "pm/x.md", true},
		{".", "pm/x.md", true},
		{"pm", "/abs/pm/x.md", false},
		{"/a/b", "/a/b/../c.md", false},
	} {
		if got := under(c.root, c.path); got != c.want {
			t.Errorf("under(%q, %q) = %v", c.root, c.path, got)
		}
	}
}
