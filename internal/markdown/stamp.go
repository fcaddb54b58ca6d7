package markdown

import (
	"fmt"
	"strings"
)

// stamp is the timestamp at the start of a timeline entry.
type stamp struct {
	date        ymd
	hasDate     bool
	numeric     *numericDate // set when the date's day/month order is open
	h, m, s     int
	hasTime     bool
	hasSec      bool
	placeholder string // "??:??", "xx:xx"…: a time that cannot be read
	approx      bool
	zone        string // a zone label written after the time
	end         string // the end of a range, as hh:mm[:ss]
}

// clock is a time of day read by timeAt.
type clock struct {
	h, m, s int
	hasSec  bool
}

func (c clock) String() string {
	if c.hasSec {
		return fmt.Sprintf("%02d:%02d:%02d", c.h, c.m, c.s)
	}
	return fmt.Sprintf("%02d:%02d", c.h, c.m)
}

// timeAt reads a time of day at the start of s: h:mm, hh:mm:ss, with am/pm,
// and, when allowBare, hhmm. It returns the clock and the bytes used.
func timeAt(s string, allowBare bool) (clock, int, bool) {
	h, n := digits(s, 2)
	if n == 0 {
		return clock{}, 0, false
	}
	var c clock
	i := n
	switch {
	case i < len(s) && s[i] == ':':
		m, n2 := digits(s[i+1:], 2)
		if n2 != 2 || m > 59 {
			return clock{}, 0, false
		}
		c = clock{h: h, m: m}
		i += 3
		if i+2 < len(s) && s[i] == ':' && isDigit(s[i+1]) && isDigit(s[i+2]) && (i+3 == len(s) || !isDigit(s[i+3])) {
			sec, _ := digits(s[i+1:], 2)
			if sec > 59 {
				return clock{}, 0, false
			}
			c.s, c.hasSec = sec, true
			i += 3
		}
		if i < len(s) && isDigit(s[i]) {
			return clock{}, 0, false
		}
	case allowBare && n == 2:
		m, n2 := digits(s[2:], 2)
		if n2 != 2 || m > 59 || (len(s) > 4 && isDigit(s[4])) {
			return clock{}, 0, false
		}
		c = clock{h: h, m: m}
		i = 4
	default:
		return clock{}, 0, false
	}
	// am / pm, glued or after one space.
	j := i
	if j < len(s) && s[j] == ' ' {
		j++
	}
	if ap, k := meridiem(s[j:]); k > 0 {
		switch {
		case c.h > 12:
			// "13:55 PM" means 13:55.
		case ap == 'a' && c.h == 12:
			c.h = 0
		case ap == 'p' && c.h < 12:
			c.h += 12
		}
		i = j + k
	}
	if c.h > 23 {
		return clock{}, 0, false
	}
	return c, i, true
}

// meridiem reads am, pm, a.m. or p.m. (any case) not followed by a letter.
func meridiem(s string) (byte, int) {
	if len(s) < 2 {
		return 0, 0
	}
	c := s[0] | 0x20
	if c != 'a' && c != 'p' {
		return 0, 0
	}
	switch {
	case s[1]|0x20 == 'm':
		if len(s) > 2 && isLetter(s[2]) {
			return 0, 0
		}
		return c, 2
	case s[1] == '.' && len(s) >= 4 && s[2]|0x20 == 'm' && s[3] == '.':
		return c, 4
	}
	return 0, 0
}

// placeholderAt reads a time that was never filled in: ??:??, xx:xx,
// HH:xx, --:--, 14:??.
func placeholderAt(s string) (string, int) {
	isPh := func(c byte) bool { return c == '?' || c == 'x' || c == 'X' || c == '-' }
	i := 0
	for i < len(s) && i < 2 && (isPh(s[i]) || isDigit(s[i])) {
		i++
	}
	if i == 0 || i >= len(s) || s[i] != ':' {
		return "", 0
	}
	j := i + 1
	for j < len(s) && j-i-1 < 2 && (isPh(s[j]) || isDigit(s[j])) {
		j++
	}
	if j-i-1 != 2 || (j < len(s) && (isLetter(s[j]) || isDigit(s[j]))) {
		return "", 0
	}
	ph := s[:j]
	if strings.Trim(ph, "0123456789:") == "" {
		return "", 0 // a real time
	}
	if strings.Trim(ph, "-:") == "" && i < 2 {
		return "", 0
	}
	return ph, j
}

// stampAt reads the timestamp at the start of an entry line and returns
// the rest of the line as the entry's text. Markup around the stamp (bold,
// code, a leading ": " left where a date was stripped) is skipped.
func stampAt(line string, order dateOrder) (stamp, string, bool) {
	s := line
	var st stamp
	isoT := false
	i := skipLead(s)
	closeMark := ""
	for _, m := range []string{"**", "__", "`", "*", "["} {
		if strings.HasPrefix(s[i:], m) {
			closeMark = m
			if m == "[" {
				closeMark = "]"
			}
			i += len(m)
			break
		}
	}
	if i < len(s) && s[i] == '~' {
		st.approx = true
		i++
	}
	if i >= len(s) {
		return st, "", false
	}
	if t, n, nd, ok := dateAt(s[i:], order); ok && t.d > 0 {
		st.date, st.hasDate, st.numeric = t, true, nd
		i += n
		// Between date and time: ", ", ": ", " ", "T", " at ", "," alone, or nothing
		// when the rendering glued the year to the time.
		j := i
		for j < len(s) && (s[j] == ',' || s[j] == ':' || s[j] == ' ' || s[j] == 'T') && j-i < 3 {
			if s[j] == 'T' {
				isoT = true
			}
			j++
		}
		if strings.HasPrefix(s[j:], "at ") {
			j += 3
		}
		if j < len(s) && s[j] == '~' {
			st.approx = true
			j++
		}
		if c, n, ok := timeAt(s[j:], true); ok {
			st.h, st.m, st.s, st.hasSec, st.hasTime = c.h, c.m, c.s, c.hasSec, true
			i = j + n
		} else if ph, n := placeholderAt(s[j:]); n > 0 {
			st.placeholder = ph
			i = j + n
		}
	} else if c, n, ok := timeAt(s[i:], false); ok {
		st.h, st.m, st.s, st.hasSec, st.hasTime = c.h, c.m, c.s, c.hasSec, true
		i += n
	} else if ph, n := placeholderAt(s[i:]); n > 0 {
		st.placeholder = ph
		i += n
	} else {
		return st, "", false
	}
	if st.hasTime && isoT {
		i = st.readOffset(s, i)
	}
	if st.hasTime {
		i = st.readRange(s, i)
	}
	i = st.readZone(s, i)
	if closeMark != "" && strings.HasPrefix(s[i:], closeMark) {
		i += len(closeMark)
	}
	// An ordinal date after the time ("0915 3rd Oct") and trailing markup.
	rest, ok := entrySeparator(s[i:], closeMark)
	if !ok {
		return st, "", false
	}
	if !st.hasTime && st.placeholder == "" && !st.hasDate {
		return st, "", false
	}
	return st, rest, true
}

// skipLead skips whitespace, list bullets and the ": " a rendering leaves
// where it stripped a date.
func skipLead(s string) int {
	i := 0
	for i < len(s) {
		switch {
		case s[i] == ' ' || s[i] == '\t':
			i++
		case (s[i] == '-' || s[i] == '*' || s[i] == '+' || s[i] == ':') && i+1 < len(s) && s[i+1] == ' ':
			i += 2
		case strings.HasPrefix(s[i:], "•"):
			i += len("•")
		default:
			return i
		}
	}
	return i
}

// readRange reads the end of a range after a time: "-14:36", " - 15:40",
// " to 10:00", ":SS-SS".
func (st *stamp) readRange(s string, i int) int {
	j := i
	for j < len(s) && s[j] == ' ' {
		j++
	}
	switch {
	case strings.HasPrefix(s[j:], "-"), strings.HasPrefix(s[j:], "–"), strings.HasPrefix(s[j:], "—"):
		if s[j] == '-' {
			j++
		} else {
			j += len("–")
		}
	case strings.HasPrefix(s[j:], "to "), strings.HasPrefix(s[j:], "until "):
		j += strings.IndexByte(s[j:], ' ') + 1
	default:
		return i
	}
	for j < len(s) && s[j] == ' ' {
		j++
	}
	if j < len(s) && s[j] == '~' {
		j++
	}
	if c, n, ok := timeAt(s[j:], false); ok {
		st.end = c.String()
		return j + n
	}
	if st.hasSec {
		// "14:03:10-45": seconds range.
		if v, n := digits(s[j:], 2); n == 2 && v < 60 && (j+2 == len(s) || !isDigit(s[j+2])) {
			st.end = fmt.Sprintf("%02d:%02d:%02d", st.h, st.m, v)
			return j + n
		}
	}
	return i
}

// readOffset reads an ISO offset glued to an ISO time ("T04:30-08:00"),
// which would otherwise read as a range.
func (st *stamp) readOffset(s string, i int) int {
	if i+6 > len(s) || (s[i] != '+' && s[i] != '-') {
		return i
	}
	if isDigit(s[i+1]) && isDigit(s[i+2]) && s[i+3] == ':' && isDigit(s[i+4]) && isDigit(s[i+5]) &&
		(i+6 == len(s) || !isDigit(s[i+6])) {
		st.zone = s[i : i+6]
		return i + 6
	}
	return i
}

// readZone reads a zone label after a time: " UTC", "Z", " (BST)", " GMT+1".
func (st *stamp) readZone(s string, i int) int {
	j := i
	if j < len(s) && s[j] == 'Z' && (j+1 == len(s) || !isLetter(s[j+1])) && st.hasTime {
		st.zone = "Z"
		return j + 1
	}
	for j < len(s) && s[j] == ' ' {
		j++
	}
	paren := j < len(s) && s[j] == '('
	if paren {
		j++
	}
	label, n := zoneLabelAt(s[j:])
	if n == 0 {
		return i
	}
	j += n
	if paren {
		if j >= len(s) || s[j] != ')' {
			return i
		}
		j++
	}
	st.zone = label
	return j
}

// entrySeparator skips what separates a stamp from the entry's text and
// reports whether what follows can be an entry's text at all.
func entrySeparator(s, closeMark string) (string, bool) {
	i := 0
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if closeMark != "" && strings.HasPrefix(s[i:], closeMark) {
		i += len(closeMark)
	}
	for _, sep := range []string{"-", "–", "—", ":", "|", ",", ")"} {
		if strings.HasPrefix(s[i:], sep) {
			i += len(sep)
			break
		}
	}
	if closeMark != "" && strings.HasPrefix(s[i:], closeMark) {
		i += len(closeMark)
	}
	if i == 0 && s != "" && (isLetter(s[0]) || isDigit(s[0])) {
		// Text glued straight to a stamp ("12:52Mike") or digits that go on
		// ("12:52:61") are not an entry.
		return "", false
	}
	return strings.TrimSpace(s[i:]), true
}

// isStamped reports whether a line starts with a timestamp.
func isStamped(line string) bool {
	st, _, ok := stampAt(line, dateOrder{dayFirst: true})
	return ok && (st.hasTime || st.placeholder != "")
}
