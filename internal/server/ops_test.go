package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hindsight-dev/hindsight/internal/metrics"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
	"github.com/hindsight-dev/hindsight/internal/server"
	"github.com/hindsight-dev/hindsight/internal/sqlite"
)

func TestReadyz(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hindsight.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv, _ := newServer(t, testStore{db}, server.Config{})
	c := newClient(t, srv)

	var r struct {
		Status, Reason string
		Schema, Latest int
	}
	rec := c.get("/readyz")
	json.Unmarshal(rec.Body.Bytes(), &r)
	if rec.Code != http.StatusServiceUnavailable || r.Status != "unavailable" || !strings.Contains(r.Reason, "migrate") || r.Schema != 0 {
		t.Errorf("before migrating: %d %s", rec.Code, rec.Body)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rec = c.get("/readyz")
	json.Unmarshal(rec.Body.Bytes(), &r)
	if rec.Code != http.StatusOK || r.Status != "ready" || r.Schema != r.Latest || r.Schema == 0 {
		t.Errorf("after migrating: %d %s", rec.Code, rec.Body)
	}
	db.Close()
	rec = c.get("/readyz")
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "does not answer") {
		t.Errorf("closed database: %d %s", rec.Code, rec.Body)
	}
}

func TestMetrics(t *testing.T) {
	st := openStore(t, gates, billing)
	m := metrics.New()
	m.WatchItems(itemsAt{st}, time.Minute, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv, _ := newServer(t, st, server.Config{Metrics: m})
	c := newClient(t, srv)
	c.get("/api/v1/postmortems/" + gatesID)
	c.get("/api/v1/postmortems/nope")
	c.get("/incidents/" + gatesID)
	c.get("/no/such/page/12345")

	rec := c.get("/metrics")
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", rec.Code)
	}
	contains(t, "metrics", body,
		`hindsight_http_request_duration_seconds_bucket{method="GET",route="/api/v1/postmortems/:id",status="2xx",le="0.005"}`,
		`hindsight_http_request_duration_seconds_count{method="GET",route="/api/v1/postmortems/:id",status="4xx"} 1`,
		`hindsight_http_request_duration_seconds_count{method="GET",route="/incidents/:id",status="2xx"} 1`,
		`hindsight_http_request_duration_seconds_count{method="GET",route="unmatched",status="4xx"} 1`,
		"hindsight_action_items_open 3", "hindsight_action_items_overdue 1", "hindsight_action_items_orphaned 1",
		`hindsight_imports_total{outcome="failed"} 0`,
		"go_goroutines",
	)
	lacks(t, "metrics", body, gatesID, "12345")

	// Without metrics configured there is no /metrics.
	plain, _ := newServer(t, st, server.Config{})
	if rec := newClient(t, plain).get("/metrics"); rec.Code != http.StatusNotFound {
		t.Errorf("GET /metrics without metrics = %d", rec.Code)
	}
}

// itemsAt counts items at the tests' fixed time, as the server sees them.
type itemsAt struct{ testStore }

func (s itemsAt) ItemCounts(ctx context.Context, _ time.Time) (int, int, int, error) {
	return s.testStore.ItemCounts(ctx, now)
}

// slow is a store whose incident list waits for its context to end.
type slow struct{ testStore }

func (s slow) ListIncidents(ctx context.Context, f postmortem.IncidentFilter) ([]postmortem.Incident, string, error) {
	<-ctx.Done()
	return nil, "", ctx.Err()
}

func TestRequestTimeout(t *testing.T) {
	st := openStore(t, gates)
	srv, logs := newServer(t, slow{st}, server.Config{RequestTimeout: 50 * time.Millisecond})
	a := newAPI(t, srv, "")
	start := time.Now()
	a.get("/api/v1/postmortems").wantError(503, "unavailable", "")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	if rec := newClient(t, srv).get("/"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("page past its deadline = %d", rec.Code)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a timeout was logged as an internal error:\n%s", logs)
	}
}
