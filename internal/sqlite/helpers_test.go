package sqlite

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// openTest opens and migrates a fresh database under t.TempDir().
func openTest(t testing.TB, opts ...Option) *DB {
	t.Helper()
	d, err := Open(context.Background(), filepath.Join(t.TempDir(), "hindsight.db"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// item builds an action item as the parser would give it.
func item(text, owner, status, jira string) postmortem.ActionItem {
	it := postmortem.ActionItem{Text: text, Status: status, JiraKey: jira}
	if owner != "" {
		it.Owner = &postmortem.Person{Name: owner}
	}
	return it
}

// doc builds a parsed postmortem for path; its source text (and so its
// hash) depends on every field given, so an edit is a new version.
func doc(path, id string, items ...postmortem.ActionItem) *postmortem.Postmortem {
	p := &postmortem.Postmortem{
		ID:       id,
		Title:    "Incident " + id,
		Date:     "2024-03-01",
		Status:   "final",
		Severity: "SEV2",
		Summary:  "Something broke in " + id,
		Timeline: []postmortem.TimelineEntry{
			{At: "2024-03-01T10:00", Text: "Alert fired for " + id},
		},
		ActionItems: items,
	}
	setSource(p, path)
	return p
}

// setSource (re)computes p's source from its fields.
func setSource(p *postmortem.Postmortem, path string) {
	text := p.ID + "|" + p.Title + "|" + p.Date + "|" + p.Summary
	for _, e := range p.Timeline {
		text += "|" + e.Text
	}
	for _, it := range p.ActionItems {
		text += "|" + it.Text + "/" + it.Status + "/" + it.JiraKey
		if it.Owner != nil {
			text += "/" + it.Owner.Name
		}
	}
	sum := sha256.Sum256([]byte(text))
	p.Source = &postmortem.Source{Path: path, Hash: hex.EncodeToString(sum[:]), Text: text}
}

// save saves docs as one batch and fails the test on error.
func save(t testing.TB, d *DB, docs ...*postmortem.Postmortem) []postmortem.SaveResult {
	t.Helper()
	res, err := d.Save(context.Background(), docs, 1)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// get reads a postmortem and fails the test on error.
func get(t testing.TB, d *DB, id string) *postmortem.Postmortem {
	t.Helper()
	p, err := d.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ptr(s string) *string { return &s }
