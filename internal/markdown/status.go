package markdown

import (
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// statusWords map what documents write to the contract's statuses.
var statusWords = map[string]string{
	"x": postmortem.StatusDone, "done": postmortem.StatusDone, "complete": postmortem.StatusDone,
	"completed": postmortem.StatusDone, "fixed": postmortem.StatusDone, "resolved": postmortem.StatusDone,
	"closed": postmortem.StatusDone, "finished": postmortem.StatusDone, "shipped": postmortem.StatusDone,
	"merged": postmortem.StatusDone, "✅": postmortem.StatusDone, "✔": postmortem.StatusDone,
	"in progress": postmortem.StatusInProgress, "in-progress": postmortem.StatusInProgress,
	"inprogress": postmortem.StatusInProgress, "in_progress": postmortem.StatusInProgress,
	"ongoing": postmortem.StatusInProgress, "wip": postmortem.StatusInProgress,
	"started": postmortem.StatusInProgress, "in review": postmortem.StatusInProgress,
	"doing": postmortem.StatusInProgress, "underway": postmortem.StatusInProgress,
	"won't do": postmortem.StatusWontDo, "wont do": postmortem.StatusWontDo, "wont_do": postmortem.StatusWontDo,
	"won't fix": postmortem.StatusWontDo, "wont fix": postmortem.StatusWontDo,
	"will not do": postmortem.StatusWontDo, "will not fix": postmortem.StatusWontDo,
	"dropped": postmortem.StatusWontDo, "cancelled": postmortem.StatusWontDo,
	"canceled": postmortem.StatusWontDo, "not planned": postmortem.StatusWontDo,
	"rejected": postmortem.StatusWontDo, "obsolete": postmortem.StatusWontDo,
	"open": postmortem.StatusOpen, "todo": postmortem.StatusOpen, "to do": postmortem.StatusOpen,
	"new": postmortem.StatusOpen, "not started": postmortem.StatusOpen, "planned": postmortem.StatusOpen,
	"backlog": postmortem.StatusOpen, "pending": postmortem.StatusOpen,
}

// statusOf reads a status cell or note; ok is false when it says nothing
// the table knows.
func statusOf(s string) (string, bool) {
	k := strings.ToLower(collapse(strings.Trim(stripInline(s), " .!()[]")))
	k = strings.ReplaceAll(k, "’", "'")
	st, ok := statusWords[k]
	return st, ok
}

// noteStatus finds a status written as a note in an item: "(in progress)",
// "[done]", "DONE:" in front, "– done" at the end.
func noteStatus(text string) (string, bool) {
	for _, br := range [][2]string{{"(", ")"}, {"[", "]"}} {
		from := 0
		for {
			i := strings.Index(text[from:], br[0])
			if i < 0 {
				break
			}
			i += from
			j := strings.Index(text[i:], br[1])
			if j < 0 {
				break
			}
			if j < 20 {
				if st, ok := statusOf(text[i+1 : i+j]); ok {
					return st, true
				}
			}
			from = i + j
		}
	}
	t := strings.TrimSpace(stripInline(text))
	if i := strings.IndexAny(t, ":-–"); i > 0 && i < 14 {
		if st, ok := statusOf(t[:i]); ok && t[:i] == strings.ToUpper(t[:i]) {
			return st, true
		}
	}
	for _, sep := range []string{" - ", " – ", " — "} {
		if i := strings.LastIndex(t, sep); i > 0 {
			if st, ok := statusOf(t[i+len(sep):]); ok {
				return st, true
			}
		}
	}
	return "", false
}

// dueIn finds "due 2024-05-01", "due: 1 May 2024" or "by 2024-05-01".
func dueIn(text string) string {
	lower := strings.ToLower(text)
	for _, key := range []string{"due:", "due by", "due ", "deadline:", " by "} {
		i := strings.Index(lower, key)
		if i < 0 {
			continue
		}
		rest := strings.TrimSpace(text[i+len(key):])
		if _, start, end, _, ok := findDate(rest, dateOrder{dayFirst: true}); ok && start == 0 {
			return rest[:end]
		}
	}
	return ""
}
