package jobs

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// DefaultSchedule is when digests go out unless HINDSIGHT_NUDGE_SCHEDULE
// says otherwise: Monday and Thursday at 10:00 in each recipient's zone.
const DefaultSchedule = "Mon,Thu 10:00"

// Working hours: no message is sent outside them, in the recipient's zone.
const (
	workStart = 9  // 09:00
	workEnd   = 17 // until 17:00
)

// Schedule is the set of weekly wall-clock times at which digests are
// due, read in each recipient's own zone.
type Schedule struct {
	slots []slot // sorted by day, then minute
	text  string
}

type slot struct {
	day    time.Weekday
	minute int // since midnight
}

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	"tues": time.Tuesday, "thur": time.Thursday, "thurs": time.Thursday,
}

// ParseSchedule reads a schedule: one or more entries separated by ";",
// each a list of days and a list of times, as in
//
//	Mon,Thu 10:00
//	Mon-Fri 09:30
//	Tue 10:00,15:00; Fri 11:00
//	weekdays 10:00
//
// Days are English names or their first three letters, in any case;
// "a-b" is a range that may wrap (Fri-Mon), "weekdays" is Mon-Fri and
// "daily" every day. Times are 24-hour HH:MM.
func ParseSchedule(s string) (Schedule, error) {
	invalid := func(format string, args ...any) error {
		return &postmortem.Error{Code: postmortem.EInvalid, Field: "HINDSIGHT_NUDGE_SCHEDULE",
			Message: fmt.Sprintf(format, args...) + ` (write it as "Mon,Thu 10:00")`}
	}
	seen := map[slot]bool{}
	var out Schedule
	for _, entry := range strings.Split(s, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		daysText, timesText, ok := strings.Cut(entry, " ")
		if !ok {
			return Schedule{}, invalid("%q has no time", entry)
		}
		days, err := parseDays(daysText)
		if err != nil {
			return Schedule{}, invalid("%s", err)
		}
		var minutes []int
		for _, t := range strings.Split(strings.ReplaceAll(timesText, " ", ""), ",") {
			m, err := parseClock(t)
			if err != nil {
				return Schedule{}, invalid("%s", err)
			}
			minutes = append(minutes, m)
		}
		for _, d := range days {
			for _, m := range minutes {
				sl := slot{d, m}
				if !seen[sl] {
					seen[sl] = true
					out.slots = append(out.slots, sl)
				}
			}
		}
	}
	if len(out.slots) == 0 {
		return Schedule{}, invalid("no days and times given")
	}
	sort.Slice(out.slots, func(i, j int) bool {
		a, b := out.slots[i], out.slots[j]
		return a.day < b.day || (a.day == b.day && a.minute < b.minute)
	})
	out.text = strings.TrimSpace(s)
	return out, nil
}

func parseDays(s string) ([]time.Weekday, error) {
	var out []time.Weekday
	for _, part := range strings.Split(strings.ToLower(s), ",") {
		part = strings.TrimSpace(part)
		switch part {
		case "daily":
			part = "sun-sat"
		case "weekdays":
			part = "mon-fri"
		}
		from, to, isRange := strings.Cut(part, "-")
		a, ok := dayNames[from]
		if !ok {
			return nil, fmt.Errorf("%q is not a day", from)
		}
		if !isRange {
			out = append(out, a)
			continue
		}
		b, ok := dayNames[to]
		if !ok {
			return nil, fmt.Errorf("%q is not a day", to)
		}
		for d := a; ; d = (d + 1) % 7 {
			out = append(out, d)
			if d == b {
				break
			}
		}
	}
	return out, nil
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, fmt.Errorf("%q is not a time of day (HH:MM)", s)
	}
	return hh*60 + mm, nil
}

// String returns the schedule as it was written.
func (s Schedule) String() string { return s.text }

// Last returns the latest scheduled time at or before now, in now's
// location, or the zero time for an empty schedule. Times a daylight
// saving change skips are read as time.Date normalises them.
func (s Schedule) Last(now time.Time) time.Time {
	var best time.Time
	y, m, d := now.Date()
	for back := 0; back <= 7 && best.IsZero(); back++ {
		day := time.Date(y, m, d-back, 0, 0, 0, 0, now.Location())
		for i := len(s.slots) - 1; i >= 0; i-- {
			sl := s.slots[i]
			if sl.day != day.Weekday() {
				continue
			}
			at := time.Date(day.Year(), day.Month(), day.Day(), sl.minute/60, sl.minute%60, 0, 0, now.Location())
			if !at.After(now) && at.After(best) {
				best = at
			}
		}
	}
	return best
}

// WorkingHours reports whether t, in its own location, is between 09:00
// and 17:00 on a Monday to Friday.
func WorkingHours(t time.Time) bool {
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return t.Hour() >= workStart && t.Hour() < workEnd
}
