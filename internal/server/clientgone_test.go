package server_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"syscall"
	"testing"

	"github.com/hindsight-dev/hindsight/internal/server"
)

// TestClientGoneIsNotLogged checks that a request the client gave up on,
// which ends in a cancelled read or a broken pipe, is not logged as an
// internal error, while other internal errors still are.
func TestClientGoneIsNotLogged(t *testing.T) {
	for _, tc := range []struct {
		name      string
		err       error
		cancelled bool
		logged    bool
	}{
		{"cancelled by the client", fmt.Errorf("list incidents: %w", context.Canceled), true, false},
		{"broken pipe", fmt.Errorf("write tcp: %w", syscall.EPIPE), false, false},
		{"reset", fmt.Errorf("write tcp: %w", syscall.ECONNRESET), false, false},
		{"disk on fire", fmt.Errorf("list incidents: %w", syscall.EIO), false, true},
	} {
		srv, logs := newServer(t, failing{err: tc.err}, server.Config{})
		ctx, cancel := context.WithCancel(context.Background())
		if tc.cancelled {
			cancel()
		}
		srv.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil).WithContext(ctx))
		cancel()
		if got := logs.Len() > 0; got != tc.logged {
			t.Errorf("%s: logged = %v, want %v (%s)", tc.name, got, tc.logged, logs)
		}
	}
}
