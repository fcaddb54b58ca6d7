package sqlite

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// NameKey is how names are compared: lower case, accents stripped, a
// leading @ (a chat handle) dropped and runs of white space collapsed, so
// "Lucía Ferreyra", "lucia  ferreyra" and "@Lucia Ferreyra" are one key.
// Owners in documents and people's names and aliases are matched by it.
func NameKey(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "@")
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsSpace(r):
			space = b.Len() > 0
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
