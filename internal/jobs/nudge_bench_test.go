package jobs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/slack/slackfake"
)

// BenchmarkNudge1000Owners times a run for 1,000 owners with 5,000 open
// items against the fake Slack: the first run of a fresh database (every
// owner looked up, every DM opened, every digest sent), a second one the
// same day (nothing due) and one at the next slot (lookups renewed, DMs
// remembered), and reports the Slack calls of each.
//
//	go test ./internal/jobs -run '^$' -bench Nudge1000 -benchtime 1x
func BenchmarkNudge1000Owners(b *testing.B) {
	const owners, perOwner, perDoc = 1000, 5, 10
	b.StopTimer()
	for range b.N {
		users := make([]slackfake.User, owners)
		var csv strings.Builder
		csv.WriteString("name,email,slack_id,timezone,active\n")
		for i := range users {
			users[i] = slackfake.User{ID: fmt.Sprintf("U%05d", i), RealName: fmt.Sprintf("Owner %04d", i),
				Email: fmt.Sprintf("owner%04d@example.com", i), TZ: "UTC"}
			slackID := ""
			if i%2 == 0 {
				slackID = users[i].ID // half the directory has Slack ids, half only emails
			}
			fmt.Fprintf(&csv, "%s,%s,%s,,true\n", users[i].RealName, users[i].Email, slackID)
		}
		e := newNudgeEnv(b, users...)
		ctx := context.Background()
		if _, _, err := e.db.ImportPeopleCSV(ctx, strings.NewReader(csv.String()), "people.csv"); err != nil {
			b.Fatal(err)
		}
		var docs []*postmortem.Postmortem
		var items []postmortem.ActionItem
		for i := range owners * perOwner {
			items = append(items, owned(fmt.Sprintf("Action %d", i), fmt.Sprintf("Owner %04d", (i*7)%owners)))
			if len(items) == perDoc {
				id := fmt.Sprintf("2024-01-%02d-incident-%04d", 1+len(docs)%28, len(docs))
				docs = append(docs, &postmortem.Postmortem{ID: id, Title: "Incident " + id, Date: id[:10], ActionItems: items,
					Source: &postmortem.Source{Path: id + ".md", Text: id}})
				items = nil
			}
		}
		if _, err := e.db.Save(ctx, docs, 1); err != nil {
			b.Fatal(err)
		}

		b.StartTimer()
		start := time.Now()
		sum := e.run(b)
		first := time.Since(start)
		b.StopTimer()
		calls := e.fake.CallCounts()
		if sum.Digests != owners || sum.Lines != owners*perOwner {
			b.Fatalf("first run: %+v", sum)
		}
		e.fake.ResetCalls()
		e.now = e.now.Add(time.Hour)
		start = time.Now()
		sum = e.run(b)
		second := time.Since(start)
		if sum.Digests != 0 || sum.Already != owners {
			b.Fatalf("second run: %+v", sum)
		}
		secondCalls := len(e.fake.Calls(""))
		e.fake.ResetCalls()
		e.now = e.now.AddDate(0, 0, 4) // Monday: lookups older than a day are asked again
		start = time.Now()
		if sum = e.run(b); sum.Digests != owners {
			b.Fatalf("Monday's run: %+v", sum)
		}
		monday := time.Since(start)
		b.Logf("first run: %v, %d digests, Slack calls %v (%d in all); same day again: %v, %d Slack calls; "+
			"next slot: %v, Slack calls %v", first.Round(time.Millisecond), owners, calls, total(calls),
			second.Round(time.Millisecond), secondCalls, monday.Round(time.Millisecond), e.fake.CallCounts())
		b.ReportMetric(float64(total(calls)), "slack-calls/first-run")
		b.ReportMetric(first.Seconds(), "s/first-run")
		b.ReportMetric(second.Seconds(), "s/second-run")
	}
	b.StartTimer()
}

func total(calls map[string]int) int {
	n := 0
	for _, c := range calls {
		n += c
	}
	return n
}
