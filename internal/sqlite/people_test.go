package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// wantError fails unless err is a *postmortem.Error with code and field
// whose message contains each of parts.
func wantError(t *testing.T, err error, code, field string, parts ...string) {
	t.Helper()
	var pe *postmortem.Error
	if !errors.As(err, &pe) || pe.Code != code || pe.Field != field {
		t.Errorf("err = %v, want %s on %s", err, code, field)
		return
	}
	for _, p := range parts {
		if !strings.Contains(pe.Message, p) {
			t.Errorf("message %q lacks %q", pe.Message, p)
		}
	}
}

func TestPeopleCRUD(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	lucia := &postmortem.Member{Name: " Lucía Ferreyra ", Aliases: []string{"Lu F", "", "lucia ferreyra", "@lu f", " Lucy "},
		Email: "Lucia@Example.com", Team: "payments", Timezone: "Europe/Madrid", Active: true}
	if err := d.CreatePerson(ctx, lucia); err != nil {
		t.Fatal(err)
	}
	if lucia.ID == 0 || lucia.CreatedAt == "" || lucia.UpdatedAt != lucia.CreatedAt || lucia.Name != "Lucía Ferreyra" ||
		strings.Join(lucia.Aliases, "|") != "Lu F|Lucy" {
		t.Errorf("created = %+v", lucia)
	}
	got, err := d.GetPerson(ctx, lucia.ID)
	if err != nil || got.Name != "Lucía Ferreyra" || strings.Join(got.Aliases, "|") != "Lu F|Lucy" || got.Email != "Lucia@Example.com" ||
		got.Team != "payments" || got.Timezone != "Europe/Madrid" || !got.Active {
		t.Errorf("GetPerson = %+v, %v", got, err)
	}
	for _, name := range []string{"lucia ferreyra", "@LUCY", "lu  f"} {
		if m, err := d.MemberByName(ctx, name); err != nil || m.ID != lucia.ID {
			t.Errorf("MemberByName(%q) = %+v, %v", name, m, err)
		}
	}
	if m, err := d.MemberByEmail(ctx, " lucia@example.COM"); err != nil || m.ID != lucia.ID {
		t.Errorf("MemberByEmail = %+v, %v", m, err)
	}
	for _, err := range []error{
		func() error { _, err := d.MemberByName(ctx, "Nobody"); return err }(),
		func() error { _, err := d.MemberByName(ctx, "@"); return err }(),
		func() error { _, err := d.MemberByEmail(ctx, "nobody@example.com"); return err }(),
		func() error { _, err := d.MemberByEmail(ctx, ""); return err }(),
		func() error { _, err := d.GetPerson(ctx, 999); return err }(),
		d.UpdatePerson(ctx, &postmortem.Member{ID: 999, Name: "Ghost"}),
	} {
		if postmortem.ErrorCode(err) != postmortem.ENotFound {
			t.Errorf("err = %v, want not_found", err)
		}
	}

	bo := &postmortem.Member{Name: "Bo Chen", Email: "bo@example.com", Active: true}
	if err := d.CreatePerson(ctx, bo); err != nil {
		t.Fatal(err)
	}
	wantError(t, d.CreatePerson(ctx, &postmortem.Member{Name: "LUCIA FERREYRA"}), postmortem.EConflict, "name", "Lucía Ferreyra")
	wantError(t, d.CreatePerson(ctx, &postmortem.Member{Name: "Lucia Two", Aliases: []string{"x", "lucy"}}), postmortem.EConflict, "aliases", `"lucy"`, "Lucía Ferreyra")
	wantError(t, d.CreatePerson(ctx, &postmortem.Member{Name: "Other", Email: "LUCIA@example.com"}), postmortem.EConflict, "email", "Lucía Ferreyra")
	wantError(t, d.CreatePerson(ctx, &postmortem.Member{Name: "Other", Email: "not-an-email"}), postmortem.EInvalid, "email")
	wantError(t, d.CreatePerson(ctx, &postmortem.Member{Name: "Other", Timezone: "Mars/Olympus"}), postmortem.EInvalid, "timezone")
	wantError(t, d.CreatePerson(ctx, &postmortem.Member{Name: " @ "}), postmortem.EInvalid, "name")
	wantError(t, d.CreatePerson(ctx, &postmortem.Member{Name: "Semi", Aliases: []string{"a;b"}}), postmortem.EInvalid, "aliases")

	// Bo takes the alias Lu F: a conflict; renaming Lucía frees her old
	// keys for others.
	bo.Aliases = []string{"Lu F"}
	wantError(t, d.UpdatePerson(ctx, bo), postmortem.EConflict, "aliases", "Lucía Ferreyra")
	lucia.Name, lucia.Aliases, lucia.Active = "Lucía Ferreyra-Díaz", nil, false
	if err := d.UpdatePerson(ctx, lucia); err != nil {
		t.Fatal(err)
	}
	if lucia.CreatedAt == "" || len(lucia.Aliases) != 0 {
		t.Errorf("updated = %+v", lucia)
	}
	if err := d.UpdatePerson(ctx, bo); err != nil {
		t.Fatalf("alias freed by the rename: %v", err)
	}
	if m, err := d.MemberByName(ctx, "lu f"); err != nil || m.ID != bo.ID {
		t.Errorf("lu f = %+v, %v", m, err)
	}
	if _, err := d.MemberByName(ctx, "Lucia Ferreyra"); postmortem.ErrorCode(err) != postmortem.ENotFound {
		t.Errorf("old name still matches: %v", err)
	}
	// Updating a person with its own values is no conflict.
	if err := d.UpdatePerson(ctx, lucia); err != nil {
		t.Errorf("self update: %v", err)
	}

	people, err := d.ListPeople(ctx)
	if err != nil || len(people) != 2 || people[0].Name != "Bo Chen" || people[1].Name != "Lucía Ferreyra-Díaz" || people[1].Active {
		t.Errorf("ListPeople = %+v, %v", people, err)
	}
}

func TestUnmatchedOwners(t *testing.T) {
	ctx := context.Background()
	d := itemFixture(t)
	got, err := d.UnmatchedOwners(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// John has one open item, Zed one closed one; Ana, Bo and Edward are
	// in the directory; p1.2 has no owner.
	var s []string
	for _, c := range got {
		s = append(s, fmt.Sprintf("%s:%d/%d", c.Name, c.Items, c.Open))
	}
	if strings.Join(s, " ") != "John Simmons:1/1 Zed:1/0" {
		t.Errorf("UnmatchedOwners = %v", s)
	}
	if err := d.CreatePerson(ctx, &postmortem.Member{Name: "Zed", Active: true}); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.UnmatchedOwners(ctx); len(got) != 1 || got[0].Name != "John Simmons" {
		t.Errorf("after adding Zed = %+v", got)
	}
}

// TestOwnerLeftJiraSeed is the case that made the directory necessary: a
// Jira-exported postmortem whose owners carry account notes, and a
// directory CSV that says who is gone.
func TestOwnerLeftJiraSeed(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	save(t, d, incident("seed", "2024-06-01", "final", "SEV1", nil,
		annotated(item("Retire the legacy queue", "John Simmons", "open", "OPS-10"), "Deactivated"),
		item("Alert on replica lag", "Edward Barclay", "open", "OPS-11"),
		annotated(item("Document the failover", "John Simmons", "in_progress", ""), "Deactivated"),
		item("Load test the new pool", "Edward Barclay", "done", "OPS-12")))
	csv := "name,email,team,active\n" +
		"Edward Barclay,edward@example.com,platform,true\n" +
		"John Simmons,john@example.com,platform,false\n"
	created, updated, err := d.ImportPeopleCSV(ctx, strings.NewReader(csv), "people.csv")
	if err != nil || created != 2 || updated != 0 {
		t.Fatalf("import = %d %d %v", created, updated, err)
	}
	left, _, err := d.ListItems(ctx, postmortem.ItemFilter{OwnerLeft: true})
	if err != nil || texts(left) != "Retire the legacy queue Document the failover" {
		t.Fatalf("owner left = %q, %v", texts(left), err)
	}
	for _, it := range left {
		if it.Member == nil || it.Member.Name != "John Simmons" || it.Member.Active || !it.OwnerLeft() {
			t.Errorf("%s: member %+v", it.Text, it.Member)
		}
	}
	if _, _, orphaned, _ := d.ItemCounts(ctx, itemNow); orphaned != 2 {
		t.Errorf("orphaned = %d", orphaned)
	}
	if team, _, _ := d.ListItems(ctx, postmortem.ItemFilter{Team: "platform", OpenOnly: true}); len(team) != 3 {
		t.Errorf("platform's open items = %q", texts(team))
	}
}
