package server_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/server"
)

// TestAPI calls every operation of openapi.json through the real router
// on a real database, checking each request and response against the
// document, and finally that no operation was left out.
func TestAPI(t *testing.T) {
	st := openStore(t, gates, billing)
	srv, _ := newServer(t, st, server.Config{})
	a := newAPI(t, srv, "")
	defer a.checkCovered()

	t.Run("postmortems", func(t *testing.T) {
		a := a.as("")
		a.t = t
		var list struct {
			Items []postmortem.Incident
			Next  string
		}
		a.get("/api/v1/postmortems").wantStatus(200).json(&list)
		if len(list.Items) != 2 || list.Items[0].ID != gatesID || list.Next != "" {
			t.Errorf("list = %+v", list)
		}
		a.get("/api/v1/postmortems?limit=1").wantStatus(200).json(&list)
		if len(list.Items) != 1 || list.Next == "" {
			t.Fatalf("first page = %+v", list)
		}
		first := list.Items[0].ID
		a.get("/api/v1/postmortems?limit=1&after=" + url.QueryEscape(list.Next)).wantStatus(200).json(&list)
		if len(list.Items) != 1 || list.Items[0].ID == first || list.Next != "" {
			t.Errorf("second page = %+v", list)
		}
		a.get("/api/v1/postmortems?year=2023&open=true").wantStatus(200).json(&list)
		for _, it := range list.Items {
			if !strings.HasPrefix(it.Date, "2023") {
				t.Errorf("year=2023 lists %s", it.Date)
			}
		}
		a.get("/api/v1/postmortems?q=revocation").wantStatus(200).json(&list)
		if len(list.Items) != 1 || !strings.Contains(list.Items[0].Snippet, "«") {
			t.Errorf("search = %+v", list)
		}

		var p postmortem.Postmortem
		a.get("/api/v1/postmortems/" + gatesID).wantStatus(200).json(&p)
		if p.ID != gatesID || len(p.ActionItems) == 0 || p.ActionItems[0].Tracking == nil {
			t.Errorf("postmortem without tracking: %+v", p.ActionItems)
		}
		a.get("/api/v1/postmortems/no-such-thing").wantError(404, "not_found", "")
	})

	t.Run("action items", func(t *testing.T) {
		a := a.as("")
		a.t = t
		var list struct {
			Items []postmortem.Item
			Next  string
		}
		a.get("/api/v1/action-items?status=active&sort=due").wantStatus(200).json(&list)
		if len(list.Items) != 3 {
			t.Errorf("active items = %d", len(list.Items))
		}
		a.get("/api/v1/action-items?overdue=1").wantStatus(200).json(&list)
		if len(list.Items) != 1 || !strings.Contains(list.Items[0].Text, "Cache the revocation") {
			t.Errorf("overdue = %+v", list.Items)
		}
		a.get("/api/v1/action-items?limit=1").wantStatus(200).json(&list)
		if len(list.Items) != 1 || list.Next == "" {
			t.Fatalf("page = %+v", list)
		}
		a.get("/api/v1/action-items?limit=1&after=" + url.QueryEscape(list.Next)).wantStatus(200)
		a.get("/api/v1/action-items?no_jira=true&no_owner=true&owner_left=false&team=x&owner=y").wantStatus(200)

		id := itemID(t, st, "Cache the revocation")
		path := fmt.Sprintf("/api/v1/action-items/%d", id)
		var it struct {
			postmortem.Item
			History []postmortem.ItemEvent
		}
		a.get(path).wantStatus(200).json(&it)
		if it.ID != id || it.Status != "open" {
			t.Errorf("item = %+v", it)
		}

		a.patch(path, map[string]any{"status": "done", "note": "Shipped in 4.2", "due": "2025-03-01"}).wantStatus(200).json(&it)
		if it.Status != "done" || it.Note != "Shipped in 4.2" || it.Due != "2025-03-01" {
			t.Errorf("after patch = %+v", it.Item)
		}
		if last := it.History[len(it.History)-1]; !strings.HasPrefix(last.Actor, "anonymous (") {
			t.Errorf("actor without sign-in = %q", last.Actor)
		}
		// Absent fields stay; null clears the due date; "" means nobody.
		a.patch(path, map[string]any{"due": nil, "owner": ""}).wantStatus(200).json(&it)
		if it.Status != "done" || it.Note != "Shipped in 4.2" || it.Due != "" || it.Owner != nil {
			t.Errorf("after second patch = %+v", it.Item)
		}
		// null owner gives back the document's.
		a.patch(path, map[string]any{"owner": nil}).wantStatus(200).json(&it)
		if it.Owner == nil || it.Owner.Name == "" {
			t.Errorf("owner not reset: %+v", it.Owner)
		}
		a.patch(path, map[string]any{}).wantStatus(200)

		a.patch(path, map[string]any{"due": "next week"}).wantError(400, "invalid", "due")
		a.bad(http.MethodPatch, path, "application/json", []byte(`{"status":"finished"}`)).wantError(400, "invalid", "status")
		a.bad(http.MethodPatch, path, "application/json", []byte(`{"status":null}`)).wantError(400, "invalid", "status")
		a.bad(http.MethodPatch, path, "application/json", []byte(`{"colour":"red"}`)).wantError(400, "invalid", "colour")
		a.bad(http.MethodPatch, path, "application/json", []byte(`{"note":5}`)).wantError(400, "invalid", "note")
		a.bad(http.MethodPatch, path, "application/json", []byte(`{"note":"a"} {}`)).wantError(400, "invalid", "")
		a.bad(http.MethodPatch, path, "application/json", []byte(`[1]`)).wantError(400, "invalid", "")
		a.bad(http.MethodPatch, path, "application/json", []byte(`{"note":`)).wantError(400, "invalid", "")
		a.bad(http.MethodPatch, path, "application/json", nil).wantError(400, "invalid", "")
		a.bad(http.MethodPatch, path, "text/plain", []byte(`{}`)).wantError(415, "unsupported_media_type", "")
		a.patch("/api/v1/action-items/999999", map[string]any{"note": "x"}).wantError(404, "not_found", "")
		a.get("/api/v1/action-items/abc").wantError(404, "not_found", "")
	})

	t.Run("people", func(t *testing.T) {
		a := a.as("")
		a.t = t
		var m postmortem.Member
		rec := a.post("/api/v1/people", map[string]any{"name": "Kwame Asante", "email": "kwame@example.com",
			"aliases": []string{"K. Asante"}, "team": "Gates"}).wantStatus(201)
		rec.json(&m)
		if m.ID == 0 || !m.Active || rec.Header().Get("Location") != fmt.Sprintf("/api/v1/people/%d", m.ID) {
			t.Errorf("created %+v at %q", m, rec.Header().Get("Location"))
		}
		a.post("/api/v1/people", map[string]any{"name": "Someone Else", "email": "kwame@example.com"}).wantError(409, "conflict", "email")
		a.post("/api/v1/people", map[string]any{"name": ""}).wantError(400, "invalid", "name")
		a.bad(http.MethodPost, "/api/v1/people", "application/json", []byte(`{"name":"X","id":4}`)).wantError(400, "invalid", "id")

		path := fmt.Sprintf("/api/v1/people/%d", m.ID)
		a.patch(path, map[string]any{"team": "Platform", "active": false, "aliases": nil}).wantStatus(200).json(&m)
		if m.Team != "Platform" || m.Active || len(m.Aliases) != 0 || m.Email != "kwame@example.com" {
			t.Errorf("after patch %+v", m)
		}
		a.patch(path, map[string]any{"timezone": "Mars/Olympus"}).wantError(400, "invalid", "timezone")
		a.bad(http.MethodPatch, path, "application/json", []byte(`{"name":null}`)).wantError(400, "invalid", "name")
		a.patch("/api/v1/people/424242", map[string]any{"team": "x"}).wantError(404, "not_found", "")

		var list struct{ Items []postmortem.Member }
		a.get("/api/v1/people").wantStatus(200).json(&list)
		if len(list.Items) != 1 {
			t.Errorf("people = %+v", list)
		}

		csv := "name,email,team\nOona Hale,oona@example.com,Billing\nKwame Asante,kwame@example.com,Gates\n"
		var res struct{ Created, Updated int }
		a.call(http.MethodPost, "/api/v1/people/import", "text/csv", []byte(csv)).wantStatus(200).json(&res)
		if res.Created != 1 || res.Updated != 1 {
			t.Errorf("csv import = %+v", res)
		}
		a.upload("/api/v1/people/import", "file", map[string]string{"more.csv": "name\nPia Lind\n"}).wantStatus(200).json(&res)
		if res.Created != 1 {
			t.Errorf("multipart csv import = %+v", res)
		}
		a.call(http.MethodPost, "/api/v1/people/import", "text/csv", []byte("name,shoe_size\nX,4\n")).wantError(400, "invalid", "")
		a.bad(http.MethodPost, "/api/v1/people/import", "application/json", []byte(`{}`)).wantError(415, "unsupported_media_type", "")

		out := a.get("/api/v1/people/export").wantStatus(200)
		if ct := out.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("export Content-Type %q", ct)
		}
		contains(t, "people export", out.Body.String(), "name,aliases,email", "Oona Hale", "Pia Lind")
	})

	t.Run("import and export", func(t *testing.T) {
		a := a.as("")
		a.t = t
		src, err := os.ReadFile(filepath.Join("testdata", gates))
		if err != nil {
			t.Fatal(err)
		}
		var res struct {
			Results []struct {
				Name, ID, Outcome, Error string
				Line                     int
			}
			Counts map[string]int
		}
		a.upload("/api/v1/postmortems/import", "file", map[string]string{
			"gates.md": string(src), "empty.md": "", "notes.md": "# Lunch\n\nNothing happened.\n",
		}).wantStatus(200).json(&res)
		if len(res.Results) != 3 || res.Counts["failed"] < 1 || res.Counts["imported"] < 1 {
			t.Errorf("import = %+v", res)
		}
		for _, r := range res.Results {
			if r.Name == "empty.md" && (r.Outcome != "failed" || r.Error == "") {
				t.Errorf("empty file: %+v", r)
			}
		}
		body, ct := multipartBody("files", map[string]string{"x.md": "x"})
		a.bad(http.MethodPost, "/api/v1/postmortems/import", ct, body).wantError(400, "invalid", "file")
		a.bad(http.MethodPost, "/api/v1/postmortems/import", "application/json", []byte(`{}`)).wantError(415, "unsupported_media_type", "")

		rec := a.get("/api/v1/export").wantStatus(200)
		var all []postmortem.Postmortem
		rec.json(&all)
		if len(all) < 3 {
			t.Errorf("export has %d postmortems", len(all))
		}
		rec = a.get("/api/v1/export?format=markdown").wantStatus(200)
		zr, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, f := range zr.File {
			names[f.Name] = true
			r, _ := f.Open()
			b, _ := io.ReadAll(r)
			if len(b) == 0 {
				t.Errorf("%s is empty", f.Name)
			}
		}
		if !names[gatesID+".md"] || len(names) != len(all) {
			t.Errorf("zip holds %v", names)
		}
		a.bad(http.MethodGet, "/api/v1/export?format=pdf", "", nil).wantError(400, "invalid", "format")
	})

	t.Run("openapi", func(t *testing.T) {
		a := a.as("")
		a.t = t
		rec := a.get("/api/v1/openapi.json").wantStatus(200)
		if !json.Valid(rec.Body.Bytes()) {
			t.Error("openapi.json is not JSON")
		}
	})
}

// TestAPIBadInput checks the refusals that have nothing to do with the
// data: parameters, bodies, routes and methods, each as an error JSON.
func TestAPIBadInput(t *testing.T) {
	st := openStore(t, gates)
	srv, logs := newServer(t, st, server.Config{})
	a := newAPI(t, srv, "")
	for _, tc := range []struct {
		path, field string
	}{
		{"/api/v1/postmortems?year=abc", "year"},
		{"/api/v1/postmortems?limit=-1", "limit"},
		{"/api/v1/postmortems?limit=0", "limit"},
		{"/api/v1/postmortems?limit=201", "limit"},
		{"/api/v1/postmortems?open=maybe", "open"},
		{"/api/v1/postmortems?colour=red", "colour"},
		{"/api/v1/postmortems?tag=a&tag=b", "tag"},
		{"/api/v1/postmortems?after=garbage", "after"},
		{"/api/v1/action-items?status=finished", "status"},
		{"/api/v1/action-items?sort=random", "sort"},
		{"/api/v1/action-items?limit=9999", "limit"},
		{"/api/v1/action-items?overdue=yes", "overdue"},
		{"/api/v1/action-items?after=eyJzIjoiZHVlIn0", "after"},
		{"/api/v1/people?x=1", "x"},
	} {
		a.bad(http.MethodGet, tc.path, "", nil).wantError(400, "invalid", tc.field)
	}

	a.bad(http.MethodGet, "/api/v1/nothing-here", "", nil).wantError(404, "not_found", "")
	a.bad(http.MethodGet, "/api/v2/postmortems", "", nil).wantError(404, "not_found", "")
	a.bad(http.MethodDelete, "/api/v1/people", "", nil).wantError(405, "method_not_allowed", "")

	big := `{"note":"` + strings.Repeat("x", 1<<20) + `"}`
	id := itemID(t, st, "Cache the revocation")
	a.bad(http.MethodPatch, fmt.Sprintf("/api/v1/action-items/%d", id), "application/json", []byte(big)).wantError(413, "too_large", "")
	// The same without Content-Length, read until the limit trips.
	r, _ := http.NewRequest(http.MethodPatch, fmt.Sprintf("/api/v1/action-items/%d", id), io.NopCloser(strings.NewReader(big)))
	r.Header.Set("Content-Type", "application/json")
	r.ContentLength = -1
	rec := newClient(t, srv).do(r)
	response{rec, t}.wantError(413, "too_large", "")
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("client errors were logged as server errors:\n%s", logs)
	}
}

// TestAPIInternalError checks that a failure of the store is a 500 that
// says nothing of its cause, and is logged.
func TestAPIInternalError(t *testing.T) {
	srv, logs := newServer(t, failing{err: fmt.Errorf("disk on fire at /var/secret")}, server.Config{})
	a := newAPI(t, srv, "")
	rec := a.get("/api/v1/postmortems")
	rec.wantError(500, "internal", "")
	if strings.Contains(rec.Body.String(), "disk on fire") {
		t.Errorf("internal error leaked: %s", rec.Body)
	}
	if !strings.Contains(logs.String(), "disk on fire") {
		t.Errorf("internal error not logged")
	}
}
