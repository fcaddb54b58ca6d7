package markdown

import (
	"strings"
)

// field is what a section fills.
type field uint8

const (
	fUnknown field = iota // kept as it is in Sections
	fKept                 // a known section with no field of its own (What went well, …)
	fSummary
	fDescription
	fImpact
	fTrigger
	fDetection
	fDetectionTimeline // "Detection / Timeline": prose to detection, entries to the timeline
	fResolution
	fTimeline
	fRootCauses
	fActions
	fLessons
	fLinks
	// Header keys, which hold one value rather than a section's text.
	fDate
	fAuthors
	fStatus
	fSeverity
	fTags
	fTimezone
)

// synonyms maps normalised headings to fields. Normalising lower-cases,
// drops markup, numbering, "(s)", a trailing colon and a trailing bracketed
// note such as "(times in UTC)".
var synonyms = map[string]field{
	"summary": fSummary, "issue summary": fSummary, "incident summary": fSummary,
	"overview": fSummary, "executive summary": fSummary, "tl;dr": fSummary, "tldr": fSummary,
	"non-technical description": fDescription, "non technical description": fDescription,
	"nontechnical description": fDescription, "non-technical summary": fDescription,
	"description": fDescription, "what happened": fDescription,
	"impact": fImpact, "severity & impact": fImpact, "severity and impact": fImpact,
	"customer impact": fImpact, "user impact": fImpact, "business impact": fImpact,
	"trigger": fTrigger, "leadup": fTrigger, "lead-up": fTrigger, "lead up": fTrigger,
	"detection": fDetection, "detection / timeline": fDetectionTimeline,
	"detection and timeline": fDetectionTimeline, "detection/timeline": fDetectionTimeline,
	"resolution": fResolution, "resolution and recovery": fResolution, "recovery": fResolution,
	"remediation": fResolution, "mitigation": fResolution, "response": fResolution,
	"resolution and mitigation": fResolution, "mitigation and resolution": fResolution,
	"timeline": fTimeline, "timeline of events": fTimeline, "detailed timeline": fTimeline,
	"events": fTimeline, "incident timeline": fTimeline, "chronology": fTimeline,
	"sequence of events": fTimeline,
	"root cause":         fRootCauses, "root causes": fRootCauses, "root cause analysis": fRootCauses,
	"cause": fRootCauses, "causes": fRootCauses, "contributing factors": fRootCauses,
	"fault": fRootCauses, "what was the issue?": fRootCauses, "what was the issue": fRootCauses,
	"root cause and contributing factors": fRootCauses, "rca": fRootCauses,
	"action items": fActions, "action item": fActions, "actions": fActions,
	"corrective and preventative measures": fActions, "corrective and preventive measures": fActions,
	"corrective actions": fActions, "follow-ups": fActions, "follow ups": fActions,
	"followups": fActions, "follow-up actions": fActions, "immediate actions": fActions,
	"short-term improvements": fActions, "long-term improvements": fActions,
	"short-term / long-term improvements": fActions, "moving forward": fActions,
	"next steps": fActions, "action items and owners": fActions, "remediation items": fActions,
	"lessons learned": fLessons, "lessons learnt": fLessons, "learnings": fLessons,
	"lessons": fLessons, "conclusion": fLessons, "takeaways": fLessons, "key takeaways": fLessons,
	"links":          fLinks,
	"what went well": fKept, "what went wrong": fKept, "what could have gone better": fKept,
	"what didn't go so well": fKept, "where we got lucky": fKept, "supporting information": fKept,
	"see also": fKept, "similar previous incidents": fKept, "attendees": fKept, "stats": fKept,
	"five whys": fKept, "5 whys": fKept, "appendix": fKept, "background": fKept, "glossary": fKept,
	"references": fKept, "open questions": fKept, "questions": fKept, "notes": fKept,
	"date": fDate, "date of incident": fDate, "incident date": fDate,
	"authors": fAuthors, "author": fAuthors, "written by": fAuthors,
	"status": fStatus, "severity": fSeverity, "tags": fTags, "labels": fTags,
	"timezone": fTimezone, "time zone": fTimezone,
}

// headerOnly are keys that count as fields only in the header; as headings
// in flattened text they must stand alone on their line.
func isHeaderKey(f field) bool { return f >= fDate }

// normHeading normalises a heading for lookup and returns the trailing
// bracketed note, if any.
func normHeading(h string) (key, note string) {
	h = strings.TrimSpace(h)
	h = strings.Map(func(r rune) rune {
		switch r {
		case '*', '_', '`', '#':
			return -1
		case '\u2019':
			return '\''
		}
		return r
	}, h)
	h = strings.TrimSpace(h)
	h = strings.TrimSuffix(h, ":")
	h = strings.TrimSpace(h)
	// Leading numbering: "3.", "3)", "IV.".
	if i := strings.IndexByte(h, ' '); i > 0 && i <= 4 {
		w := h[:i]
		if strings.HasSuffix(w, ".") || strings.HasSuffix(w, ")") {
			core := strings.TrimRight(w, ".)")
			if core != "" && strings.Trim(core, "0123456789IVXivx") == "" {
				h = strings.TrimSpace(h[i+1:])
			}
		}
	}
	lower := strings.ToLower(h)
	lower = strings.ReplaceAll(lower, "(s)", "s")
	if strings.HasSuffix(lower, ")") {
		if i := strings.LastIndexByte(lower, '('); i > 0 {
			note = strings.TrimSpace(h[i+1 : len(h)-1])
			lower = strings.TrimSpace(lower[:i])
		}
	}
	lower = strings.TrimSuffix(strings.TrimSpace(lower), ":")
	return collapse(lower), note
}

// lookupSection says which field a heading names.
func lookupSection(h string) (field, bool) {
	if len(h) > 120 {
		return fUnknown, false // no heading the table knows is this long
	}
	key, _ := normHeading(h)
	if f, ok := synonyms[key]; ok {
		return f, true
	}
	if f, ok := synonyms[strings.TrimSuffix(key, "s")]; ok && f != fKept {
		return f, true
	}
	switch {
	case strings.HasPrefix(key, "timeline"):
		return fTimeline, true
	case strings.HasPrefix(key, "root cause"):
		return fRootCauses, true
	case strings.HasPrefix(key, "action item"):
		return fActions, true
	case strings.HasPrefix(key, "lessons learn"):
		return fLessons, true
	}
	return fUnknown, false
}

// section is a heading and the blocks under it.
type section struct {
	field   field
	heading string // as written, markup removed
	note    string // trailing bracketed note of the heading
	value   string // the value of a "Key: value" heading
	level   int
	line    int
	blocks  []*block
}

// cut splits d.blocks into a preamble (the blocks before the first
// section) and sections. A heading deeper than a known section's heading
// that names nothing known stays inside it as a group label.
func (d *doc) cut() (pre *section, secs []*section) {
	pre = &section{field: fUnknown, level: 0}
	cur := pre
	for _, b := range d.blocks {
		if b.kind != bHeading {
			cur.blocks = append(cur.blocks, b)
			continue
		}
		if b.start == d.titleLine {
			continue
		}
		h := b.lines[0]
		f, known := lookupSection(h)
		value := ""
		if !known {
			if k, v, ok := strings.Cut(h, ":"); ok && strings.TrimSpace(v) != "" {
				if kf, ok := lookupSection(k); ok && isHeaderKey(kf) {
					f, known, value, h = kf, true, strings.TrimSpace(v), k
				}
			}
		}
		if cur != pre && cur.field > fKept && b.level > cur.level && (!known || isHeaderKey(f)) {
			cur.blocks = append(cur.blocks, b)
			continue
		}
		_, note := normHeading(h)
		cur = &section{field: f, heading: cleanHeading(h), note: note, value: value, level: b.level, line: b.start}
		secs = append(secs, cur)
	}
	return pre, secs
}

// cleanHeading removes emphasis marks and a trailing colon.
func cleanHeading(h string) string {
	h = strings.TrimSpace(h)
	for _, m := range []string{"**", "__"} {
		if strings.HasPrefix(h, m) && strings.HasSuffix(h, m) && len(h) > 4 {
			h = h[2 : len(h)-2]
		}
	}
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(h), ":"))
}
