package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The documents are about Larkspur Ferries, an invented operator. Each one
// names one of the systems below as its subject, so that a search for a
// system's name matches about one document in len(systems).
var (
	systems = []string{
		"Brackwater", "Capstan", "Tidewater", "Gullwing", "Halyard", "Keelson", "Bollard", "Mooring",
		"Sternway", "Lanyard", "Bulwark", "Fairlead", "Gunwale", "Hawser", "Jackstay", "Lazarette",
		"Mizzen", "Outhaul", "Pintle", "Quarterdeck", "Ratline", "Scupper", "Taffrail", "Windlass",
		"Yardarm", "Binnacle", "Cleat", "Davit", "Fender", "Gangway",
	}
	symptoms = []string{
		"returned errors", "timed out", "showed stale departures", "double-booked cabins",
		"dropped payments", "rejected valid tickets", "ran out of disk", "lost its replica",
		"sent duplicate emails", "stopped syncing manifests", "failed over twice", "leaked connections",
	}
	places = []string{
		"Gannet Quay", "Heron Pier", "Pellow Island", "Saltmarsh", "Kittiwake Point", "Cormorant Bay",
		"the booking site", "the crew app", "the vehicle deck", "the night crossing",
	}
	firstNames = []string{
		"Ines", "Tobias", "Marta", "Piet", "Oona", "Kwame", "Ravi", "Lena", "Hugo", "Amara", "Jonas",
		"Priya", "Sven", "Aoife", "Mateo", "Zofia", "Idris", "Noor", "Elif", "Björn",
	}
	lastNames = []string{
		"Calloway", "Wren", "Szabo", "Okafor", "Hale", "Asante", "Patel", "Brandt", "Moreau", "Nwosu",
		"Lindqvist", "Iyer", "Haugen", "Byrne", "Quintero", "Nowak", "Rahman", "Aziz", "Demir", "Sørensen",
	}
	actions = []string{
		"Alert when %s error rate passes 2%% for five minutes",
		"Add a runbook section for %s failover",
		"Load test %s at twice the summer peak",
		"Page the owning team, not the duty manager, for %s",
		"Cache %s responses at the terminal",
		"Rehearse the paper fallback for %s each quarter",
		"Move %s off the shared database host",
		"Add a dashboard of %s queue depth",
	}
	statuses = []string{"Open", "Open", "In progress", "Done", "Done", "Won't do"}
)

// generate writes n postmortems with itemsPerDoc action items each under
// dir, deterministically for seed, and returns the search word that
// matches about n/len(systems) of them.
func generate(dir string, n, itemsPerDoc int, seed uint64) (string, error) {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	start := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		day := start.AddDate(0, 0, r.IntN(6*365))
		doc := document(r, i, day, itemsPerDoc)
		sub := filepath.Join(dir, day.Format("2006"))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return "", err
		}
		name := fmt.Sprintf("%s-inc-%05d.md", day.Format("2006-01-02"), i)
		if err := os.WriteFile(filepath.Join(sub, name), []byte(doc), 0o644); err != nil {
			return "", err
		}
	}
	return strings.ToLower(systems[0]), nil
}

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

func person(r *rand.Rand) string {
	name := pick(r, firstNames) + " " + pick(r, lastNames)
	if r.IntN(12) == 0 {
		name += " (Deactivated)"
	}
	return name
}

// document renders postmortem i, which happened on day: front matter, the
// usual sections, eight timeline entries, two root causes and itemsPerDoc
// action items in a table. The number in the title keeps every id apart.
func document(r *rand.Rand, i int, day time.Time, itemsPerDoc int) string {
	sys := systems[i%len(systems)]
	var b strings.Builder
	title := fmt.Sprintf("INC-%05d %s %s at %s", i, sys, pick(r, symptoms), pick(r, places))
	fmt.Fprintf(&b, "---\ntitle: %s\ndate: %s\nseverity: SEV%d\nstatus: Final\nauthors:\n  - %s\ntags: [%s, %s]\n---\n\n",
		title, day.Format("2006-01-02"), 1+r.IntN(4), person(r), strings.ToLower(sys), pick(r, []string{"bookings", "boarding", "payments", "boards", "crew"}))
	fmt.Fprintf(&b, "## Summary\n\nFor %d minutes %s %s at %s, and passengers at %s waited while the terminal staff worked around it.\n\n",
		10+r.IntN(200), sys, pick(r, symptoms), pick(r, places), pick(r, places))
	fmt.Fprintf(&b, "## Impact\n\nAbout %d passengers and %d vehicles were affected; %d sailings left late.\n\n",
		100+r.IntN(2000), r.IntN(300), r.IntN(5))
	b.WriteString("## Timeline\n\nAll times UTC.\n\n")
	at := day.Add(time.Duration(5+r.IntN(16)) * time.Hour)
	entries := []string{
		sys + " starts to fail after a routine deploy",
		"Terminal staff report queues at " + pick(r, places),
		"Alert for " + sys + " pages the on-call engineer",
		"On-call engineer joins the incident channel",
		"Deploy rolled back",
		"Errors drop but the backlog keeps growing",
		"Backlog drained by hand",
		"Service recovered; error rate back to normal",
	}
	for _, e := range entries {
		at = at.Add(time.Duration(2+r.IntN(25)) * time.Minute)
		fmt.Fprintf(&b, "- %s %s\n", at.Format("2006-01-02 15:04"), e)
	}
	fmt.Fprintf(&b, "\n## Root causes\n\n- A configuration change to %s was deployed without a canary.\n- Nothing alerted on the size of the backlog.\n\n", sys)
	b.WriteString("## Action items\n\n| Action | Owner | Status | Jira | Due |\n|--------|-------|--------|------|-----|\n")
	for k := range itemsPerDoc {
		jira, due := "", ""
		if r.IntN(2) == 0 {
			jira = fmt.Sprintf("FERRY-%d", 10*i+k+1)
		}
		if r.IntN(3) > 0 {
			due = day.AddDate(0, 0, 14+r.IntN(120)).Format("2006-01-02")
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", fmt.Sprintf(pick(r, actions), sys), person(r), pick(r, statuses), jira, due)
	}
	b.WriteString("\n## Lessons learned\n\n- The paper fallback worked because the crew had rehearsed it.\n")
	return b.String()
}
