package corpus

import (
	"fmt"
	"strings"
)

// renderOther writes one of the less common Markdown shapes, chosen at
// random: one H3 per timestamp, setext headings with bold pseudo-headings,
// or plain `Key: value` lines with extra sections and the timeline last.
func renderOther(inc *incident) []byte {
	switch inc.sc.r.intn(3) {
	case 0:
		return renderDateHeadings(inc)
	case 1:
		return renderSetext(inc)
	}
	return renderExtraSections(inc)
}

func renderDateHeadings(inc *incident) []byte {
	r := inc.sc.r
	var w mdWriter
	w.block("# ", isoDate(inc.date), ", ", inc.title)
	w.block("## Summary")
	w.para(inc.summary)
	w.block("## Impact")
	w.para(inc.impact)

	w.block("## Timeline")
	w.block("All times in ", pick(r, []string{"PST", "PST", "UTC"}))
	for k, e := range inc.timeline {
		w.block("### ", stamp(inc.timeline, k))
		w.block(md(e.text))
	}

	w.block("## Root causes")
	w.numbered(inc.rootCauses)
	w.block("## Lessons learnt")
	w.block("### What went well")
	w.bullets("-", inc.wentWell)
	w.block("### What went wrong")
	w.bullets("-", inc.wentWrong)
	w.block("### Where we got lucky")
	w.bullets("-", inc.lucky)

	w.block("## Action items")
	split := len(inc.actions) / 2
	for g, group := range [][]action{inc.actions[:split], inc.actions[split:]} {
		if len(group) == 0 {
			continue
		}
		w.block("### ", []string{"Process", "Technical"}[g])
		for _, a := range group {
			n := r.between(20, 900)
			w.line(fmt.Sprintf("- %s ([#%d](%s/%s/%s/issues/%d))",
				a.text, n, gitURL, inc.sc.team.slug, strings.ToLower(inc.sc.sys.name), n))
		}
		w.WriteByte('\n')
	}
	return w.Bytes()
}

func renderSetext(inc *incident) []byte {
	r := inc.sc.r
	var w mdWriter
	w.line(inc.title)
	w.block(strings.Repeat("=", len([]rune(inc.title))))
	w.line("**Date:** ", longDate(inc.date), "  ")
	w.line("**Authors:** ", names(inc.authors), "  ")
	w.block("**Status:** ", pick(r, []string{"Done", "Closed", "Draft"}))

	setext := func(h string) {
		w.line(h)
		w.block(strings.Repeat("-", len([]rune(h))))
	}
	setext("Summary")
	w.para(inc.summary)
	setext("Impact")
	w.para(inc.impact)
	zone := pick(r, []string{"UTC", "UTC", "CET"})
	setext("Timeline (times in " + zone + ")")
	for _, e := range inc.timeline {
		if e.dateOnly {
			w.line("* ", isoDate(e.at), " ", md(e.text))
			continue
		}
		w.line("* ", clock(e.at), " ", md(e.text))
	}
	w.WriteByte('\n')

	w.block("**Root cause:**")
	w.para(inc.rootCauses)
	w.block("**Resolution:**")
	w.para(inc.resolution)
	w.block("**Action items:**")
	for _, a := range inc.actions {
		if r.chance(0.2) {
			w.line("- ", a.text)
			continue
		}
		w.line("- ", a.text, " — ", a.ownerHandle())
	}
	w.WriteByte('\n')
	w.block("**Lessons learned**")
	w.bullets("-", inc.lessons)
	return w.Bytes()
}

func renderExtraSections(inc *incident) []byte {
	r := inc.sc.r
	var w mdWriter
	w.block("# ", inc.title)
	w.line("Date: ", isoDate(inc.date))
	w.line("Authors: ", names(inc.authors))
	w.block("Severity: ", inc.severity)

	w.block("## Summary")
	w.para(inc.summary)
	w.block("## Impact")
	w.para(inc.impact)
	w.block("## Root causes")
	w.bullets("-", inc.rootCauses)
	w.block("## Trigger")
	w.para(inc.trigger)
	w.block("## Resolution")
	w.para(inc.resolution)
	w.block("## Detection")
	w.para(inc.detection)

	w.block("## Action items")
	w.line("| Action item | Owner | Bug |")
	w.line("|---|---|---|")
	for _, a := range inc.actions {
		w.line("| ", a.text, " | ", a.ownerName(), " | ", a.key, " |")
	}
	w.WriteByte('\n')

	w.block("## Lessons learned")
	w.bullets("-", inc.lessons)
	w.block("## What went well")
	w.bullets("-", inc.wentWell)
	w.block("## What went wrong")
	w.bullets("-", inc.wentWrong)
	if r.chance(0.5) {
		w.block("## Where we got lucky")
		w.bullets("-", inc.lucky)
	}

	w.block("## Timeline")
	for k, e := range inc.timeline {
		w.line("- ", stamp(inc.timeline, k), " ", md(e.text))
	}
	w.WriteByte('\n')
	return w.Bytes()
}
