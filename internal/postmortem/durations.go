package postmortem

import (
	"strings"
	"time"
)

// Durations are the times a timeline allows to derive, with how each
// point was chosen, for people to judge.
type Durations struct {
	Start, Detected, Resolved          *TimelineEntry
	StartHow, DetectedHow, ResolvedHow string
	ToDetect, ToResolve                time.Duration // 0 when unknown
}

// Words that mark an entry as detection or resolution. The first entry
// with a time is the start unless an entry says the impact began.
var (
	startWords = []string{"outage begin", "impact begin", "incident begin", "failures begin", "errors begin",
		"outage start", "began failing", "begins failing", "started failing", "starts failing", "first error",
		"first failed", "first crash", "first 5", "first timeout"}
	detectedWords = []string{"alert", "paged", "page ", "detected", "report", "noticed", "notice", "spotted",
		"escalated", "opens an incident", "opened an incident", "calls the", "called the", "phoned", "raises a ticket",
		"raised a ticket"}
	resolvedWords = []string{"resolved", "recovered", "restored", "back to normal", "back under", "outage ends",
		"impact ends", "fixed", "succeed again", "sync again", "working again", "went through", "mitigated",
		"incident closed", "queue cleared", "backlog drained", "drained"}
	// failureWords mark an entry that reports the trouble going on; a
	// "recovery" followed by one is not the end.
	failureWords = []string{"fail", "error", "still", "again and again", "not working", "timed out", "times out", "crash"}
)

// Derive finds start, detection and resolution in p's timeline.
func Derive(p *Postmortem) Durations {
	var d Durations
	var timed []*TimelineEntry
	for i := range p.Timeline {
		if len(p.Timeline[i].At) > 10 {
			timed = append(timed, &p.Timeline[i])
		}
	}
	if len(timed) == 0 {
		return d
	}
	d.Start, d.StartHow = timed[0], "the first timed entry"
	// Timelines often open with the days of build-up before the incident;
	// the impact starts on the incident's own date.
	if p.Date != "" && timed[0].At[:10] < p.Date {
		for _, e := range timed {
			if e.At[:10] >= p.Date {
				// An entry the evening before belongs to the incident; one
				// more than 12 hours before its first entry on the day is build-up.
				if between(timed[0], e) > 12*time.Hour {
					d.Start, d.StartHow = e, "the first timed entry on the incident's date"
				}
				break
			}
		}
	}
	for _, e := range timed {
		if hasAny(e.Text, startWords) {
			d.Start, d.StartHow = e, "the entry that says the impact began"
			break
		}
	}
	if hasAny(d.Start.Text, detectedWords) && d.StartHow == "the first timed entry" {
		// The timeline opens with the report: when the impact began is
		// not given, so there is no time to detect.
		d.Detected, d.DetectedHow = d.Start, "the timeline opens with the report itself and does not say when the impact began"
	} else {
		for _, e := range timed {
			if e.At >= d.Start.At && e != d.Start && hasAny(e.Text, detectedWords) && between(d.Start, e) <= 24*time.Hour {
				d.Detected, d.DetectedHow = e, "the first entry that mentions an alert, a page or a report"
				break
			}
		}
	}
	d.Resolved, d.ResolvedHow = resolution(timed, d.Start)
	if d.Detected != d.Start {
		d.ToDetect = between(d.Start, d.Detected)
	}
	d.ToResolve = between(d.Start, d.Resolved)
	return d
}

// resolution finds the entry that ended the incident: the last that says
// the service recovered, unless a later entry reports the trouble again;
// then the last entry after the last such report, if it reports none.
func resolution(timed []*TimelineEntry, start *TimelineEntry) (*TimelineEntry, string) {
	lastFailure := -1
	for i, e := range timed {
		if e.At > start.At && hasAny(e.Text, failureWords) && !hasAny(e.Text, resolvedWords) {
			lastFailure = i
		}
	}
	for i := len(timed) - 1; i > lastFailure; i-- {
		e := timed[i]
		if e.At > start.At && hasAny(e.Text, resolvedWords) {
			return e, "the last entry that says the service recovered"
		}
	}
	if lastFailure >= 0 && lastFailure < len(timed)-1 {
		return timed[len(timed)-1], "the last entry, the first after the last one that reports the trouble"
	}
	return nil, ""
}

func hasAny(text string, words []string) bool {
	t := strings.ToLower(text)
	for _, w := range words {
		if strings.Contains(t, w) {
			return true
		}
	}
	return false
}

// between returns b - a for two entries with times, 0 when either is
// missing or they cannot be compared.
func between(a, b *TimelineEntry) time.Duration {
	if a == nil || b == nil {
		return 0
	}
	ta, ok1 := ParseAt(a.At)
	tb, ok2 := ParseAt(b.At)
	if !ok1 || !ok2 || tb.Before(ta) {
		return 0
	}
	return tb.Sub(ta)
}

// ParseAt reads an entry's ISO time; entries without an offset are read as
// UTC, which is right for differences within one document.
func ParseAt(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
