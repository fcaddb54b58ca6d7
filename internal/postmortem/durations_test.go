package postmortem

import (
	"testing"
	"time"
)

func TestDerive(t *testing.T) {
	p := &Postmortem{Date: "2024-03-14", Timeline: []TimelineEntry{
		{At: "2024-03-13T18:20Z", Text: "Config change deployed"},
		{At: "2024-03-14T11:00Z", Text: "Lunch menu published"},
		{At: "2024-03-14T12:05Z", Text: "Checkout failures begin as traffic rises"},
		{At: "2024-03-14T12:09Z", Text: "Error-rate alert pages the on-call"},
		{At: "2024-03-14T12:43Z", Text: "Error rate back to normal; incident closed"},
	}}
	d := Derive(p)
	if d.ToDetect != 4*time.Minute || d.ToResolve != 38*time.Minute {
		t.Errorf("detect %v resolve %v (start %+v, how %q)", d.ToDetect, d.ToResolve, d.Start, d.StartHow)
	}
	p.Timeline[2].Text = "Checkout slows down"
	if d := Derive(p); d.Start.At != "2024-03-14T11:00Z" || d.StartHow != "the first timed entry on the incident's date" {
		t.Errorf("build-up days are skipped: %+v %q", d.Start, d.StartHow)
	}
	if d := Derive(&Postmortem{}); d.Start != nil || d.ToDetect != 0 {
		t.Errorf("empty timeline: %+v", d)
	}
}
