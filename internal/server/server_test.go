package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/server"
)

// store is a server.Store over fixed data; err, when set, fails every call.
type store struct {
	incidents []server.Incident
	docs      map[string]*postmortem.Postmortem
	err       error
}

func (s *store) Incidents(ctx context.Context) ([]server.Incident, error) {
	return s.incidents, s.err
}

func (s *store) Postmortem(ctx context.Context, id string) (*postmortem.Postmortem, error) {
	if s.err != nil {
		return nil, s.err
	}
	if p, ok := s.docs[id]; ok {
		return p, nil
	}
	return nil, postmortem.Errorf(postmortem.ENotFound, "postmortem %q not found", id)
}

func fixture() *store {
	return &store{
		incidents: []server.Incident{{
			ID: "2024-09-12-tram-ticket-gates", Title: "Ticket gates rejected <valid> passes", Date: "2024-09-12",
			Status: "Final", Severity: "SEV1", OpenItems: 1, TotalItems: 3,
		}},
		docs: map[string]*postmortem.Postmortem{
			"2024-09-12-tram-ticket-gates": {
				ID: "2024-09-12-tram-ticket-gates", Title: "Ticket gates rejected <valid> passes", Date: "2024-09-12",
				Authors: []postmortem.Person{{Name: "Oona Hale", Annotation: "Deactivated"}},
				ActionItems: []postmortem.ActionItem{
					{Text: "Cache the revocation list", Owner: &postmortem.Person{Name: "Kwame Asante"}, Status: "open", JiraKey: "GATE-41"},
				},
			},
		},
	}
}

// get requests path from a server over st and returns the status, the
// body and what was logged.
func get(t *testing.T, st server.Store, path string) (int, string, string) {
	t.Helper()
	var logs bytes.Buffer
	srv := server.New(st, slog.New(slog.NewTextHandler(&logs, nil)))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String(), logs.String()
}

func TestHealthz(t *testing.T) {
	code, body, _ := get(t, &store{}, "/healthz")
	if code != http.StatusOK || !strings.Contains(body, `"ok"`) {
		t.Errorf("GET /healthz = %d %q", code, body)
	}
}

func TestIncidentList(t *testing.T) {
	code, body, _ := get(t, fixture(), "/")
	if code != http.StatusOK {
		t.Fatalf("GET / = %d\n%s", code, body)
	}
	for _, want := range []string{
		"<!doctype html>", `<html lang="en">`, "<title>Incidents · Hindsight</title>", `<th scope="col">Severity</th>`,
		`<a href="/incidents/2024-09-12-tram-ticket-gates">Ticket gates rejected &lt;valid&gt; passes</a>`,
		`<time datetime="2024-09-12">`, "SEV1", "1 of 3",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("incident list lacks %q", want)
		}
	}
}

func TestIncidentListEmpty(t *testing.T) {
	code, body, _ := get(t, &store{}, "/")
	if code != http.StatusOK || !strings.Contains(body, "hindsight import ./postmortems") || strings.Contains(body, "<table") {
		t.Errorf("empty list = %d\n%s", code, body)
	}
}

func TestIncidentPage(t *testing.T) {
	code, body, _ := get(t, fixture(), "/incidents/2024-09-12-tram-ticket-gates")
	if code != http.StatusOK {
		t.Fatalf("GET incident = %d\n%s", code, body)
	}
	for _, want := range []string{"<h1>Ticket gates rejected &lt;valid&gt; passes</h1>", "Oona Hale (Deactivated)", "Cache the revocation list", "Kwame Asante", "GATE-41"} {
		if !strings.Contains(body, want) {
			t.Errorf("incident page lacks %q", want)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		path   string
		err    error
		status int
		logged bool
	}{
		{"/incidents/nope", nil, http.StatusNotFound, false},
		{"/no/such/page", nil, http.StatusNotFound, false},
		{"/", postmortem.Errorf(postmortem.EInvalid, "bad query"), http.StatusBadRequest, false},
		{"/", postmortem.Errorf(postmortem.EConflict, "taken"), http.StatusConflict, false},
		{"/", postmortem.Errorf(postmortem.EUnauthorized, "who are you"), http.StatusUnauthorized, false},
		{"/", postmortem.Errorf(postmortem.EUnavailable, "database is locked"), http.StatusServiceUnavailable, false},
		{"/", errors.New("disk on fire"), http.StatusInternalServerError, true},
	} {
		st := fixture()
		st.err = tc.err
		code, body, logs := get(t, st, tc.path)
		if code != tc.status {
			t.Errorf("%s with %v: status %d, want %d", tc.path, tc.err, code, tc.status)
		}
		if !strings.Contains(body, "<!doctype html>") {
			t.Errorf("%s with %v: not an error page:\n%s", tc.path, tc.err, body)
		}
		if strings.Contains(body, "disk on fire") {
			t.Errorf("internal error detail leaked into the page")
		}
		if got := logs != ""; got != tc.logged {
			t.Errorf("%s with %v: logged = %v, want %v (%s)", tc.path, tc.err, got, tc.logged, logs)
		}
	}
}

func TestServeShutsDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.New(&store{}, slog.New(slog.NewTextHandler(io.Discard, nil))).Serve(ctx, ln) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve returned %v after shutdown", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its context was cancelled")
	}
}

// slowStore holds Incidents until release is closed, failing if the
// request's context ends first.
type slowStore struct {
	store
	entered, release chan struct{}
}

func (s *slowStore) Incidents(ctx context.Context) ([]server.Incident, error) {
	close(s.entered)
	select {
	case <-s.release:
		return nil, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func TestServeFinishesRequestsInFlight(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	st := &slowStore{entered: make(chan struct{}), release: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil))).Serve(ctx, ln) }()

	status := make(chan int, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	<-st.entered
	cancel()
	time.Sleep(50 * time.Millisecond) // let Shutdown begin
	close(st.release)
	if got := <-status; got != http.StatusOK {
		t.Errorf("request in flight at shutdown got %d, want 200", got)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
}
