package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/server"
)

// person is a complete add form for Kwame Asante.
func person(token string) url.Values {
	return url.Values{
		"_csrf": {token}, "name": {"Kwame Asante"}, "aliases": {"K. Asante\nkwame"}, "email": {"kwame@example.com"},
		"slack_id": {"U024BE7LH"}, "jira_account_id": {"5b10ac8d82e05b22cc7d4ef5"}, "team": {"Gates"},
		"manager_email": {"lead@example.com"}, "timezone": {"Europe/London"}, "active": {"1"},
	}
}

func TestPeopleAddAndEdit(t *testing.T) {
	st := openStore(t, gates)
	srv, _ := newServer(t, st, server.Config{})
	c := newClient(t, srv)

	body := c.page("/people")
	contains(t, "empty directory", body, "Nobody in the directory yet", `<a class="button" href="/people/new">Add a person</a>`)

	token := c.token("/people/new")
	rec := c.post("/people", person(token))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/people" {
		t.Fatalf("POST /people = %d to %q\n%s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	body = c.page("/people")
	contains(t, "directory", body,
		`<p class="flash" role="status">Added Kwame Asante to the directory.</p>`,
		">Kwame Asante</a>", "also K. Asante, kwame", "kwame@example.com", "U024BE7LH", "5b10ac8d82e05b22cc7d4ef5",
		"Gates", "lead@example.com", "Europe/London", "<td data-label=\"State\">Active</td>",
		`<th scope="col">Time zone</th>`,
	)
	people, err := st.ListPeople(context.Background())
	if err != nil || len(people) != 1 {
		t.Fatalf("ListPeople = %v, %v", people, err)
	}
	id := strconv.FormatInt(people[0].ID, 10)

	body = c.page("/people/" + id)
	contains(t, "edit form", body, `<h1 id="person-heading">Edit Kwame Asante</h1>`, `value="kwame@example.com"`, ">K. Asante\nkwame</textarea>",
		`<input type="checkbox" id="f-active" name="active" value="1" checked`, `<label for="f-timezone">Time zone</label>`)

	form := person(csrfField.FindStringSubmatch(body)[1])
	form.Del("active")
	form.Set("team", "Platform")
	if rec := c.post("/people/"+id, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("POST edit = %d\n%s", rec.Code, rec.Body)
	}
	m, err := st.GetPerson(context.Background(), people[0].ID)
	if err != nil || m.Active || m.Team != "Platform" {
		t.Errorf("after edit: %+v, %v; want left, team Platform", m, err)
	}
	contains(t, "directory after edit", c.page("/people"), `<span class="badge warn">has left</span>`, "Saved Kwame Asante.")
}

func TestPeopleValidationAndConflict(t *testing.T) {
	st := openStore(t)
	if err := st.CreatePerson(context.Background(), &postmortem.Member{Name: "Oona Hale", Email: "oona@example.com", Active: true}); err != nil {
		t.Fatal(err)
	}
	srv, _ := newServer(t, st, server.Config{})
	c := newClient(t, srv)
	token := c.token("/people/new")

	for _, tc := range []struct {
		name, field, value, message string
	}{
		{"taken email", "email", "OONA@example.com", "already the email of Oona Hale"},
		{"taken alias", "aliases", "Oona Hale", "already a name or alias of Oona Hale"},
		{"bad email", "email", "not-an-address", "not an email address"},
		{"bad zone", "timezone", "Mars/Olympus", "unknown time zone"},
		{"no name", "name", "", "a name is required"},
	} {
		form := person(token)
		form.Set(tc.field, tc.value)
		rec := c.post("/people", form)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: POST = %d, want 422", tc.name, rec.Code)
			continue
		}
		contains(t, tc.name, rec.Body.String(),
			`<p class="field-error" id="f-`+tc.field+`-error"><span class="visually-hidden">Error: </span>`, tc.message,
			`aria-describedby="`, `f-`+tc.field+`-error"`, `value="U024BE7LH"`) // the rest of the form is kept
	}
	if people, _ := st.ListPeople(context.Background()); len(people) != 1 {
		t.Errorf("%d people after refused forms, want 1", len(people))
	}
}

func TestPeopleUnmatchedOwners(t *testing.T) {
	st := openStore(t, gates)
	if err := st.CreatePerson(context.Background(), &postmortem.Member{Name: "Oona Hale", Active: false}); err != nil {
		t.Fatal(err)
	}
	srv, _ := newServer(t, st, server.Config{})
	c := newClient(t, srv)

	body := c.page("/people")
	contains(t, "people page", body, "Owners not in the directory",
		`<a href="/people/new?alias=Kwame%20Asante">Add to the directory<span class="visually-hidden">: Kwame Asante</span></a>`)

	body = c.page("/people/new?alias=Kwame%20Asante")
	contains(t, "add form for an alias", body, `<h1 id="person-heading">Add “Kwame Asante” to the directory</h1>`,
		`<input id="f-name" name="name" type="text" value="Kwame Asante"`, ">Kwame Asante</textarea>",
		`<label for="f-person">Add “Kwame Asante” as another name of</label>`, ">Oona Hale</option>")

	people, _ := st.ListPeople(context.Background())
	token := csrfField.FindStringSubmatch(body)[1]
	rec := c.post("/people/aliases", url.Values{"_csrf": {token}, "alias": {"Kwame Asante"}, "person": {strconv.FormatInt(people[0].ID, 10)}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("POST alias = %d\n%s", rec.Code, rec.Body)
	}
	m, _ := st.GetPerson(context.Background(), people[0].ID)
	if len(m.Aliases) != 1 || m.Aliases[0] != "Kwame Asante" {
		t.Errorf("aliases = %q", m.Aliases)
	}
	body = c.page("/people")
	contains(t, "after mapping", body, "“Kwame Asante” is now an alias of Oona Hale.")
	lacks(t, "after mapping", body, "/people/new?alias=Kwame%20Asante")

	rec = c.post("/people/aliases", url.Values{"_csrf": {token}, "alias": {"Someone"}, "person": {""}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("POST alias without a person = %d, want 422", rec.Code)
	}
	contains(t, "alias without a person", rec.Body.String(), `id="f-person-error"`, "choose who Someone is")
}

func TestPeopleExport(t *testing.T) {
	st := openStore(t)
	if err := st.CreatePerson(t.Context(), &postmortem.Member{Name: "Oona Hale", Email: "oona@example.com", Active: true}); err != nil {
		t.Fatal(err)
	}
	srv, _ := newServer(t, st, server.Config{})
	c := newClient(t, srv)
	contains(t, "people page", c.page("/people"), `<a href="/people.csv" download>Download as CSV</a>`)
	rec := c.get("/people.csv")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.Contains(rec.Header().Get("Content-Disposition"), "people.csv") {
		t.Fatalf("GET /people.csv = %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Disposition"))
	}
	contains(t, "people.csv", rec.Body.String(), "Oona Hale", "oona@example.com")
}
