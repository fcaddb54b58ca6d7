package jobs

import (
	"testing"
	"time"
)

func TestParseSchedule(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []slot
	}{
		{"Mon,Thu 10:00", []slot{{time.Monday, 600}, {time.Thursday, 600}}},
		{"mon-wed 09:30", []slot{{time.Monday, 570}, {time.Tuesday, 570}, {time.Wednesday, 570}}},
		{"Fri-Mon 08:00", []slot{{time.Sunday, 480}, {time.Monday, 480}, {time.Friday, 480}, {time.Saturday, 480}}},
		{"Tue 10:00, 15:00; Friday 11:05", []slot{{time.Tuesday, 600}, {time.Tuesday, 900}, {time.Friday, 665}}},
		{"weekdays 10:00;Mon 10:00", []slot{{time.Monday, 600}, {time.Tuesday, 600}, {time.Wednesday, 600}, {time.Thursday, 600}, {time.Friday, 600}}},
	} {
		s, err := ParseSchedule(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if len(s.slots) != len(tc.want) {
			t.Errorf("%q = %v, want %v", tc.in, s.slots, tc.want)
			continue
		}
		for i := range s.slots {
			if s.slots[i] != tc.want[i] {
				t.Errorf("%q = %v, want %v", tc.in, s.slots, tc.want)
				break
			}
		}
	}
	for _, bad := range []string{"", "Mon", "10:00", "Mon 25:00", "Mon 10:0", "Someday 10:00", "Mon-Funday 10:00", "Mon 10h"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestLast(t *testing.T) {
	s, _ := ParseSchedule("Mon,Thu 10:00")
	ny, _ := time.LoadLocation("America/New_York")
	at := func(y int, m time.Month, d, h, min int, loc *time.Location) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, loc)
	}
	for _, tc := range []struct{ now, want time.Time }{
		{at(2026, 11, 19, 10, 30, time.UTC), at(2026, 11, 19, 10, 0, time.UTC)}, // Thursday after the slot
		{at(2026, 11, 19, 10, 0, time.UTC), at(2026, 11, 19, 10, 0, time.UTC)},  // on it
		{at(2026, 11, 19, 9, 59, time.UTC), at(2026, 11, 16, 10, 0, time.UTC)},  // just before: Monday's
		{at(2026, 11, 16, 9, 0, time.UTC), at(2026, 11, 12, 10, 0, time.UTC)},   // Monday early: last Thursday's
		{at(2026, 11, 22, 23, 0, ny), at(2026, 11, 19, 10, 0, ny)},              // Sunday, in New York
		{at(2026, 3, 9, 10, 30, ny), at(2026, 3, 9, 10, 0, ny)},                 // the Monday after DST began
	} {
		if got := s.Last(tc.now); !got.Equal(tc.want) {
			t.Errorf("Last(%v) = %v, want %v", tc.now, got, tc.want)
		}
	}
}

func TestWorkingHours(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want bool
	}{
		{time.Date(2026, 11, 19, 9, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 11, 19, 16, 59, 0, 0, time.UTC), true},
		{time.Date(2026, 11, 19, 17, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 11, 19, 8, 59, 0, 0, time.UTC), false},
		{time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC), false}, // Saturday
	} {
		if got := WorkingHours(tc.t); got != tc.want {
			t.Errorf("WorkingHours(%v) = %v", tc.t, got)
		}
	}
}
