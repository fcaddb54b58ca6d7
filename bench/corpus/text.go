package corpus

import (
	"bytes"
	"strconv"
	"strings"
	"time"
)

// md renders inline code as backticks.
func md(s string) string { return replaceMarks(s, "`", "`") }

// txt renders inline code the way flattened wiki pages do: the token on a
// line of its own.
func txt(s string) string {
	s = strings.ReplaceAll(s, " "+codeMark, codeMark)
	return replaceMarks(s, "\n", "\n")
}

// plain drops the inline-code marks.
func plain(s string) string { return strings.ReplaceAll(s, codeMark, "") }

func replaceMarks(s, open, close string) string {
	if !strings.Contains(s, codeMark) {
		return s
	}
	var b strings.Builder
	for n := 0; ; n++ {
		i := strings.Index(s, codeMark)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i+len(codeMark):]
		if n%2 == 0 {
			b.WriteString(open)
		} else {
			b.WriteString(close)
			if open == "\n" {
				s = strings.TrimPrefix(s, " ")
			}
		}
	}
}

func isoDate(t time.Time) string  { return t.Format("2006-01-02") }
func wikiDate(t time.Time) string { return t.Format("Jan 2, 2006") }
func longDate(t time.Time) string { return t.Format("2 January 2006") }
func clock(t time.Time) string    { return t.Format("15:04") }

// sameDay reports whether a and b fall on the same calendar day.
func sameDay(a, b time.Time) bool {
	return a.YearDay() == b.YearDay() && a.Year() == b.Year()
}

// mdWriter writes Markdown blocks separated by blank lines.
type mdWriter struct{ bytes.Buffer }

func (w *mdWriter) line(parts ...string) {
	for _, p := range parts {
		w.WriteString(p)
	}
	w.WriteByte('\n')
}

// block writes one block followed by a blank line.
func (w *mdWriter) block(parts ...string) {
	w.line(parts...)
	w.WriteByte('\n')
}

func (w *mdWriter) para(sentences []string) {
	w.block(md(strings.Join(sentences, " ")))
}

func (w *mdWriter) bullets(marker string, items []string) {
	for _, it := range items {
		w.line(marker, " ", md(it))
	}
	w.WriteByte('\n')
}

func (w *mdWriter) numbered(items []string) {
	for i, it := range items {
		w.line(strconv.Itoa(i+1), ". ", md(it))
	}
	w.WriteByte('\n')
}

var fold = strings.NewReplacer(
	"à", "a", "á", "a", "â", "a", "ä", "a", "ã", "a", "å", "a", "æ", "ae",
	"ç", "c", "č", "c", "ć", "c", "è", "e", "é", "e", "ê", "e", "ë", "e",
	"ì", "i", "í", "i", "î", "i", "ï", "i", "ı", "i", "ł", "l", "ñ", "n",
	"ń", "n", "ò", "o", "ó", "o", "ô", "o", "ö", "o", "ø", "o", "š", "s",
	"ś", "s", "ß", "ss", "ù", "u", "ú", "u", "û", "u", "ü", "u", "ý", "y",
	"ž", "z", "ź", "z", "ż", "z",
)

// slug turns a title into the lowercase ASCII words of a file name,
// at most about 60 characters long.
func slug(title string) string {
	s := fold.Replace(strings.ToLower(title))
	var b strings.Builder
	dash := false
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if dash && b.Len() > 0 {
				if b.Len() >= 60 {
					break
				}
				b.WriteByte('-')
			}
			b.WriteRune(c)
			dash = false
			continue
		}
		dash = true
	}
	return b.String()
}
