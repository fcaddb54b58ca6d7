package sqlite

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

const directoryCSV = "\ufeffname,aliases,email,slack_id,jira_account_id,jira_username,team,manager_email,timezone,active\n" +
	"Lucía Ferreyra,Lu F;Lucy,lucia@example.com,U01,5b10a,lferreyra,payments,boss@example.com,Europe/Madrid,true\n" +
	"Bo Chen,,bo@example.com,,,,search,,,false\n" +
	"\"Barclay, Edward\",Edward Barclay,,,,,platform,,,\n"

func TestPeopleCSVRoundTrip(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	created, updated, err := d.ImportPeopleCSV(ctx, strings.NewReader(directoryCSV), "people.csv")
	if err != nil || created != 3 || updated != 0 {
		t.Fatalf("import = %d %d %v", created, updated, err)
	}
	lucia, err := d.MemberByName(ctx, "lucy")
	if err != nil {
		t.Fatal(err)
	}
	if lucia.Name != "Lucía Ferreyra" || strings.Join(lucia.Aliases, ";") != "Lu F;Lucy" || lucia.SlackID != "U01" ||
		lucia.JiraAccountID != "5b10a" || lucia.JiraUsername != "lferreyra" || lucia.ManagerEmail != "boss@example.com" ||
		lucia.Timezone != "Europe/Madrid" || !lucia.Active {
		t.Errorf("lucia = %+v", lucia)
	}
	if bo, _ := d.MemberByEmail(ctx, "bo@example.com"); bo == nil || bo.Active {
		t.Errorf("bo = %+v", bo)
	}
	if ed, _ := d.MemberByName(ctx, "edward barclay"); ed == nil || ed.Name != "Barclay, Edward" || !ed.Active {
		t.Errorf("edward = %+v (an empty active is true)", ed)
	}

	var out bytes.Buffer
	if err := d.ExportPeopleCSV(ctx, &out); err != nil {
		t.Fatal(err)
	}
	want := "name,aliases,email,slack_id,jira_account_id,jira_username,team,manager_email,timezone,active\n" +
		"\"Barclay, Edward\",Edward Barclay,,,,,platform,,,true\n" +
		"Bo Chen,,bo@example.com,,,,search,,,false\n" +
		"Lucía Ferreyra,Lu F;Lucy,lucia@example.com,U01,5b10a,lferreyra,payments,boss@example.com,Europe/Madrid,true\n"
	if out.String() != want {
		t.Errorf("export:\n%s\nwant:\n%s", out.String(), want)
	}
	created, updated, err = d.ImportPeopleCSV(ctx, bytes.NewReader(out.Bytes()), "export.csv")
	if err != nil || created != 0 || updated != 0 {
		t.Errorf("re-import of the export = %d %d %v", created, updated, err)
	}

	// Columns in another order, some left out: matched by email, else by
	// name; the columns a file lacks keep their values.
	partial := "active,email,name,team\n" +
		"false,LUCIA@example.com,Lucia Ferreyra,risk\n" +
		",,@bo chen,search\n" +
		"true,new@example.com,New Person,web\n"
	created, updated, err = d.ImportPeopleCSV(ctx, strings.NewReader(partial), "partial.csv")
	if err != nil || created != 1 || updated != 2 {
		t.Fatalf("partial import = %d %d %v", created, updated, err)
	}
	lucia, _ = d.GetPerson(ctx, lucia.ID)
	if lucia.Name != "Lucia Ferreyra" || lucia.Team != "risk" || lucia.Active || lucia.SlackID != "U01" ||
		strings.Join(lucia.Aliases, ";") != "Lu F;Lucy" || lucia.Email != "LUCIA@example.com" {
		t.Errorf("lucia after partial = %+v", lucia)
	}
	// An empty cell empties the field; an empty active is true.
	if bo, _ := d.MemberByName(ctx, "bo chen"); bo == nil || bo.Name != "@bo chen" || bo.Email != "" || !bo.Active {
		t.Errorf("bo after partial = %+v", bo)
	}
}

func TestPeopleCSVErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, csv string
		want      []string
	}{
		{"bad email", "name,email\nAna,ana@example.com\nBo,bo@example.com\nCy,not an email\n",
			[]string{"people.csv:4: email: not an email address"}},
		{"unknown column", "name,email,phone\nAna,a@example.com,123\n",
			[]string{`people.csv:1: header: unknown column "phone"`}},
		{"repeated column", "name,team,Team\nAna,a,b\n",
			[]string{`people.csv:1: header: column "team" appears twice`}},
		{"no name column", "email\na@example.com\n",
			[]string{"people.csv:1: header: there is no name column"}},
		{"empty file", "",
			[]string{"people.csv:1: header: the file is empty"}},
		{"field count", "name,team\nAna,payments\nBo\n",
			[]string{"people.csv:3: row: 1 fields, but the header has 2"}},
		{"active", "name,active\nAna,maybe\n",
			[]string{"people.csv:2: active: must be true, false or empty"}},
		{"missing name", "name,team\n,payments\n",
			[]string{"people.csv:2: name: a name is required"}},
		{"timezone", "name,timezone\nAna,Mars/Olympus\n",
			[]string{"people.csv:2: timezone: unknown time zone"}},
		{"same person twice", "name,email\nAna,ana@example.com\nBo,bo@example.com\nAna Lima,ANA@example.com\n",
			[]string{"people.csv:4: email: the same person as line 2"}},
		{"same name twice", "name\nAna\nana\n",
			[]string{"people.csv:3: name: the same person as line 2"}},
		{"alias taken", "name,aliases\nAna,Nana\nBo,Bobby;nana\n",
			[]string{`people.csv:3: aliases: "nana" is already a name or alias of Ana`}},
		{"quotes", "name,team\nAna,\"pay\"ments\"\n",
			[]string{"people.csv:2: row: "}},
		{"several at once", "name,email,manager_email\nAna,bad,\nBo,,nope\n",
			[]string{"people.csv:2: email: not an email address", "people.csv:3: manager_email: not an email address"}},
		{"a field over several lines", "name,team,email\n\"Ana\nLima\",\"a\nb\",bad\n",
			[]string{"people.csv:4: email: not an email address"}},
	} {
		d := openTest(t)
		created, updated, err := d.ImportPeopleCSV(ctx, strings.NewReader(tc.csv), "people.csv")
		if err == nil || created != 0 || updated != 0 {
			t.Errorf("%s: %d %d %v", tc.name, created, updated, err)
			continue
		}
		if code := postmortem.ErrorCode(err); code != postmortem.EInvalid && code != postmortem.EConflict {
			t.Errorf("%s: code %s", tc.name, code)
		}
		lines := strings.Split(err.Error(), "\n")
		if len(lines) != len(tc.want) {
			t.Errorf("%s: errors\n%s\nwant %d", tc.name, err, len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("%s: error %q, want %q…", tc.name, lines[i], w)
			}
		}
		// All or nothing: the good rows before the bad one are not kept.
		if people, _ := d.ListPeople(ctx); len(people) != 0 {
			t.Errorf("%s: %d people stored", tc.name, len(people))
		}
	}
}

func TestPeopleCSVTooManyErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString("name,email\n")
	for i := 0; i < 50; i++ {
		b.WriteString("Someone,bad\n")
	}
	d := openTest(t)
	_, _, err := d.ImportPeopleCSV(context.Background(), strings.NewReader(b.String()), "x.csv")
	if n := strings.Count(err.Error(), "\n") + 1; n != maxCSVErrors {
		t.Errorf("%d errors reported", n)
	}
}
