package jira

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// scripted answers with the given statuses in turn (then 200), recording
// the bodies it received.
func scripted(t *testing.T, statuses []int, header http.Header) (*httptest.Server, *atomic.Int32, *[]string) {
	var n atomic.Int32
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		i := int(n.Add(1)) - 1
		if i < len(statuses) {
			for k, v := range header {
				w.Header()[k] = v
			}
			w.WriteHeader(statuses[i])
			return
		}
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n, &bodies
}

func testTransport(waits *[]time.Duration) *retryTransport {
	rt := newRetryTransport(nil, Retry{Attempts: 4, Base: 100 * time.Millisecond, Max: time.Second,
		MaxRetryAfter: 30 * time.Second, Jitter: -1, Timeout: time.Second})
	rt.sleep = func(ctx context.Context, d time.Duration) error { *waits = append(*waits, d); return nil }
	return rt
}

func roundTrip(t *testing.T, rt http.RoundTripper, method, url, body string) (*http.Response, error) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, r)
	resp, err := rt.RoundTrip(req)
	if resp != nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return resp, err
}

func TestRetryAfterHonoured(t *testing.T) {
	srv, n, bodies := scripted(t, []int{429, 429}, http.Header{"Retry-After": {"3"}})
	var waits []time.Duration
	resp, err := roundTrip(t, testTransport(&waits), http.MethodPost, srv.URL, `{"a":1}`)
	if err != nil || resp.StatusCode != 200 || n.Load() != 3 {
		t.Fatalf("status %v, err %v, %d calls", resp, err, n.Load())
	}
	if len(waits) != 2 || waits[0] != 3*time.Second {
		t.Errorf("waits %v, want Retry-After's 3s twice", waits)
	}
	if (*bodies)[2] != `{"a":1}` {
		t.Errorf("body not replayed: %q", *bodies)
	}
}

func TestRetryAfterCapped(t *testing.T) {
	srv, _, _ := scripted(t, []int{503}, http.Header{"Retry-After": {"3600"}})
	var waits []time.Duration
	if _, err := roundTrip(t, testTransport(&waits), http.MethodPost, srv.URL, "x"); err != nil {
		t.Fatal(err)
	}
	if len(waits) != 1 || waits[0] != 30*time.Second {
		t.Errorf("waits %v, want the 30s cap", waits)
	}
}

// TestNoBlindPostRetry: a POST that may have been applied (5xx, no
// Retry-After) goes back to the caller after one try; a GET is retried
// with exponential backoff.
func TestNoBlindPostRetry(t *testing.T) {
	srv, n, _ := scripted(t, []int{500, 502, 503}, nil)
	var waits []time.Duration
	resp, _ := roundTrip(t, testTransport(&waits), http.MethodPost, srv.URL, "x")
	if resp.StatusCode != 500 || n.Load() != 1 {
		t.Errorf("POST: status %d after %d calls", resp.StatusCode, n.Load())
	}
	n.Store(0)
	waits = nil
	resp, _ = roundTrip(t, testTransport(&waits), http.MethodGet, srv.URL, "")
	if resp.StatusCode != 200 || n.Load() != 4 {
		t.Errorf("GET: status %d after %d calls", resp.StatusCode, n.Load())
	}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}
	if len(waits) != 3 || waits[0] != want[0] || waits[1] != want[1] || waits[2] != want[2] {
		t.Errorf("backoff %v, want %v", waits, want)
	}
}

// TestAttemptTimeout: a GET that outlasts the attempt timeout is tried
// again; a POST is not.
func TestAttemptTimeout(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			time.Sleep(300 * time.Millisecond)
		}
	}))
	defer srv.Close()
	rt := newRetryTransport(nil, Retry{Base: time.Millisecond, Jitter: -1, Timeout: 100 * time.Millisecond})
	if resp, err := roundTrip(t, rt, http.MethodGet, srv.URL, ""); err != nil || resp.StatusCode != 200 || n.Load() != 2 {
		t.Errorf("GET: %v %v after %d calls", resp, err, n.Load())
	}
	n.Store(0)
	if _, err := roundTrip(t, rt, http.MethodPost, srv.URL, "x"); err == nil || n.Load() != 1 {
		t.Errorf("POST: err %v after %d calls", err, n.Load())
	}
}

func TestRetryAfterHeader(t *testing.T) {
	for in, want := range map[string]time.Duration{"0": 0, "7": 7 * time.Second} {
		if got, ok := retryAfter(in); !ok || got != want {
			t.Errorf("retryAfter(%q) = %v %v", in, got, ok)
		}
	}
	if _, ok := retryAfter("soon"); ok {
		t.Error("retryAfter accepted nonsense")
	}
	if d, ok := retryAfter(time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)); !ok || d != 0 {
		t.Errorf("past date: %v %v", d, ok)
	}
}
