package metrics

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// scrape returns what /metrics answers.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape = %d", rec.Code)
	}
	return rec.Body.String()
}

func TestTransportCountsCallsAndFailures(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
	defer srv.Close()
	m := New()
	client := &http.Client{Transport: m.Service("jira").Transport(nil)}
	for _, s := range []int{200, 201, 404, 429, 502} {
		status = s
		resp, err := client.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	srv.Close()
	if _, err := client.Get(srv.URL); err == nil {
		t.Fatal("a closed server answered")
	}
	body := scrape(t, m)
	for _, want := range []string{
		`hindsight_external_calls_total{service="jira"} 6`,
		`hindsight_external_call_errors_total{kind="4xx",service="jira"} 1`,
		`hindsight_external_call_errors_total{kind="rate_limited",service="jira"} 1`,
		`hindsight_external_call_errors_total{kind="5xx",service="jira"} 1`,
		`hindsight_external_call_errors_total{kind="network",service="jira"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestFailureKind(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code int
		want string
	}{
		{nil, 200, ""}, {nil, 302, ""}, {nil, 400, "4xx"}, {nil, 429, "rate_limited"}, {nil, 503, "5xx"},
		{context.DeadlineExceeded, 0, "timeout"}, {context.Canceled, 0, "canceled"}, {errors.New("reset"), 0, "network"},
	} {
		var resp *http.Response
		if tc.err == nil {
			resp = &http.Response{StatusCode: tc.code}
		}
		if got := FailureKind(resp, tc.err); got != tc.want {
			t.Errorf("FailureKind(%d, %v) = %q, want %q", tc.code, tc.err, got, tc.want)
		}
	}
}

// counter is an ItemCounter that counts its calls and can fail.
type counter struct {
	calls int
	err   error
}

func (c *counter) ItemCounts(context.Context, time.Time) (int, int, int, error) {
	c.calls++
	return 7, 2, 1, c.err
}

func TestItemGaugesAreCached(t *testing.T) {
	m := New()
	c := &counter{}
	m.WatchItems(c, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	body := scrape(t, m)
	scrape(t, m)
	for _, want := range []string{"hindsight_action_items_open 7", "hindsight_action_items_overdue 2", "hindsight_action_items_orphaned 1"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if c.calls != 1 {
		t.Errorf("two scrapes counted items %d times, want once", c.calls)
	}

	failing := New()
	failing.WatchItems(&counter{err: errors.New("locked")}, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	failing.ObserveRequest("/x", "GET", 200, time.Millisecond)
	body = scrape(t, failing)
	if strings.Contains(body, "hindsight_action_items_open") || !strings.Contains(body, `route="/x"`) {
		t.Errorf("a failed count should drop only the gauges:\n%s", body)
	}
}
