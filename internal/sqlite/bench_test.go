package sqlite

import (
	"context"
	"fmt"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// synthetic builds a postmortem of realistic size: a dozen timeline
// entries, five action items, a few sections.
func synthetic(n int) *postmortem.Postmortem {
	p := &postmortem.Postmortem{
		ID:          fmt.Sprintf("incident-%05d", n),
		Title:       fmt.Sprintf("Checkout latency incident %d", n),
		Date:        fmt.Sprintf("2024-%02d-%02d", n%12+1, n%28+1),
		Status:      "final",
		Severity:    "SEV2",
		Summary:     "Checkout requests timed out for forty minutes after a connection pool was exhausted.",
		Impact:      "About 3% of checkouts failed; no data was lost.",
		Description: "A deploy halved the database connection pool while traffic was at its daily peak.",
		Resolution:  "The deploy was rolled back and the pool size restored.",
		RootCauses:  []string{"Pool size read from the wrong config key", "No alert on pool saturation"},
		Authors:     []postmortem.Person{{Name: "Ana Lima"}, {Name: "Bo Chen"}},
		Tags:        []string{"checkout", "database"},
		Sections:    []postmortem.Section{{Heading: "Customer communication", Text: "Status page updated at 10:20 and 11:05."}},
	}
	for i := 0; i < 12; i++ {
		p.Timeline = append(p.Timeline, postmortem.TimelineEntry{
			At:   fmt.Sprintf("2024-03-01T10:%02d", i*4),
			Text: fmt.Sprintf("Step %d: engineers looked at dashboards and paged the database on-call", i),
		})
	}
	for i := 0; i < 5; i++ {
		p.ActionItems = append(p.ActionItems, postmortem.ActionItem{
			Text:    fmt.Sprintf("Follow-up %d: add alerting on connection pool saturation for service %d", i, n),
			Owner:   &postmortem.Person{Name: "Ana Lima"},
			Status:  postmortem.StatusOpen,
			JiraKey: fmt.Sprintf("OPS-%d", n*10+i),
		})
	}
	p.Source = &postmortem.Source{Path: fmt.Sprintf("postmortems/%05d.md", n), Text: p.Summary + p.ID}
	return p
}

// BenchmarkSave imports 2,000 new documents in batches of 200 per
// iteration, each iteration into a fresh database.
func BenchmarkSave(b *testing.B) {
	const total, batch = 2000, 200
	docs := make([]*postmortem.Postmortem, total)
	for i := range docs {
		docs[i] = synthetic(i)
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d := openTest(b)
		b.StartTimer()
		for start := 0; start < total; start += batch {
			res, err := d.Save(ctx, docs[start:start+batch], 1)
			if err != nil {
				b.Fatal(err)
			}
			if res[0].Outcome != postmortem.Imported {
				b.Fatalf("outcome = %s", res[0].Outcome)
			}
		}
		b.StopTimer()
		d.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkSaveEdited re-imports 2,000 stored documents whose every action
// item was reworded, in batches of 200, so each save matches items.
func BenchmarkSaveEdited(b *testing.B) {
	const total, batch = 2000, 200
	docs := make([]*postmortem.Postmortem, total)
	edited := make([]*postmortem.Postmortem, total)
	for i := range docs {
		docs[i] = synthetic(i)
		e := synthetic(i)
		for j := range e.ActionItems {
			e.ActionItems[j].Text += " (reworded)"
		}
		e.Source.Text += " edited"
		edited[i] = e
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d := openTest(b)
		for start := 0; start < total; start += batch {
			if _, err := d.Save(ctx, docs[start:start+batch], 1); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		for start := 0; start < total; start += batch {
			res, err := d.Save(ctx, edited[start:start+batch], 1)
			if err != nil {
				b.Fatal(err)
			}
			if res[0].Outcome != postmortem.Updated {
				b.Fatalf("outcome = %s", res[0].Outcome)
			}
		}
		b.StopTimer()
		d.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "docs/s")
}
