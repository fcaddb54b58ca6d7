package corpus

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// renderConfluence writes a wiki page flattened to text: a dated title
// line, `Key | Value |` header rows, bare-line headings, `Mon D, YYYY: HH:MM`
// timeline entries (some glued to the line before, some split by inline
// code), a flattened action table and a footer of links.
func renderConfluence(inc *incident) []byte {
	r := inc.sc.r
	var b bytes.Buffer
	line := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
		b.WriteByte('\n')
	}

	line(isoDate(titleDate(inc)), " ", inc.title)
	date := wikiDate(inc.date)
	if r.chance(0.05) {
		date = ""
	}
	line("Date | ", date, " |")
	if r.chance(0.15) {
		line("---|---|")
	}
	line("Authors | ", mentions(r, inc.authors), " |")
	line("Status | ", pick(r, docStatuses), " |")
	line("Summary | ", plain(inc.summary[0]), " |")
	line("Impact | ", plain(inc.impact[0]), " |")

	line("Non-technical Description")
	line(strings.Join(inc.description, " "))
	line("Trigger")
	line(txt(strings.Join(inc.trigger, " ")))
	line("Detection")
	for _, s := range inc.detection {
		line(txt(s))
	}
	line("Resolution")
	line(txt(strings.Join(inc.resolution, " ")))

	line("Timeline")
	dash := r.chance(0.3)
	for k, e := range inc.timeline {
		var entry string
		switch {
		case e.dateOnly:
			entry = wikiDate(e.at) + ": " + e.text
		case dash:
			entry = wikiDate(e.at) + " " + clock(e.at) + " - " + e.text
		default:
			entry = wikiDate(e.at) + ": " + clock(e.at) + " " + e.text
		}
		glue := k > 0 && r.chance(0.08) && bytes.HasSuffix(b.Bytes(), []byte(".\n"))
		if glue {
			b.Truncate(b.Len() - 1)
		}
		line(txt(entry))
	}

	line("Root Cause(s)")
	for _, s := range inc.rootCauses {
		line(txt(s))
	}

	line("Action Items")
	status := r.chance(0.25)
	if status {
		line("Action Items | Owner | Status |")
		line("---|---|---|")
	} else {
		line("Action Items | Owner |")
		line("---|---|")
	}
	for _, a := range inc.actions {
		owner := a.team
		if owner == "" {
			owner = "@" + a.owner.name()
			if a.annotation != "" {
				owner += " (" + a.annotation + ")"
			}
		}
		text := a.text
		if a.key != "" && r.chance(0.5) {
			text += " (" + a.key + ")"
		}
		if status {
			line(text, " | ", owner, " | ", a.status, " |")
		} else {
			line(text, " | ", owner, " |")
		}
	}

	line("Lessons Learned")
	for _, s := range inc.lessons {
		line(txt(s))
	}
	if r.chance(0.6) {
		line("Slack: ", slackURL, fmt.Sprintf("C0%dINC", r.between(1000, 9999)))
		line("Jira issues: ", jiraURL, fmt.Sprintf("/issues/?filter=%d", r.between(10000, 39999)))
	}
	return b.Bytes()
}

// titleDate is the date in a wiki page's title: usually the incident date,
// sometimes the day the write-up was started.
func titleDate(inc *incident) time.Time {
	if inc.titleLag == 0 {
		return inc.date
	}
	return inc.date.AddDate(0, 0, inc.titleLag)
}

// mentions writes authors as wiki @mentions, glued or space-separated,
// some with an account-state note.
func mentions(r *rng, ps []person) string {
	sep := ""
	if r.chance(0.5) {
		sep = " "
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = "@" + p.name()
		if r.chance(0.12) {
			s[i] += pick(r, []string{" (Deactivated)", " (Unlicensed)"})
		}
	}
	return strings.Join(s, sep)
}
