package corpus

import "strings"

var sreStatuses = []string{"Complete", "Complete", "Final", "Draft", "In review", "Action items in progress"}

// renderSRE writes the SRE-book layout: bold header lines, the classic
// sections, an action table with Owner, Priority, Bug and Status, and a
// timeline table in UTC.
func renderSRE(inc *incident) []byte {
	r := inc.sc.r
	var w mdWriter
	w.block("# ", inc.title)
	w.block("**Date:** ", isoDate(inc.date))
	w.block("**Authors:** ", names(inc.authors))
	w.block("**Status:** ", pick(r, sreStatuses))

	timelineEarly := r.chance(0.3)
	w.block("## Summary")
	w.para(inc.summary)
	w.block("## Impact")
	w.para(inc.impact)
	if timelineEarly {
		sreTimeline(&w, inc)
	}
	w.block("## Root Causes")
	w.bullets("-", inc.rootCauses)
	w.block("## Trigger")
	w.para(inc.trigger)
	w.block("## Resolution")
	w.para(inc.resolution)
	w.block("## Detection")
	w.para(inc.detection)

	w.block("## Action Items")
	w.line("| Action Item | Owner | Priority | Bug | Status |")
	w.line("|---|---|---|---|---|")
	for _, a := range inc.actions {
		bug := a.key
		if bug != "" && r.chance(0.3) {
			bug = "[" + a.key + "](" + jiraURL + "/browse/" + a.key + ")"
		}
		w.line("| ", a.text, " | ", a.ownerName(), " | ", a.priority, " | ", bug, " | ", a.status, " |")
	}
	w.WriteByte('\n')

	w.block("## Lessons Learned")
	w.bullets("-", inc.lessons)
	if !timelineEarly {
		sreTimeline(&w, inc)
	}
	return w.Bytes()
}

func sreTimeline(w *mdWriter, inc *incident) {
	w.block("## Timeline")
	w.block("All times UTC.")
	w.line("| Time | Description |")
	w.line("|---|---|")
	n := len(inc.timeline)
	for k, e := range inc.timeline {
		text := md(e.text)
		switch {
		case k == 1 && n > 4:
			text = "**OUTAGE BEGINS**: " + text
		case k == n-2 && n > 4:
			text = "**OUTAGE ENDS**: " + text
		}
		w.line("| ", stamp(inc.timeline, k), " | ", text, " |")
	}
	w.WriteByte('\n')
}

// stamp is an entry's time as Markdown timelines write it: the full date
// on the first entry and whenever the day changes, else the time alone.
func stamp(tl []event, k int) string {
	e := tl[k]
	switch {
	case e.dateOnly:
		return isoDate(e.at)
	case k == 0 || !sameDay(tl[k-1].at, e.at):
		return isoDate(e.at) + " " + clock(e.at)
	}
	return clock(e.at)
}

func names(ps []person) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.name()
	}
	return strings.Join(s, ", ")
}

func (a action) ownerName() string {
	if a.team != "" {
		return a.team
	}
	return a.owner.name()
}

func (a action) ownerHandle() string {
	if a.team != "" {
		return "@" + strings.ToLower(strings.ReplaceAll(strings.TrimSuffix(a.team, " team"), " ", "-")) + "-oncall"
	}
	return "@" + a.owner.handle
}
