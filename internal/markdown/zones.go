package markdown

import (
	"fmt"
	"strings"
	"time"
)

// zoneOffsets are the labels the corpus uses, taken literally (PST is
// -08:00 even in July; a label that does not fit the season gets a warning).
var zoneOffsets = map[string]string{
	"UTC": "Z", "Z": "Z", "GMT": "+00:00", "WET": "+00:00", "WEST": "+01:00",
	"BST": "+01:00", "CET": "+01:00", "CEST": "+02:00", "EET": "+02:00", "EEST": "+03:00",
	"PST": "-08:00", "PDT": "-07:00", "MST": "-07:00", "MDT": "-06:00",
	"CST": "-06:00", "CDT": "-05:00", "EST": "-05:00", "EDT": "-04:00",
	"AEST": "+10:00", "AEDT": "+11:00", "JST": "+09:00", "SGT": "+08:00", "HKT": "+08:00",
	"NZST": "+12:00", "NZDT": "+13:00",
}

// zoneSummer says which labels are summer time, for the season warning.
var zoneSummer = map[string]bool{"BST": true, "CEST": true, "PDT": true, "MDT": true, "CDT": true, "EDT": true, "EEST": true, "WEST": true, "AEDT": false}

// ambiguousZones are labels with more than one meaning.
var ambiguousZones = map[string]bool{"IST": true}

// zoneLabelAt reads a zone label at the start of s: a known abbreviation,
// UTC+N / GMT-N[:MM], or an ambiguous label. It returns the label as written
// (upper-cased) and its length.
func zoneLabelAt(s string) (string, int) {
	w := word(s)
	if w == "" || len(w) > 4 {
		return "", 0
	}
	up := strings.ToUpper(w)
	if w != up && w != "Utc" {
		return "", 0
	}
	if _, ok := zoneOffsets[up]; !ok && !ambiguousZones[up] {
		return "", 0
	}
	n := len(w)
	if (up == "UTC" || up == "GMT") && n < len(s) && (s[n] == '+' || s[n] == '-') {
		h, nh := digits(s[n+1:], 2)
		if nh > 0 && h <= 14 {
			e := n + 1 + nh
			mins := 0
			if e+2 < len(s) && s[e] == ':' && isDigit(s[e+1]) && isDigit(s[e+2]) {
				mins, _ = digits(s[e+1:], 2)
				e += 3
			}
			if e == len(s) || !isDigit(s[e]) {
				return fmt.Sprintf("%s%c%02d:%02d", up, s[n], h, mins), e
			}
		}
	}
	if up == "Z" {
		return "", 0
	}
	return up, n
}

// offsetFor returns the ISO offset for a zone label on a date: "" with ok
// false when the label is unknown or ambiguous.
func offsetFor(label string, t ymd, hh, mm int) (string, bool) {
	if label == "" {
		return "", false
	}
	if off, ok := zoneOffsets[label]; ok {
		return off, true
	}
	if label[0] == '+' || label[0] == '-' {
		return label, true
	}
	if (strings.HasPrefix(label, "UTC") || strings.HasPrefix(label, "GMT")) && len(label) == 9 {
		off := label[3:]
		if off == "+00:00" && strings.HasPrefix(label, "UTC") {
			return "Z", true
		}
		return off, true
	}
	if strings.Contains(label, "/") && t.valid() {
		loc, err := time.LoadLocation(label)
		if err != nil {
			return "", false
		}
		_, secs := time.Date(t.y, time.Month(t.m), t.d, hh, mm, 0, 0, loc).Zone()
		if secs == 0 && label == "UTC" {
			return "Z", true
		}
		sign := byte('+')
		if secs < 0 {
			sign, secs = '-', -secs
		}
		return fmt.Sprintf("%c%02d:%02d", sign, secs/3600, secs%3600/60), true
	}
	return "", false
}

// seasonMismatch reports a summer label on a winter date or the reverse,
// for the northern-hemisphere zones the table knows.
func seasonMismatch(label string, t ymd) bool {
	summer, known := zoneSummer[label]
	if !known || label == "AEDT" || t.m == 0 {
		return false
	}
	inSummer := t.m >= 4 && t.m <= 10
	if t.m == 3 || t.m == 11 {
		return false // the switch happens in these months
	}
	return summer != inSummer
}

// zoneNote finds a default zone in a note such as "All times UTC.", "All
// times in BST unless otherwise stated", "(times in PST)" or "(UTC)".
func zoneNote(s string) (string, bool) {
	t := strings.TrimSpace(strings.Trim(strings.TrimSpace(s), "*_()."))
	if t == "" || len(t) > 120 {
		return "", false
	}
	if label, n := zoneLabelAt(t); n == len(t) && label != "" {
		return label, true
	}
	lower := strings.ToLower(t)
	if !strings.Contains(lower, "time") && !strings.Contains(lower, "zone") {
		return "", false
	}
	for _, f := range strings.FieldsFunc(t, func(r rune) bool { return r == ' ' || r == ',' || r == '(' || r == ')' || r == '.' || r == ';' }) {
		if label, n := zoneLabelAt(f); n == len(f) && label != "" {
			return label, true
		}
		if strings.Count(f, "/") == 1 && len(f) > 5 && f[0] >= 'A' && f[0] <= 'Z' {
			if _, err := time.LoadLocation(f); err == nil {
				return f, true
			}
		}
	}
	return "", false
}
