package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// TestLimitQueuesAndGivesUp checks that limit lets n requests run, holds
// the next until one ends, and answers unavailable to one whose deadline
// comes while it waits.
func TestLimitQueuesAndGivesUp(t *testing.T) {
	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) { c.NoContent(describe(err).Status) }
	release := make(chan struct{})
	entered := make(chan struct{}, 3)
	e.GET("/", func(c echo.Context) error {
		entered <- struct{}{}
		<-release
		return c.NoContent(http.StatusOK)
	}, limit(1, pass))

	codes := make(chan int, 2)
	get := func(ctx context.Context) {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx))
		codes <- rec.Code
	}
	go get(context.Background())
	<-entered
	go get(context.Background())
	select {
	case <-entered:
		t.Fatal("a second request ran beside the first with one slot")
	case <-time.After(50 * time.Millisecond):
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("a request whose deadline passed while waiting got %d, want 503", rec.Code)
	}
	close(release)
	for range 2 {
		if code := <-codes; code != http.StatusOK {
			t.Errorf("a request that got its turn answered %d", code)
		}
	}
}
