package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/server"
)

// TestAPIRefusesWithoutRole sends every API operation but openapi.json
// without a token (401) and every change with a viewer's token (403), and
// checks that none of them changed anything.
func TestAPIRefusesWithoutRole(t *testing.T) {
	st := openStore(t, gates, billing)
	srv := tokenServer(t, st)
	viewer, _ := newToken(t, st, "Vera Viewer", postmortem.RoleViewer)
	a := newAPI(t, srv, "")
	id := itemID(t, st, "Cache the revocation")
	item := fmt.Sprintf("/api/v1/action-items/%d", id)
	csv := "name,email\nMallory,mallory@example.com\n"
	upload, uploadType := multipartBody("file", map[string]string{"x.md": "# Forged outage\n"})
	changes := []struct {
		method, path, ctype string
		body                []byte
	}{
		{http.MethodPatch, item, "application/merge-patch+json", []byte(`{"status":"done","note":"forged"}`)},
		{http.MethodPost, "/api/v1/people", "application/json", []byte(`{"name":"Mallory"}`)},
		{http.MethodPatch, "/api/v1/people/1", "application/merge-patch+json", []byte(`{"name":"Mallory"}`)},
		{http.MethodPost, "/api/v1/people/import", "text/csv", []byte(csv)},
		{http.MethodPost, "/api/v1/postmortems/import", uploadType, upload},
	}
	reads := []string{"/api/v1/postmortems", "/api/v1/postmortems/" + gatesID, "/api/v1/action-items", item,
		"/api/v1/people", "/api/v1/people/export", "/api/v1/export"}
	for _, p := range reads {
		a.bad(http.MethodGet, p, "", nil).wantError(401, "unauthorized", "")
	}
	for _, c := range changes {
		a.bad(c.method, c.path, c.ctype, c.body).wantError(401, "unauthorized", "")
		a.as(viewer).bad(c.method, c.path, c.ctype, c.body).wantError(403, "forbidden", "")
		a.as("hs_"+strings.Repeat("f", 64)).bad(c.method, c.path, c.ctype, c.body).wantError(401, "unauthorized", "")
	}

	ctx := context.Background()
	it, err := st.GetItem(ctx, id)
	if err != nil || it.Status == postmortem.StatusDone || it.Note != "" {
		t.Errorf("a refused PATCH changed the item: %+v %v", it, err)
	}
	if people, err := st.ListPeople(ctx); err != nil || len(people) != 0 {
		t.Errorf("refused requests added people: %v %v", people, err)
	}
	if docs, _, err := st.Counts(ctx); err != nil || docs != 2 {
		t.Errorf("refused uploads imported: %d postmortems, %v", docs, err)
	}
}

// TestAPIUploadTooLarge: an upload over 50 MiB is refused with 413 before
// anything is read or imported, whether it announces its size or not.
func TestAPIUploadTooLarge(t *testing.T) {
	st := openStore(t)
	srv, _ := newServer(t, st, server.Config{})
	a := newAPI(t, srv, "")
	for _, path := range []string{"/api/v1/postmortems/import", "/api/v1/people/import"} {
		body, ctype := multipartBody("file", map[string]string{"big.md": strings.Repeat("x", 51<<20)})
		a.bad(http.MethodPost, path, ctype, body).wantError(413, "too_large", "")

		// Unannounced: read until the limit trips.
		r := httptest.NewRequest(http.MethodPost, path, io.NopCloser(bytes.NewReader(body)))
		r.Header.Set("Content-Type", ctype)
		r.ContentLength = -1
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		response{rec, t}.wantError(413, "too_large", "")
	}
	if docs, _, err := st.Counts(context.Background()); err != nil || docs != 0 {
		t.Errorf("refused uploads imported %d postmortems, %v", docs, err)
	}
}

// hooks stands in for Jira's and Slack's receivers, counting what they are
// given when got is set.
type hooks struct{ got *int }

func (h hooks) count() {
	if h.got != nil {
		*h.got++
	}
}

func (h hooks) JiraWebhook(ctx context.Context, delivery, signature string, body []byte) error {
	h.count()
	return nil
}

func (h hooks) SlackInteraction(ctx context.Context, header http.Header, body []byte) error {
	h.count()
	return nil
}

func (h hooks) SlackCommand(ctx context.Context, header http.Header, body []byte) ([]byte, error) {
	h.count()
	return []byte(`{}`), nil
}

// TestHooksTooLarge: a webhook body over 1 MiB is refused with 413
// without reaching the receiver, whether it announces its size or not.
func TestHooksTooLarge(t *testing.T) {
	var got int
	h := hooks{&got}
	srv, _ := newServer(t, openStore(t), server.Config{JiraHook: h, SlackHook: h})
	jira := `{"webhookEvent":"jira:issue_updated","issue":{"key":"OPS-1","fields":{"summary":"` + strings.Repeat("x", 1<<20) + `"}}}`
	slack := "payload=" + strings.Repeat("x", 1<<20)
	for _, h := range []struct{ path, ctype, body string }{
		{"/hooks/jira", "application/json", jira},
		{"/slack/interactions", "application/x-www-form-urlencoded", slack},
		{"/slack/commands", "application/x-www-form-urlencoded", slack},
	} {
		for _, length := range []int64{int64(len(h.body)), -1} {
			r := httptest.NewRequest(http.MethodPost, h.path, strings.NewReader(h.body))
			r.Header.Set("Content-Type", h.ctype)
			r.ContentLength = length
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, r)
			if rec.Code != http.StatusRequestEntityTooLarge {
				t.Errorf("POST %s of %d bytes (Content-Length %d): %d", h.path, len(h.body), length, rec.Code)
			}
		}
	}
	if got != 0 {
		t.Errorf("the receivers got %d oversized requests", got)
	}
}
