package markdown

import (
	"fmt"
	"strings"
)

// ymd is a calendar date; y is 0 when the document gave no year and d is 0
// when it gave only a month.
type ymd struct{ y, m, d int }

func (t ymd) valid() bool {
	return t.y > 0 && t.m >= 1 && t.m <= 12 && t.d >= 1 && t.d <= daysIn(t.y, t.m)
}

func (t ymd) iso() string { return fmt.Sprintf("%04d-%02d-%02d", t.y, t.m, t.d) }

func (t ymd) less(o ymd) bool {
	if t.y != o.y {
		return t.y < o.y
	}
	if t.m != o.m {
		return t.m < o.m
	}
	return t.d < o.d
}

// next returns the following day.
func (t ymd) next() ymd {
	t.d++
	if t.d > daysIn(t.y, t.m) {
		t.d = 1
		t.m++
		if t.m > 12 {
			t.m = 1
			t.y++
		}
	}
	return t
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

var months = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
	"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
	"september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

var weekdays = map[string]bool{
	"mon": true, "monday": true, "tue": true, "tues": true, "tuesday": true, "wed": true,
	"wednesday": true, "thu": true, "thur": true, "thurs": true, "thursday": true, "fri": true,
	"friday": true, "sat": true, "saturday": true, "sun": true, "sunday": true,
}

// dateOrder says how numeric dates such as 03/04/2024 are read.
type dateOrder struct {
	dayFirst bool
	decided  bool // the document or the configuration decided it
}

// scanDateOrder looks for a numeric date that only one order can read (a
// day above 12); the configuration decides otherwise.
func scanDateOrder(text, opt string) dateOrder {
	day, month := false, false
	for i := 0; i < len(text); i++ {
		if !isDigit(text[i]) || (i > 0 && (isDigit(text[i-1]) || text[i-1] == '/' || text[i-1] == '.')) {
			continue
		}
		a, n1 := digits(text[i:], 2)
		if n1 == 0 || i+n1 >= len(text) {
			continue
		}
		sep := text[i+n1]
		if sep != '/' && sep != '.' && sep != '-' {
			continue
		}
		b, n2 := digits(text[i+n1+1:], 2)
		j := i + n1 + 1 + n2
		if n2 == 0 || j >= len(text) || text[j] != sep {
			continue
		}
		_, n3 := digits(text[j+1:], 4)
		if n3 != 4 && n3 != 2 {
			continue
		}
		switch {
		case a > 12 && b <= 12:
			day = true
		case b > 12 && a <= 12:
			month = true
		}
	}
	switch {
	case day && !month:
		return dateOrder{dayFirst: true, decided: true}
	case month && !day:
		return dateOrder{dayFirst: false, decided: true}
	case opt == "month":
		return dateOrder{dayFirst: false, decided: true}
	case opt == "day":
		return dateOrder{dayFirst: true, decided: true}
	}
	return dateOrder{dayFirst: true}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// digits reads up to max decimal digits and returns their value and count.
func digits(s string, max int) (int, int) {
	v, n := 0, 0
	for n < len(s) && n < max && isDigit(s[n]) {
		v = v*10 + int(s[n]-'0')
		n++
	}
	return v, n
}

// word reads a run of ASCII letters.
func word(s string) string {
	n := 0
	for n < len(s) && n < 13 && isLetter(s[n]) {
		n++
	}
	return s[:n]
}

// ordinal skips an ordinal suffix (st, nd, rd, th).
func ordinal(s string) int {
	if len(s) >= 2 {
		switch strings.ToLower(s[:2]) {
		case "st", "nd", "rd", "th":
			if len(s) == 2 || !isLetter(s[2]) {
				return 2
			}
		}
	}
	return 0
}

// numericDate is a date written with numbers only, both readings kept
// until the document's order is known.
type numericDate struct {
	a, b, y int
}

// dateAt reads a date at the start of s. It returns the date, the bytes
// used, and for numeric dates whose order is unknown the raw parts. It
// never reads past a date's last digit, so a year glued to a time
// ("202216:20") leaves the time.
func dateAt(s string, order dateOrder) (ymd, int, *numericDate, bool) {
	i := 0
	// A weekday in front: "Monday, 18 March 2021", "Tue 3 Oct".
	if w := word(s); w != "" && weekdays[strings.ToLower(w)] {
		j := len(w)
		if j < len(s) && s[j] == ',' {
			j++
		}
		if j < len(s) && s[j] == ' ' {
			if t, n, nd, ok := dateAt(s[j+1:], order); ok {
				return t, j + 1 + n, nd, true
			}
		}
		return ymd{}, 0, nil, false
	}
	if isDigit(s[i]) {
		a, n := digits(s, 4)
		if n == 4 && len(s) > 4 && (s[4] == '-' || s[4] == '/' || s[4] == '.') {
			m, n2 := digits(s[5:], 2)
			if n2 > 0 && len(s) > 5+n2 && s[5+n2] == s[4] {
				d, n3 := digits(s[6+n2:], 2)
				if n3 > 0 && (len(s) == 6+n2+n3 || !isDigit(s[6+n2+n3])) {
					t := ymd{a, m, d}
					if t.valid() {
						return t, 6 + n2 + n3, nil, true
					}
				}
			}
			return ymd{}, 0, nil, false
		}
		if n > 2 {
			return ymd{}, 0, nil, false
		}
		j := n
		// "D Mon YYYY", "Dth Month", "12 September 2024".
		k := j + ordinal(s[j:])
		if k < len(s) && s[k] == ' ' {
			if w := word(s[k+1:]); w != "" {
				if m, ok := months[strings.ToLower(w)]; ok {
					e := k + 1 + len(w)
					if e < len(s) && s[e] == '.' {
						e++
					}
					t := ymd{0, m, a}
					if e < len(s) && (s[e] == ' ' || s[e] == ',') {
						f := e + 1
						if s[e] == ',' && f < len(s) && s[f] == ' ' {
							f++
						}
						if y, ny := digits(s[f:], 4); ny == 4 {
							t.y = y
							e = f + 4
						}
					}
					if t.d >= 1 && t.d <= 31 {
						return t, e, nil, true
					}
				}
			}
			return ymd{}, 0, nil, false
		}
		// Numeric: D/M/YYYY, M-D-YY, D.M.YYYY, M/D.
		if j < len(s) && (s[j] == '/' || s[j] == '-' || s[j] == '.') {
			sep := s[j]
			b, n2 := digits(s[j+1:], 2)
			if n2 == 0 {
				return ymd{}, 0, nil, false
			}
			e := j + 1 + n2
			y := 0
			if e < len(s) && s[e] == sep {
				yy, ny := digits(s[e+1:], 4)
				switch ny {
				case 4:
					y = yy
				case 2:
					y = 2000 + yy
				default:
					return ymd{}, 0, nil, false
				}
				e += 1 + ny
			} else if sep != '/' {
				return ymd{}, 0, nil, false
			}
			if e < len(s) && isDigit(s[e]) && y == 0 {
				return ymd{}, 0, nil, false
			}
			nd := &numericDate{a: a, b: b, y: y}
			t, ok := nd.read(order.dayFirst)
			if !ok {
				t, ok = nd.read(!order.dayFirst)
				nd = nil // only one reading is possible
			} else if _, other := nd.read(!order.dayFirst); !other || a == b {
				nd = nil
			}
			if !ok {
				return ymd{}, 0, nil, false
			}
			return t, e, nd, true
		}
		return ymd{}, 0, nil, false
	}
	// "Mon D, YYYY", "Month Dth, YYYY", "Mon D YYYY", "Mon D".
	w := word(s)
	m, ok := months[strings.ToLower(w)]
	if !ok {
		return ymd{}, 0, nil, false
	}
	j := len(w)
	if j < len(s) && s[j] == '.' {
		j++
	}
	if j >= len(s) || s[j] != ' ' {
		return ymd{}, 0, nil, false
	}
	j++
	d, n := digits(s[j:], 2)
	if n == 0 {
		// "Month YYYY": a month, not a day.
		if y, ny := digits(s[j:], 4); ny == 4 {
			return ymd{y, m, 0}, j + 4, nil, true
		}
		return ymd{}, 0, nil, false
	}
	if j+n < len(s) && isDigit(s[j+n]) {
		return ymd{}, 0, nil, false
	}
	j += n
	j += ordinal(s[j:])
	t := ymd{0, m, d}
	k := j
	if k < len(s) && s[k] == ',' {
		k++
	}
	if k < len(s) && s[k] == ' ' {
		k++
	}
	if y, ny := digits(s[k:], 4); ny == 4 {
		t.y = y
		j = k + 4
	}
	if d < 1 || d > 31 {
		return ymd{}, 0, nil, false
	}
	return t, j, nil, true
}

// read interprets a numeric date day-first or month-first.
func (n *numericDate) read(dayFirst bool) (ymd, bool) {
	t := ymd{n.y, n.b, n.a}
	if !dayFirst {
		t = ymd{n.y, n.a, n.b}
	}
	if t.m < 1 || t.m > 12 || t.d < 1 || t.d > 31 {
		return ymd{}, false
	}
	if t.y > 0 && !t.valid() {
		return ymd{}, false
	}
	return t, true
}

// findDate reads the first date anywhere in s (used for header values,
// titles and file names), returning it and where it started and ended.
func findDate(s string, order dateOrder) (ymd, int, int, *numericDate, bool) {
	for i := 0; i < len(s); i++ {
		if i > 0 && (isDigit(s[i-1]) || isLetter(s[i-1])) {
			continue
		}
		if !isDigit(s[i]) && !isLetter(s[i]) {
			continue
		}
		if t, n, nd, ok := dateAt(s[i:], order); ok {
			return t, i, i + n, nd, true
		}
	}
	return ymd{}, 0, 0, nil, false
}
