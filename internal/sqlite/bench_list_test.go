package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// BenchmarkListIncidents lists pages of the incident list over the corpus
// of 10,000 postmortems and 50,000 items (built once per run, which takes
// a while before the first result).
func BenchmarkListIncidents(b *testing.B) {
	d := corpusDB(b)
	ctx := context.Background()
	first, _, err := d.ListIncidents(ctx, postmortem.IncidentFilter{})
	if err != nil || len(first) != DefaultIncidentLimit {
		b.Fatalf("first page: %d, %v", len(first), err)
	}
	_, page2, _ := d.ListIncidents(ctx, postmortem.IncidentFilter{})
	for _, bc := range []struct {
		name string
		f    postmortem.IncidentFilter
	}{
		{"first_page", postmortem.IncidentFilter{}},
		{"second_page", postmortem.IncidentFilter{After: page2}},
		{"search", postmortem.IncidentFilter{Query: "kafka lag"}},
		{"search_every_doc", postmortem.IncidentFilter{Query: "incident"}},
		{"search_and_filters", postmortem.IncidentFilter{Query: "kafka", Year: 2022, HasOpen: true}},
		{"owner", postmortem.IncidentFilter{Owner: corpusOwner(2)}},
		{"tag", postmortem.IncidentFilter{Tag: "dns"}},
		{"year_and_severity", postmortem.IncidentFilter{Year: 2021, Severity: "sev1"}},
		{"has_open", postmortem.IncidentFilter{HasOpen: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := d.ListIncidents(ctx, bc.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("facets", func(b *testing.B) {
		for b.Loop() {
			if _, err := d.Facets(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkListItems lists pages of the actions page over the corpus.
func BenchmarkListItems(b *testing.B) {
	d := corpusDB(b)
	ctx := context.Background()
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	_, next, err := d.ListItems(ctx, postmortem.ItemFilter{Sort: "due", OpenOnly: true})
	if err != nil || next == "" {
		b.Fatalf("first page: %q, %v", next, err)
	}
	for _, bc := range []struct {
		name string
		f    postmortem.ItemFilter
	}{
		{"first_page", postmortem.ItemFilter{}},
		{"open_by_due", postmortem.ItemFilter{Sort: "due", OpenOnly: true}},
		{"open_by_due_page2", postmortem.ItemFilter{Sort: "due", OpenOnly: true, After: next}},
		{"owner", postmortem.ItemFilter{Owner: corpusOwner(2)}},
		{"team_open", postmortem.ItemFilter{Team: corpusTeams[3], OpenOnly: true}},
		{"overdue_by_due", postmortem.ItemFilter{Overdue: true, Now: now, Sort: "due"}},
		{"owner_left", postmortem.ItemFilter{OwnerLeft: true}},
		{"no_owner_no_jira", postmortem.ItemFilter{NoOwner: true, NoJira: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := d.ListItems(ctx, bc.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("counts", func(b *testing.B) {
		for b.Loop() {
			if _, _, _, err := d.ItemCounts(ctx, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unmatched_owners", func(b *testing.B) {
		for b.Loop() {
			if _, err := d.UnmatchedOwners(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
