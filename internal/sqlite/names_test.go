package sqlite

import "testing"

func TestNameKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Lucía Ferreyra", "lucia ferreyra"},
		{"lucia  ferreyra", "lucia ferreyra"},
		{"@Lucia Ferreyra", "lucia ferreyra"},
		{"  @Lucía\tFerreyra \n", "lucia ferreyra"},
		{"LUCÍA FERREYRA", "lucia ferreyra"},
		{"Iñaki Müller-Ørsted", "inaki muller-ørsted"},
		{"Zoë O'Brien", "zoe o'brien"},
		{"José", "jose"},       // precomposed é
		{"Jose\u0301", "jose"}, // e + combining acute
		{"@", ""},
		{"", ""},
		{"a@b.com", "a@b.com"},
	} {
		if got := NameKey(tc.in); got != tc.want {
			t.Errorf("NameKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
