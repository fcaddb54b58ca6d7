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
	// The seed's shape: the timeline opens with the report, a first fix
	// "went through", errors are reported again, the last entry fixes it.
	seed := &Postmortem{Date: "2021-03-18", Timeline: []TimelineEntry{
		{At: "2021-03-17", Text: "Users got disabled"},
		{At: "2021-03-18T12:52", Text: "Mike reported an issue with Bulk upload on Teams."},
		{At: "2021-03-18T13:52", Text: "User reenabled in keycloak, bulk upload went through."},
		{At: "2021-03-18T14:18", Text: "Mike reported an Internal Server Error when uploading a file."},
		{At: "2021-03-18T16:22", Text: "Another admin tried to upload and the upload fails to complete."},
		{At: "2021-03-18T17:07", Text: "bulk_upload user enabled in profile service."},
	}}
	d = Derive(seed)
	if d.ToDetect != 0 || d.Detected != d.Start || d.Resolved == nil || d.Resolved.At != "2021-03-18T17:07" || d.ToResolve != 4*time.Hour+15*time.Minute {
		t.Errorf("seed: detected %+v (%q), resolved %+v (%q), %v", d.Detected, d.DetectedHow, d.Resolved, d.ResolvedHow, d.ToResolve)
	}
	if d := Derive(&Postmortem{}); d.Start != nil || d.ToDetect != 0 {
		t.Errorf("empty timeline: %+v", d)
	}
}
