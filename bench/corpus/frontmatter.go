package corpus

import (
	"strings"
)

var fmStatuses = []string{"resolved", "resolved", "closed", "draft", "published"}

// renderFrontMatter writes YAML front matter, no H1, a `- HH:MM text`
// timeline and checklist action items with @handles and Jira keys.
func renderFrontMatter(inc *incident) []byte {
	r := inc.sc.r
	var w mdWriter
	w.line("---")
	w.line(`title: "`, inc.title, `"`)
	w.line("date: ", isoDate(inc.date))
	w.line("severity: ", inc.severity)
	if len(inc.authors) == 1 && r.chance(0.5) {
		w.line("author: ", inc.authors[0].name())
	} else {
		w.line("authors:")
		for _, p := range inc.authors {
			w.line("  - ", p.name())
		}
	}
	w.line("status: ", pick(r, fmStatuses))
	w.line("tags: [", strings.Join(inc.tags, ", "), "]")
	if r.chance(0.3) {
		w.line(`summary: "`, plain(inc.summary[0]), `"`)
	}
	w.block("---")

	w.block("## Summary")
	w.para(inc.summary)
	w.block("## Impact")
	w.para(inc.impact)

	w.block("## Timeline")
	for k, e := range inc.timeline {
		w.line("- ", stamp(inc.timeline, k), " ", md(e.text))
	}
	w.WriteByte('\n')

	if len(inc.rootCauses) > 2 {
		w.block("## Root causes")
		w.bullets("-", inc.rootCauses)
	} else {
		w.block("## Root cause")
		w.para(inc.rootCauses)
	}
	w.block("## Resolution")
	w.para(inc.resolution)

	w.block("## Action items")
	for _, a := range inc.actions {
		w.line(checklistItem(r, a))
	}
	w.WriteByte('\n')

	w.block("## Lessons learned")
	w.bullets("-", inc.lessons)
	return w.Bytes()
}

// checklistItem writes one task-list action in one of the shapes seen in
// practice: trailing handle and key, both in brackets, or a /browse/ link.
func checklistItem(r *rng, a action) string {
	box, note := "[ ]", ""
	switch a.status {
	case "Done":
		box = "[x]"
	case "In progress":
		note = " (in progress)"
	case "Won't do":
		note = " (won't do)"
	}
	who := a.ownerHandle()
	switch r.intn(3) {
	case 0:
		s := "- " + box + " " + a.text + note + " " + who
		if a.key != "" {
			s += " " + a.key
		}
		return s
	case 1:
		if a.key != "" {
			who += ", " + a.key
		}
		return "- " + box + " " + a.text + note + " (" + who + ")"
	}
	s := "- " + box + " " + a.text + note + " " + who
	if a.key != "" {
		s += " [" + a.key + "](" + jiraURL + "/browse/" + a.key + ")"
	}
	return s
}
