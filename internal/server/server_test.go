package server_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/server"
)

// failing is a store whose incident reads fail with err; its other
// methods are never called by the tests that use it.
type failing struct {
	server.Store
	err error
}

func (f failing) ListIncidents(context.Context, postmortem.IncidentFilter) ([]postmortem.Incident, string, error) {
	return nil, "", f.err
}

func (f failing) Get(context.Context, string) (*postmortem.Postmortem, error) { return nil, f.err }

// DataVersion fails, so that the page cache stays out of the way.
func (f failing) DataVersion(context.Context) (uint64, error) {
	return 0, postmortem.Errorf(postmortem.EUnavailable, "no data version")
}

func TestHealthz(t *testing.T) {
	srv, _ := newServer(t, failing{}, server.Config{})
	rec := newClient(t, srv).get("/healthz")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"ok"`) {
		t.Errorf("GET /healthz = %d %q", rec.Code, rec.Body)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		path   string
		err    error
		status int
		logged bool
	}{
		{"/incidents/nope", postmortem.Errorf(postmortem.ENotFound, "postmortem nope not found"), http.StatusNotFound, false},
		{"/no/such/page", nil, http.StatusNotFound, false},
		{"/", postmortem.Errorf(postmortem.EInvalid, "bad query"), http.StatusBadRequest, false},
		{"/", postmortem.Errorf(postmortem.EConflict, "taken"), http.StatusConflict, false},
		{"/", postmortem.Errorf(postmortem.EUnauthorized, "who are you"), http.StatusUnauthorized, false},
		{"/", postmortem.Errorf(postmortem.EUnavailable, "database is locked"), http.StatusServiceUnavailable, false},
		{"/", errors.New("disk on fire"), http.StatusInternalServerError, true},
	} {
		srv, logs := newServer(t, failing{err: tc.err}, server.Config{})
		rec := newClient(t, srv).get(tc.path)
		body := rec.Body.String()
		if rec.Code != tc.status {
			t.Errorf("%s with %v: status %d, want %d", tc.path, tc.err, rec.Code, tc.status)
		}
		if !strings.Contains(body, "<!doctype html>") || !strings.Contains(body, `<main id="main"`) {
			t.Errorf("%s with %v: not an error page:\n%s", tc.path, tc.err, body)
		}
		if strings.Contains(body, "disk on fire") {
			t.Errorf("internal error detail leaked into the page")
		}
		if got := logs.Len() > 0; got != tc.logged {
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
	go func() { done <- server.New(failing{}, server.Config{}, discard).Serve(ctx, ln) }()

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

// slowStore holds ListIncidents until release is closed, failing if the
// request's context ends first.
type slowStore struct {
	failing
	entered, release chan struct{}
}

func (s *slowStore) ListIncidents(ctx context.Context, f postmortem.IncidentFilter) ([]postmortem.Incident, string, error) {
	close(s.entered)
	select {
	case <-s.release:
		return nil, "", postmortem.Errorf(postmortem.EInvalid, "released")
	case <-ctx.Done():
		return nil, "", ctx.Err()
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
	go func() { done <- server.New(st, server.Config{}, discard).Serve(ctx, ln) }()

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
	// The store's answer, not a cancelled context's, reaches the client.
	if got := <-status; got != http.StatusBadRequest {
		t.Errorf("request in flight at shutdown got %d, want 400", got)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
}
