package migrations

import (
	"strings"
	"testing"
)

func TestAll(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 || all[0].Name != "0001_init.sql" {
		t.Fatalf("migrations = %+v", all)
	}
	for i, m := range all {
		if m.Version != i+1 || strings.TrimSpace(m.SQL) == "" {
			t.Errorf("migration %d: %s version %d, %d bytes", i, m.Name, m.Version, len(m.SQL))
		}
	}
	latest, err := Latest()
	if err != nil || latest != len(all) {
		t.Errorf("Latest = %d, %v", latest, err)
	}
}
