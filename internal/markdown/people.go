package markdown

import (
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// accountStates are bracketed notes that say a person may no longer be
// reachable; any other bracket is part of the name ("Joseph (Pepe) Kelly").
var accountStates = map[string]bool{
	"deactivated": true, "unlicensed": true, "inactive": true, "suspended": true,
	"disabled": true, "left": true, "former employee": true, "departed": true,
	"left the company": true, "no longer here": true, "external": true, "guest": true,
	"deleted": true, "archived": true,
}

// noOwner are cell values that name nobody.
var noOwner = map[string]bool{
	"": true, "-": true, "--": true, "—": true, "?": true, "??": true, "???": true, "n/a": true,
	"na": true, "none": true, "tbd": true, "tba": true, "tbc": true, "todo": true,
	"unassigned": true, "nobody": true, "no one": true, "noone": true, "unknown": true,
}

// person reads one name with an optional account-state note.
func person(s string) (postmortem.Person, bool) {
	s = stripInline(s)
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), ",;/&"))
	s = strings.TrimPrefix(s, "@")
	s = strings.TrimSpace(strings.TrimRight(s, ",;:."))
	var p postmortem.Person
	for _, br := range [][2]string{{"(", ")"}, {"[", "]"}} {
		if strings.HasSuffix(s, br[1]) {
			if i := strings.LastIndex(s, br[0]); i > 0 {
				inner := strings.TrimSpace(s[i+1 : len(s)-1])
				if accountStates[strings.ToLower(inner)] {
					p.Annotation = inner
					s = strings.TrimSpace(s[:i])
				}
			}
		}
	}
	s = strings.TrimSpace(strings.TrimPrefix(s, "@"))
	if noOwner[strings.ToLower(s)] {
		return postmortem.Person{}, false
	}
	p.Name = s
	return p, true
}

// people splits a string naming one or more people: wiki mentions glued or
// spaced ("@A B@C D", "@A B @C D"), handles ("@a, @b"), or names separated
// by commas, semicolons, slashes, "and", "or", "&". unsplit is true when it
// looks like several names with no separator, kept as one.
func people(s string) (out []postmortem.Person, unsplit bool) {
	s = strings.TrimSpace(stripInline(s))
	var parts []string
	if strings.HasPrefix(s, "@") || strings.Contains(s, " @") {
		from := 0
		for i := 1; i < len(s); i++ {
			if s[i] != '@' {
				continue
			}
			prev := s[i-1]
			// A mention starts at "@" after a space, a separator, a bracket or
			// glued to the name before; "name@example.com" is an address.
			if isLetter(prev) || isDigit(prev) {
				if looksLikeEmail(s[i+1:]) {
					continue
				}
			}
			parts = append(parts, s[from:i])
			from = i
		}
		parts = append(parts, s[from:])
	} else {
		parts = splitNames(s)
	}
	for _, part := range parts {
		part = strings.TrimSpace(part)
		for _, sep := range []string{" and", " or", " &", ",", ";", "/"} {
			part = strings.TrimSuffix(strings.TrimSpace(part), sep)
		}
		if p, ok := person(part); ok {
			out = append(out, p)
		}
	}
	if len(out) == 1 && out[0].Annotation == "" {
		words := strings.Fields(out[0].Name)
		if len(words) >= 4 && len(words)%2 == 0 {
			caps := true
			for _, w := range words {
				if w[0] < 'A' || w[0] > 'Z' {
					caps = false
				}
			}
			unsplit = caps
		}
	}
	return out, unsplit
}

func looksLikeEmail(after string) bool {
	if len(after) > 100 {
		after = after[:100]
	}
	end := strings.IndexAny(after, " ,;()[]<>@")
	if end < 0 {
		end = len(after)
	}
	host := after[:end]
	return strings.Contains(host, ".") && !strings.HasSuffix(host, ".")
}

// splitNames splits plain names on the separators people use between them.
func splitNames(s string) []string {
	return strings.Split(nameSeparator.Replace(s), ",")
}

// stripInline removes emphasis and code marks and turns [text](url) into
// text.
func stripInline(s string) string {
	if strings.Contains(s, "](") {
		var b strings.Builder
		for {
			i := strings.Index(s, "[")
			if i < 0 {
				break
			}
			j := strings.Index(s[i:], "](")
			if j < 0 {
				break
			}
			k := strings.IndexByte(s[i+j:], ')')
			if k < 0 {
				break
			}
			b.WriteString(s[:i])
			b.WriteString(s[i+1 : i+j])
			s = s[i+j+k+1:]
		}
		b.WriteString(s)
		s = b.String()
	}
	return inlineMarks.Replace(s)
}

// Replacers are built once: building one per call showed in profiles.
var (
	inlineMarks   = strings.NewReplacer("**", "", "__", "", "`", "")
	nameSeparator = strings.NewReplacer(" and ", ",", " or ", ",", " & ", ",", " / ", ",", ";", ",")
)
