package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/server"
)

// itemID returns the id of the first item whose text contains text.
func itemID(t testing.TB, st testStore, text string) int64 {
	t.Helper()
	items, _, err := st.ListItems(context.Background(), postmortem.ItemFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if strings.Contains(it.Text, text) {
			return it.ID
		}
	}
	t.Fatalf("no item %q", text)
	return 0
}

func TestActionList(t *testing.T) {
	srv, _ := newServer(t, openStore(t, gates, billing), server.Config{})
	c := newClient(t, srv)
	body := c.page("/actions")
	contains(t, "actions page", body,
		"<title>Action items · Hindsight</title>", `<a href="/actions" aria-current="page">Action items</a>`,
		"<strong>3</strong> open", "<strong>1</strong> overdue", "<strong>1</strong> orphaned",
		"Cache the revocation list on each gate", "Make the export idempotent",
		`<a href="/incidents/`+gatesID+`">Ticket gates rejected valid passes</a>`,
		`<span class="badge warn owner-left">has left</span>`, `<span class="badge warn">overdue</span>`,
		"<caption>All action items, oldest first</caption>",
		`<label for="f-owner">Owner</label>`, `<label for="f-nojira">Without a Jira issue</label>`,
	)
	if i, j := strings.Index(body, "Make the export idempotent"), strings.Index(body, "Cache the revocation"); i < 0 || j < i {
		t.Errorf("items not oldest first")
	}

	for _, tc := range []struct {
		query     string
		want, not []string
	}{
		{"status=done", []string{"Check the export"}, []string{"Cache the revocation", "Make the export"}},
		{"status=active", []string{"Cache the revocation", "Alert when", "Make the export"}, []string{"Check the export"}},
		{"overdue=1", []string{"Cache the revocation"}, []string{"Alert when", "Make the export"}},
		{"left=1", []string{"Alert when"}, []string{"Cache the revocation", "Make the export"}},
		{"noowner=1", []string{"Check the export"}, []string{"Cache the revocation"}},
		{"nojira=1", []string{"Check the export"}, []string{"Cache the revocation", "Make the export"}},
		{"owner=Kwame+Asante", []string{"Cache the revocation"}, []string{"Alert when", "Make the export"}},
	} {
		body := c.page("/actions?" + tc.query)
		contains(t, "/actions?"+tc.query, body, tc.want...)
		lacks(t, "/actions?"+tc.query, body, tc.not...)
		contains(t, "/actions?"+tc.query, body, "Matching action items", `<a href="/actions">Clear filters</a>`)
	}

	body = c.page("/actions?sort=due")
	if i, j := strings.Index(body, "Cache the revocation"), strings.Index(body, "Alert when"); i < 0 || j < i {
		t.Errorf("sort=due does not list the soonest due first")
	}
	contains(t, "sort by due", body, `<option value="due" selected>`)

	body = c.page("/actions?nojira=1&owner=nobody+at+all")
	contains(t, "no match", body, "No action item matches")
}

func TestActionEdit(t *testing.T) {
	st := openStore(t, gates)
	srv, _ := newServer(t, st, server.Config{})
	c := newClient(t, srv)
	n := itemID(t, st, "Cache the revocation")
	id := strconv.FormatInt(n, 10)
	back := "/actions?status=active&sort=due"
	edit := "/actions/" + id + "?back=" + url.QueryEscape(back)

	body := c.page(edit)
	contains(t, "edit page", body,
		`<h1 id="edit-heading">Edit action item</h1>`, `<label for="f-status">Status</label>`, `<label for="f-note">Note</label>`,
		`<label for="f-name">Your name</label>`, `<option value="open" selected>Open</option>`,
		`name="back" value="`+strings.ReplaceAll(back, "&", "&amp;")+`"`,
	)
	token := csrfField.FindStringSubmatch(body)[1]

	form := url.Values{"_csrf": {token}, "status": {"done"}, "owner": {"Kwame Asante"}, "due": {"2024-10-01"},
		"note": {"Shipped in gate firmware 4.2"}, "name": {"Mira Jones"}, "back": {back}}
	rec := c.post("/actions/"+id, form)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != back {
		t.Fatalf("POST edit = %d to %q, want 303 to %q\n%s", rec.Code, rec.Header().Get("Location"), back, rec.Body)
	}
	body = c.page(back)
	contains(t, "list after edit", body, `<p class="flash" role="status">Saved the action item “Cache the revocation list on each gate”.</p>`)
	lacks(t, "list after edit", body, "Cache the revocation list on each gate</td>") // done, so filtered out
	if strings.Contains(c.page(back), `class="flash"`) {
		t.Errorf("the flash message shows twice")
	}

	body = c.page(edit)
	contains(t, "edit page after edit", body,
		`<option value="done" selected>Done</option>`, "Shipped in gate firmware 4.2",
		`value="Mira Jones"`, // the name is remembered
		"Mira Jones changed the status from “Open” to “Done”", "Mira Jones set the note to “Shipped in gate firmware 4.2”",
	)
	it, err := st.GetItem(context.Background(), n)
	if err != nil || it.Status != "done" || it.Note != "Shipped in gate firmware 4.2" {
		t.Errorf("stored item = %+v, %v", it, err)
	}
}

func TestActionEditNeedsCSRFToken(t *testing.T) {
	st := openStore(t, gates)
	srv, _ := newServer(t, st, server.Config{})
	n := itemID(t, st, "Cache the revocation")
	id := strconv.FormatInt(n, 10)

	c := newClient(t, srv)
	c.page("/actions/" + id) // has the cookie, but sends no field
	for name, form := range map[string]url.Values{
		"no token":    {"status": {"done"}},
		"wrong token": {"status": {"done"}, "_csrf": {"forged"}},
	} {
		rec := c.post("/actions/"+id, form)
		if rec.Code != http.StatusForbidden {
			t.Errorf("%s: POST = %d, want 403", name, rec.Code)
		}
		contains(t, name, rec.Body.String(), "reload the page")
	}

	other := newClient(t, srv) // another site's form: no cookie at all
	rec := other.post("/actions/"+id, url.Values{"status": {"done"}, "_csrf": {"guess"}})
	if rec.Code != http.StatusForbidden {
		t.Errorf("cross-site POST = %d, want 403", rec.Code)
	}
	r := newPost("/actions/"+id, url.Values{"status": {"done"}})
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	if rec := other.do(r); rec.Code != http.StatusForbidden {
		t.Errorf("POST marked cross-site = %d, want 403", rec.Code)
	}
	if it, _ := st.GetItem(context.Background(), n); it.Status != "open" {
		t.Errorf("status changed to %q without a token", it.Status)
	}

	k := c.cookies["hindsight_csrf"]
	if k == nil || !k.HttpOnly || k.SameSite != http.SameSiteLaxMode || k.Path != "/" {
		t.Errorf("CSRF cookie = %+v, want HttpOnly, SameSite=Lax, Path=/", k)
	}
}

func TestActionEditInvalid(t *testing.T) {
	st := openStore(t, gates)
	srv, _ := newServer(t, st, server.Config{})
	c := newClient(t, srv)
	n := itemID(t, st, "Cache the revocation")
	id := strconv.FormatInt(n, 10)
	token := c.token("/actions/" + id)

	rec := c.post("/actions/"+id, url.Values{"_csrf": {token}, "status": {"finished"}, "owner": {"Kwame Asante"},
		"due": {"2024-10-01"}, "note": {"kept"}})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("POST bad status = %d, want 422\n%s", rec.Code, rec.Body)
	}
	body := rec.Body.String()
	contains(t, "form with error", body,
		`<select id="f-status" name="status" aria-invalid="true" aria-describedby="f-status-error">`,
		`<p class="field-error" id="f-status-error"><span class="visually-hidden">Error: </span>status must be one of`,
		">kept</textarea>", // what was typed stays
	)
	if it, _ := st.GetItem(context.Background(), n); it.Note != "" {
		t.Errorf("note saved despite the error: %q", it.Note)
	}
}

func TestActionEditBackStaysOnSite(t *testing.T) {
	st := openStore(t, gates)
	srv, _ := newServer(t, st, server.Config{})
	c := newClient(t, srv)
	n := itemID(t, st, "Cache the revocation")
	id := strconv.FormatInt(n, 10)
	token := c.token("/actions/" + id)
	for _, back := range []string{"https://evil.example/", "//evil.example/x", `/\evil.example`, "javascript:alert(1)"} {
		rec := c.post("/actions/"+id, url.Values{"_csrf": {token}, "status": {"open"}, "owner": {"Kwame Asante"},
			"due": {"2024-10-01"}, "back": {back}})
		if loc := rec.Header().Get("Location"); loc != "/actions" {
			t.Errorf("back=%q redirected to %q, want /actions", back, loc)
		}
	}
	if m := regexp.MustCompile(`name="back" value="([^"]*)"`).FindStringSubmatch(c.page("/actions/" + id + "?back=https://evil.example/")); m == nil || m[1] != "/actions" {
		t.Errorf("edit form keeps an off-site back link: %q", m)
	}
}

func newPost(path string, form url.Values) *http.Request {
	r, _ := http.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestActionEditOwnerAndDue(t *testing.T) {
	st := openStore(t, gates)
	srv, _ := newServer(t, st, server.Config{})
	c := newClient(t, srv)
	n := itemID(t, st, "Alert when the revocation list")
	id := strconv.FormatInt(n, 10)
	token := c.token("/actions/" + id)
	lacks(t, "edit page", c.page("/actions/"+id), "reset_owner")

	form := url.Values{"_csrf": {token}, "status": {"in_progress"}, "owner": {"Kwame Asante"}, "due": {"2025-02-01"}}
	if rec := c.post("/actions/"+id, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("POST = %d\n%s", rec.Code, rec.Body)
	}
	it, err := st.GetItem(t.Context(), n)
	if err != nil || it.Owner == nil || it.Owner.Name != "Kwame Asante" || it.Due != "2025-02-01" || it.OwnerLeft() {
		t.Fatalf("after edit: %+v, %v", it, err)
	}
	body := c.page("/actions/" + id)
	contains(t, "edit page", body, `anonymous (192.0.2.1) changed the owner from “Oona Hale” to “Kwame Asante”`,
		`<label for="f-reset_owner">Give it back the owner the postmortem names</label>`)

	form = url.Values{"_csrf": {token}, "status": {"in_progress"}, "owner": {"Kwame Asante"}, "due": {"2025-02-01"}, "reset_owner": {"1"}}
	if rec := c.post("/actions/"+id, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("POST reset = %d\n%s", rec.Code, rec.Body)
	}
	if it, _ := st.GetItem(t.Context(), n); it.Owner == nil || it.Owner.Name != "Oona Hale" {
		t.Errorf("owner after reset = %+v", it.Owner)
	}

	form = url.Values{"_csrf": {token}, "status": {"in_progress"}, "owner": {"Oona Hale"}, "due": {"1 Feb"}}
	rec := c.post("/actions/"+id, form)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("POST bad due = %d, want 422", rec.Code)
	}
	contains(t, "bad due", rec.Body.String(), `<input id="f-due" name="due" type="date" value="1 Feb"`, `aria-invalid="true"`, `id="f-due-error"`)
}
