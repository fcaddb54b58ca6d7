package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/server"
)

// fuzzMethods are the methods FuzzAPI picks from by its first byte.
var fuzzMethods = []string{http.MethodGet, http.MethodPatch, http.MethodPost, http.MethodPut, http.MethodDelete}

// fuzzTypes are the content types FuzzAPI picks from.
var fuzzTypes = []string{"application/json", "application/merge-patch+json", "text/csv", "multipart/form-data; boundary=x", ""}

// FuzzAPI drives the router in-process with arbitrary API paths, query
// strings and bodies, on a real database: whatever comes in, the answer
// is never a 500 (which is also what a recovered panic becomes) and,
// from /api/, always a JSON body.
//
//	go test -run='^$' -fuzz='^FuzzAPI$' -fuzztime=2m ./internal/server
func FuzzAPI(f *testing.F) {
	st := openStore(f, gates, billing)
	srv, logs := newServer(f, st, server.Config{})
	id := itemID(f, st, "Cache the revocation")
	for _, seed := range []struct {
		method byte
		ctype  byte
		target string
		body   string
	}{
		{0, 4, "postmortems?q=revocation&year=2024&open=1&limit=2", ""},
		{0, 4, "postmortems?year=abc&limit=-1&after=xyz", ""},
		{0, 4, "postmortems/" + gatesID, ""},
		{0, 4, "action-items?status=active&sort=due&overdue=true&owner=Kwame&team=Gates", ""},
		{0, 4, "action-items?after=eyJzIjoiYWdlIn0&limit=1", ""},
		{1, 1, fmt.Sprintf("action-items/%d", id), `{"status":"done","owner":null,"due":"2025-01-01","note":"x"}`},
		{1, 0, fmt.Sprintf("action-items/%d", id), `{"due":"31/12/2024","owner":""}`},
		{1, 0, fmt.Sprintf("action-items/%d", id), `{"status":null}`},
		{2, 0, "people", `{"name":"Ann Example","aliases":["A"],"email":"ann@example.com","active":false}`},
		{1, 0, "people/1", `{"name":"Ann","aliases":null,"timezone":"Europe/London"}`},
		{2, 2, "people/import", "name,email\nBo,bo@example.com\n"},
		{2, 3, "postmortems/import", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.md\"\r\n\r\n# Outage\r\n--x--\r\n"},
		{0, 4, "export?format=markdown", ""},
		{0, 4, "people/export", ""},
		{4, 0, "people", ""},
	} {
		f.Add(seed.method, seed.ctype, seed.target, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, method, ctype byte, target string, body []byte) {
		m := fuzzMethods[int(method)%len(fuzzMethods)]
		r, err := http.NewRequest(m, "/api/v1/"+target, bytes.NewReader(body))
		if err != nil || r.URL.Path == "" {
			return
		}
		r.RequestURI = r.URL.RequestURI()
		if ct := fuzzTypes[int(ctype)%len(fuzzTypes)]; ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s\n%s", m, target, body, rec.Code, rec.Body, logs)
		}
		if strings.HasPrefix(r.URL.Path, "/api/") && rec.Code >= 400 && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Fatalf("%s %s: %d answered as %q", m, target, rec.Code, rec.Header().Get("Content-Type"))
		}
	})
}
