package markdown

import (
	"strings"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// ownerCellPeople reads an owner cell: people, and a status word written
// after them ("@Name DONE").
func ownerCellPeople(c string) ([]postmortem.Person, string) {
	c = strings.TrimSpace(stripInline(c))
	if c == "" {
		return nil, ""
	}
	if st, ok := statusOf(c); ok {
		return nil, st
	}
	status := ""
	fields := strings.Fields(c)
	for n := 2; n >= 1; n-- {
		if len(fields) > n {
			tail := strings.Join(fields[len(fields)-n:], " ")
			if st, ok := statusOf(tail); ok && (tail == strings.ToUpper(tail) || n == 2 || strings.HasPrefix(tail, "(")) {
				status = st
				c = strings.Join(fields[:len(fields)-n], " ")
				break
			}
		}
	}
	ps, _ := people(c)
	return ps, status
}

func setOwners(it *postmortem.ActionItem, owners []postmortem.Person) {
	if len(owners) == 0 {
		return
	}
	o := owners[0]
	it.Owner = &o
	if len(owners) > 1 {
		it.Owners = owners
	}
}

// ownerTail splits "text — Owner: Name" or "text (owner: Name)".
func ownerTail(text string) (string, string) {
	lower := strings.ToLower(text)
	for _, key := range []string{"owner:", "owners:", "owned by:", "assignee:", "assigned to:"} {
		i := strings.LastIndex(lower, key)
		if i < 0 {
			continue
		}
		name := strings.TrimSpace(text[i+len(key):])
		body := strings.TrimSpace(text[:i])
		if strings.HasSuffix(body, "(") {
			body = strings.TrimSpace(strings.TrimSuffix(body, "("))
			if j := strings.IndexByte(name, ')'); j >= 0 {
				rest := strings.TrimSpace(name[j+1:])
				name = name[:j]
				if rest != "" {
					body += " " + rest
				}
			}
		}
		body = strings.TrimSpace(strings.TrimRight(body, "—–-,;| "))
		if name != "" && body != "" {
			return body, name
		}
	}
	return text, ""
}

// handles finds @handles in prose: a handle ends at whitespace, a comma or
// a bracket. A wiki mention of a full name ends the text ("… @First Last").
func handles(text string) []postmortem.Person {
	var out []postmortem.Person
	for i := 0; i < len(text); i++ {
		if text[i] != '@' || (i > 0 && (isLetter(text[i-1]) || isDigit(text[i-1]))) {
			continue
		}
		j := i + 1
		for j < len(text) && !strings.ContainsRune(" \t,;()[]{}<>\"'`*", rune(text[j])) {
			j++
		}
		name := strings.TrimRight(text[i+1:j], ".:!?")
		if name == "" {
			continue
		}
		// "@First Last" at the very end, or before an account note.
		rest := text[j:]
		ahead := rest
		if len(ahead) > 60 {
			ahead = ahead[:60] + " x x x"
		}
		if w := strings.Fields(ahead); len(w) == 1 || len(w) == 2 && strings.HasPrefix(w[1], "(") {
			if w[0][0] >= 'A' && w[0][0] <= 'Z' && name[0] >= 'A' && name[0] <= 'Z' && isLetter(w[0][len(w[0])-1]) {
				name += " " + w[0]
				j += strings.Index(rest, w[0]) + len(w[0])
				rest = text[j:]
			}
		}
		p, ok := person(name + annotationAhead(ahead))
		if ok {
			out = append(out, p)
		}
		i = j - 1
	}
	return out
}

// annotationAhead returns " (Deactivated)" when rest starts with one.
func annotationAhead(rest string) string {
	t := strings.TrimSpace(rest)
	if strings.HasPrefix(t, "(") {
		if j := strings.IndexByte(t, ')'); j > 0 && accountStates[strings.ToLower(t[1:j])] {
			return " " + t[:j+1]
		}
	}
	return ""
}
